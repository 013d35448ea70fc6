package dev.trellis.proxy.config;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Duration;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.UnknownFieldSet;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
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
        // The set fields are read from the message's wire form (in field-number order, as getAllFields would list
        // them) rather than by reflection: reflection on a generated class initialises accessors for all its fields,
        // which loads every message type they mention (hundreds for Envoy's Cluster) and dominated startup time.
        UnknownFieldSet present;
        try {
            present = UnknownFieldSet.parseFrom(message.toByteString());
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("a message's own wire form did not parse", e);
        }
        Descriptor type = descriptorOf(message);
        for (int number : present.asMap().keySet()) {
            FieldDescriptor field = type.findFieldByNumber(number);
            String name = field == null ? "#" + number : field.getName();
            if (!supported.contains(name)) {
                throw new ConfigException(
                        where + ": field '" + name + "' (" + type.getName() + ") is not supported by Trellis");
            }
        }
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
        if (!name.equals(descriptorOf(prototype).getFullName())) {
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
                .equals(descriptorOf(com.google.protobuf.Internal.getDefaultInstance(type))
                        .getFullName());
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
