package dev.trellis.proxy.config;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Duration;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.UnknownFieldSet;
import dev.trellis.proxy.config.schema.MessageSchema;
import dev.trellis.proxy.config.schema.ProtoSchema;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Helpers for reading Envoy protos during compilation. */
public final class Fields {
    private Fields() {}

    /**
     * Rejects every set field of {@code message} that is neither supported nor one Envoy itself ignores, so that a
     * config we do not implement fails at load time instead of silently behaving differently.
     *
     * @param where the resource and path, e.g. {@code listener "l1" filter_chains[0]}
     */
    public static void requireOnly(Message message, String where, Set<String> supported) {
        String unsupported = Presence.firstUnsupported(message, supported);
        if (unsupported == null) {
            unsupported = setFieldsFromWire(message).stream()
                    .filter(name -> !supported.contains(name))
                    .findFirst()
                    .orElse("");
        }
        if (!unsupported.isEmpty()) {
            MessageSchema schema = ProtoSchema.envoy().messageOf(message.getClass());
            String type = schema != null ? schema.name() : descriptorOf(message).getName();
            throw new ConfigException(
                    where + ": field '" + unsupported + "' (" + type + ") is not supported by Trellis");
        }
    }

    /**
     * Whether a map field has entries. Ask this before reading a map that may be empty: reading a generated message's
     * map, even an empty one, builds the descriptors of its whole .proto import graph (see {@link Presence}).
     */
    public static boolean hasEntries(Message message, String field) {
        return Presence.hasEntries(message, field);
    }

    /**
     * The set fields read from the message's wire form, for types the schema table does not have. Reflection would
     * initialise accessors for all the type's fields, which loads every message type they mention.
     */
    private static List<String> setFieldsFromWire(Message message) {
        UnknownFieldSet present;
        try {
            present = UnknownFieldSet.parseFrom(message.toByteString());
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("a message's own wire form did not parse", e);
        }
        Descriptor type = descriptorOf(message);
        List<String> names = new ArrayList<>();
        for (int number : present.asMap().keySet()) {
            FieldDescriptor field = type.findFieldByNumber(number);
            names.add(field == null ? "#" + number : field.getName());
        }
        return names;
    }

    /** A generated message's full proto name, from the schema table when it has it (no descriptors built). */
    public static String fullNameOf(Message prototype) {
        MessageSchema schema = ProtoSchema.envoy().messageOf(prototype.getClass());
        return schema != null ? schema.fullName() : descriptorOf(prototype).getFullName();
    }

    /**
     * A message's descriptor without reflection: a generated message's {@code getDescriptorForType()} initialises its
     * reflective field accessors (see above), while its static {@code getDescriptor()} does not.
     */
    public static Descriptor descriptorOf(Message message) {
        Descriptor d = STATIC_DESCRIPTORS.get(message.getClass());
        return d != null ? d : message.getDescriptorForType();
    }

    /**
     * {@link com.google.protobuf.Any#unpack} without reflection: {@code Any.unpack} checks the type through the
     * target's {@code getDescriptorForType()}, which initialises its reflective accessors.
     */
    public static <T extends Message> T unpack(com.google.protobuf.Any any, Class<T> type)
            throws InvalidProtocolBufferException {
        T prototype = com.google.protobuf.Internal.getDefaultInstance(type);
        String url = any.getTypeUrl();
        String name = url.substring(url.lastIndexOf('/') + 1);
        if (!name.equals(fullNameOf(prototype))) {
            throw new InvalidProtocolBufferException("Type of the Any message does not match the given class.");
        }
        @SuppressWarnings("unchecked")
        T message = (T) prototype.getParserForType().parseFrom(any.getValue());
        return message;
    }

    /** {@link com.google.protobuf.Any#is} without reflection (see {@link #unpack}). */
    public static boolean is(com.google.protobuf.Any any, Class<? extends Message> type) {
        String url = any.getTypeUrl();
        return url.substring(url.lastIndexOf('/') + 1)
                .equals(fullNameOf(com.google.protobuf.Internal.getDefaultInstance(type)));
    }

    private static final ClassValue<Descriptor> STATIC_DESCRIPTORS = new ClassValue<>() {
        @Override
        protected Descriptor computeValue(Class<?> type) {
            try {
                // A method handle resolves just this method; Class.getMethod would load every type the class mentions.
                return (Descriptor) MethodHandles.publicLookup()
                        .findStatic(type, "getDescriptor", MethodType.methodType(Descriptor.class))
                        .invoke();
            } catch (Throwable e) {
                return null; // not a generated message (e.g. DynamicMessage): it has no such method
            }
        }
    };

    public static long millis(Duration d) {
        return d.getSeconds() * 1000L + d.getNanos() / 1_000_000;
    }

    /** A duration field in milliseconds, or {@code dflt} when unset. Zero keeps meaning "disabled" as in Envoy. */
    public static long millis(boolean has, Duration d, long dflt) {
        return has ? millis(d) : dflt;
    }

    public static int uint32(boolean has, UInt32Value v, int dflt) {
        return has ? v.getValue() : dflt;
    }
}
