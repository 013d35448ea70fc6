package dev.trellis.proxy.config;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Duration;
import com.google.protobuf.Message;
import com.google.protobuf.UInt32Value;
import java.util.Map;
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
        for (Map.Entry<FieldDescriptor, Object> e : message.getAllFields().entrySet()) {
            String name = e.getKey().getName();
            if (!supported.contains(name)) {
                throw new ConfigException(where + ": field '" + name + "' ("
                        + message.getDescriptorForType().getName() + ") is not supported by Trellis");
            }
        }
    }

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
