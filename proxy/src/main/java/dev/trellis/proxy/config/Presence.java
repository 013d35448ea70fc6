package dev.trellis.proxy.config;

import com.google.protobuf.ByteString;
import com.google.protobuf.MapField;
import com.google.protobuf.Message;
import dev.trellis.proxy.config.schema.FieldSchema;
import dev.trellis.proxy.config.schema.MessageSchema;
import dev.trellis.proxy.config.schema.ProtoSchema;
import dev.trellis.proxy.config.schema.ProtocNames;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether fields of a generated message are set, asked through its own accessors ({@code hasX}, {@code getXCount}, a
 * scalar against its default) as the schema table describes them.
 *
 * <p>Why not serialise and list the field numbers: protobuf-java's generated code reaches a map field (also to
 * serialise an empty one) through a holder whose initialisation builds the descriptors of the message's whole .proto
 * import graph. Envoy's Bootstrap, Cluster, RouteConfiguration, VirtualHost and Route have map fields, and most other
 * messages can contain one of those or a Metadata, so serialising cost ~200 ms of descriptor building at startup. Map
 * fields are read here from the generated private field, which is null until an entry has been parsed or added.
 *
 * <p>Only the fields outside a caller's supported set are probed: that is all {@link Fields#requireOnly} needs, and
 * each probe is a method handle that costs its lookup once per type.
 */
final class Presence {
    private Presence() {}

    private enum Test {
        HAS,
        COUNT,
        MAP,
        STRING,
        BYTES,
        BOOL,
        INT,
        LONG,
        FLOAT,
        DOUBLE
    }

    /** One field's probe; {@code handle} is typed (Message) -> boolean, int, long, float, double or Object. */
    private record Probe(String name, Test test, MethodHandle handle) {}

    /** Per generated class, per supported set (a caller's constant), the probes of the other fields; null: no table. */
    private static final ClassValue<Map<Set<String>, List<Probe>>> PROBES = new ClassValue<>() {
        @Override
        protected Map<Set<String>, List<Probe>> computeValue(Class<?> type) {
            return new ConcurrentHashMap<>();
        }
    };

    /** "No table for this type": its own instance, not the shared empty list a fully supported type gets. */
    private static final List<Probe> UNKNOWN = java.util.Collections.unmodifiableList(new ArrayList<>());

    /**
     * The first set field outside {@code supported}, in declaration order; "" when there is none; null when the type
     * is not in the schema table or its accessors are not named as protoc names them (the caller then asks protobuf).
     */
    static String firstUnsupported(Message message, Set<String> supported) {
        List<Probe> probes =
                PROBES.get(message.getClass()).computeIfAbsent(supported, s -> probes(message.getClass(), s));
        if (probes == UNKNOWN) {
            return null;
        }
        try {
            for (Probe p : probes) {
                if (isSet(p, message)) {
                    return p.name();
                }
            }
        } catch (Throwable e) {
            throw new IllegalStateException("reading " + message.getClass().getName(), e);
        }
        return "";
    }

    private static boolean isSet(Probe p, Message m) throws Throwable {
        MethodHandle h = p.handle();
        return switch (p.test()) {
            case HAS, BOOL -> (boolean) h.invokeExact(m);
            case COUNT, INT -> (int) h.invokeExact(m) != 0;
            case MAP -> {
                MapField<?, ?> map = (MapField<?, ?>) (Object) h.invokeExact(m);
                yield map != null && !map.getMap().isEmpty();
            }
            case STRING -> !((String) (Object) h.invokeExact(m)).isEmpty();
            case BYTES -> !((ByteString) (Object) h.invokeExact(m)).isEmpty();
            case LONG -> (long) h.invokeExact(m) != 0;
            // As protobuf serialises proto3 floats: by their bits, so -0.0 counts as set.
            case FLOAT -> Float.floatToRawIntBits((float) h.invokeExact(m)) != 0;
            case DOUBLE -> Double.doubleToRawLongBits((double) h.invokeExact(m)) != 0;
        };
    }

    /**
     * Whether a map field has entries, without touching protobuf's map holders (see the class comment); true when the
     * field cannot be read that way, so that the caller reads the map itself.
     */
    static boolean hasEntries(Message message, String field) {
        VarHandle h = mapField(message.getClass(), ProtocNames.camel(field, false) + "_");
        if (h == null) {
            return true;
        }
        MapField<?, ?> map = (MapField<?, ?>) h.get(message);
        return map != null && !map.getMap().isEmpty();
    }

    private static List<Probe> probes(Class<?> type, Set<String> supported) {
        MessageSchema schema = ProtoSchema.envoy().messageOf(type);
        if (schema == null) {
            return UNKNOWN;
        }
        List<Probe> probes = new ArrayList<>();
        for (FieldSchema f : schema.fields()) {
            if (supported.contains(f.name())) {
                continue;
            }
            Probe p = probe(type, f);
            if (p == null) {
                return UNKNOWN; // an accessor named unlike protoc's rule: the caller falls back to the wire form
            }
            probes.add(p);
        }
        return List.copyOf(probes);
    }

    private static Probe probe(Class<?> type, FieldSchema f) {
        String camel = ProtocNames.camel(f.name(), true);
        MethodHandles.Lookup pub = MethodHandles.publicLookup();
        try {
            if (f.map()) {
                VarHandle v = mapField(type, ProtocNames.camel(f.name(), false) + "_");
                return v == null
                        ? null
                        : new Probe(
                                f.name(),
                                Test.MAP,
                                v.toMethodHandle(VarHandle.AccessMode.GET)
                                        .asType(MethodType.methodType(Object.class, Message.class)));
            }
            if (f.repeated()) {
                return probe(pub, type, f, Test.COUNT, "get" + camel + "Count", int.class);
            }
            if (f.presence()) {
                // Messages, oneof members and proto3 `optional` scalars: protoc generates hasX for exactly these.
                return probe(pub, type, f, Test.HAS, "has" + camel, boolean.class);
            }
            return switch (f.kind()) {
                case STRING -> probe(pub, type, f, Test.STRING, "get" + camel, String.class);
                case BYTES -> probe(pub, type, f, Test.BYTES, "get" + camel, ByteString.class);
                case ENUM -> probe(pub, type, f, Test.INT, "get" + camel + "Value", int.class);
                case BOOL -> probe(pub, type, f, Test.BOOL, "get" + camel, boolean.class);
                case FLOAT -> probe(pub, type, f, Test.FLOAT, "get" + camel, float.class);
                case DOUBLE -> probe(pub, type, f, Test.DOUBLE, "get" + camel, double.class);
                case INT64, UINT64, SINT64, FIXED64, SFIXED64 ->
                    probe(pub, type, f, Test.LONG, "get" + camel, long.class);
                case MESSAGE -> throw new IllegalStateException(f + ": a message field has presence");
                default -> probe(pub, type, f, Test.INT, "get" + camel, int.class);
            };
        } catch (NoSuchMethodException | IllegalAccessException e) {
            return null;
        }
    }

    private static Probe probe(
            MethodHandles.Lookup pub, Class<?> type, FieldSchema f, Test test, String accessor, Class<?> returns)
            throws NoSuchMethodException, IllegalAccessException {
        MethodHandle h = pub.findVirtual(type, accessor, MethodType.methodType(returns));
        Class<?> erased = returns.isPrimitive() ? returns : Object.class;
        return new Probe(f.name(), test, h.asType(MethodType.methodType(erased, Message.class)));
    }

    private static VarHandle mapField(Class<?> type, String name) {
        try {
            return MethodHandles.privateLookupIn(type, MethodHandles.lookup())
                    .findVarHandle(type, name, MapField.class);
        } catch (NoSuchFieldException | IllegalAccessException e) {
            return null;
        }
    }
}
