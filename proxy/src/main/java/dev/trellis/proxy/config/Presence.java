package dev.trellis.proxy.config;

import com.google.protobuf.ByteString;
import com.google.protobuf.MapField;
import com.google.protobuf.Message;
import dev.trellis.proxy.config.schema.FieldSchema;
import dev.trellis.proxy.config.schema.Kind;
import dev.trellis.proxy.config.schema.MessageSchema;
import dev.trellis.proxy.config.schema.ProtoSchema;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * Which fields of a generated message are set, asked through its own accessors ({@code hasX}, {@code getXCount}, a
 * scalar against its default) as the schema table describes them.
 *
 * <p>Why not serialise and list the field numbers: protobuf-java's generated code reaches a map field (also to
 * serialise an empty one) through a holder whose initialisation builds the descriptors of the message's whole .proto
 * import graph. Envoy's Cluster, RouteConfiguration, VirtualHost and Route all have map fields, so serialising one of
 * them cost ~200 ms of descriptor building at startup. Map fields are read here from the generated private field,
 * which is null until a map entry has been parsed or added.
 */
final class Presence {
    private Presence() {}

    /** One field's probe: true when the field is set. */
    private record Probe(String name, MethodHandle isSet) {}

    private static final ClassValue<List<Probe>> PROBES = new ClassValue<>() {
        @Override
        protected List<Probe> computeValue(Class<?> type) {
            MessageSchema schema = ProtoSchema.envoy().messageOf(type);
            if (schema == null) {
                return null;
            }
            List<Probe> probes = new ArrayList<>(schema.fields().size());
            for (FieldSchema f : schema.fields()) {
                MethodHandle h = probe(type, f);
                if (h == null) {
                    return null; // an accessor named unlike protoc's rule: the caller falls back to the wire form
                }
                probes.add(new Probe(f.name(), h));
            }
            return List.copyOf(probes);
        }
    };

    /**
     * The names of the set fields in field-number order, or null when the message's type is not in the schema table or
     * its accessors could not be found (the caller then asks protobuf).
     */
    static List<String> setFields(Message message) {
        List<Probe> probes = PROBES.get(message.getClass());
        if (probes == null) {
            return null;
        }
        List<String> set = new ArrayList<>();
        try {
            for (Probe p : probes) {
                if ((boolean) p.isSet().invokeExact(message)) {
                    set.add(p.name());
                }
            }
        } catch (Throwable e) {
            throw new IllegalStateException("reading " + message.getClass().getName(), e);
        }
        return set;
    }

    /**
     * Whether a map field has entries, without touching protobuf's map holders (see the class comment); true when the
     * field cannot be read that way, so that the caller reads the map itself.
     */
    static boolean hasEntries(Message message, String field) {
        VarHandle h = mapField(message.getClass(), camel(field, false) + "_");
        if (h == null) {
            return true;
        }
        MapField<?, ?> map = (MapField<?, ?>) h.get(message);
        return map != null && !map.getMap().isEmpty();
    }

    private static final MethodHandle IS_NONZERO_INT;
    private static final MethodHandle IS_NONZERO_LONG;
    private static final MethodHandle IS_NONZERO_FLOAT;
    private static final MethodHandle IS_NONZERO_DOUBLE;
    private static final MethodHandle IS_NONEMPTY_STRING;
    private static final MethodHandle IS_NONEMPTY_BYTES;
    private static final MethodHandle IS_NONEMPTY_MAP;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            MethodType bool = MethodType.methodType(boolean.class);
            IS_NONZERO_INT = l.findStatic(Presence.class, "nonzero", bool.appendParameterTypes(int.class));
            IS_NONZERO_LONG = l.findStatic(Presence.class, "nonzero", bool.appendParameterTypes(long.class));
            IS_NONZERO_FLOAT = l.findStatic(Presence.class, "nonzero", bool.appendParameterTypes(float.class));
            IS_NONZERO_DOUBLE = l.findStatic(Presence.class, "nonzero", bool.appendParameterTypes(double.class));
            IS_NONEMPTY_STRING = l.findStatic(Presence.class, "nonempty", bool.appendParameterTypes(String.class));
            IS_NONEMPTY_BYTES = l.findStatic(Presence.class, "nonempty", bool.appendParameterTypes(ByteString.class));
            IS_NONEMPTY_MAP = l.findStatic(Presence.class, "nonempty", bool.appendParameterTypes(MapField.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static boolean nonzero(int v) {
        return v != 0;
    }

    private static boolean nonzero(long v) {
        return v != 0;
    }

    // As protobuf serialises proto3 floats: by their bits, so -0.0 counts as set.
    private static boolean nonzero(float v) {
        return Float.floatToRawIntBits(v) != 0;
    }

    private static boolean nonzero(double v) {
        return Double.doubleToRawLongBits(v) != 0;
    }

    private static boolean nonempty(String v) {
        return !v.isEmpty();
    }

    private static boolean nonempty(ByteString v) {
        return !v.isEmpty();
    }

    private static boolean nonempty(MapField<?, ?> v) {
        return v != null && !v.getMap().isEmpty();
    }

    /** A handle (Message) -> boolean for one field, or null when the generated class has no such accessor. */
    private static MethodHandle probe(Class<?> type, FieldSchema f) {
        String camel = camel(f.name(), true);
        MethodType asked = MethodType.methodType(boolean.class, Message.class);
        try {
            MethodHandles.Lookup pub = MethodHandles.publicLookup();
            MethodHandle h;
            if (f.map()) {
                VarHandle v = mapField(type, camel(f.name(), false) + "_");
                if (v == null) {
                    return null;
                }
                h = MethodHandles.filterReturnValue(v.toMethodHandle(VarHandle.AccessMode.GET), IS_NONEMPTY_MAP);
            } else if (f.repeated()) {
                h = MethodHandles.filterReturnValue(
                        pub.findVirtual(type, "get" + camel + "Count", MethodType.methodType(int.class)),
                        IS_NONZERO_INT);
            } else if (f.kind() == Kind.MESSAGE || f.oneof() >= 0 || hasMethod(type, "has" + camel)) {
                // Messages, oneof members and proto3 `optional` scalars have explicit presence.
                h = pub.findVirtual(type, "has" + camel, MethodType.methodType(boolean.class));
            } else {
                h = switch (f.kind()) {
                    case STRING -> filter(pub, type, "get" + camel, String.class, IS_NONEMPTY_STRING);
                    case BYTES -> filter(pub, type, "get" + camel, ByteString.class, IS_NONEMPTY_BYTES);
                    case ENUM -> filter(pub, type, "get" + camel + "Value", int.class, IS_NONZERO_INT);
                    case BOOL -> pub.findVirtual(type, "get" + camel, MethodType.methodType(boolean.class));
                    case FLOAT -> filter(pub, type, "get" + camel, float.class, IS_NONZERO_FLOAT);
                    case DOUBLE -> filter(pub, type, "get" + camel, double.class, IS_NONZERO_DOUBLE);
                    case INT64, UINT64, SINT64, FIXED64, SFIXED64 ->
                        filter(pub, type, "get" + camel, long.class, IS_NONZERO_LONG);
                    default -> filter(pub, type, "get" + camel, int.class, IS_NONZERO_INT);
                };
            }
            return h.asType(asked);
        } catch (NoSuchMethodException | IllegalAccessException e) {
            return null;
        }
    }

    private static MethodHandle filter(
            MethodHandles.Lookup pub, Class<?> type, String getter, Class<?> returns, MethodHandle test)
            throws NoSuchMethodException, IllegalAccessException {
        return MethodHandles.filterReturnValue(pub.findVirtual(type, getter, MethodType.methodType(returns)), test);
    }

    private static boolean hasMethod(Class<?> type, String name) {
        try {
            MethodHandles.publicLookup().findVirtual(type, name, MethodType.methodType(boolean.class));
            return true;
        } catch (NoSuchMethodException | IllegalAccessException e) {
            return false;
        }
    }

    private static VarHandle mapField(Class<?> type, String name) {
        try {
            return MethodHandles.privateLookupIn(type, MethodHandles.lookup())
                    .findVarHandle(type, name, MapField.class);
        } catch (NoSuchFieldException | IllegalAccessException e) {
            return null;
        }
    }

    /** protoc's Java naming: underscores and digits start a capital, as in {@code http2_protocol_options}. */
    static String camel(String protoName, boolean capitalizeFirst) {
        StringBuilder sb = new StringBuilder(protoName.length());
        boolean upper = capitalizeFirst;
        for (int i = 0; i < protoName.length(); i++) {
            char c = protoName.charAt(i);
            if (Character.isLowerCase(c)) {
                sb.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            } else if (Character.isUpperCase(c)) {
                // protoc keeps capitals, except the very first when the name must start lowercase
                sb.append(i == 0 && !capitalizeFirst ? Character.toLowerCase(c) : c);
                upper = false;
            } else if (Character.isDigit(c)) {
                sb.append(c);
                upper = true;
            } else {
                upper = true;
            }
        }
        return sb.toString();
    }
}
