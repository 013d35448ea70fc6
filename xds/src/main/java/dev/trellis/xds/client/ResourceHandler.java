package dev.trellis.xds.client;

import com.google.protobuf.Any;
import java.util.List;

/** Applies one state-of-the-world response of one type. */
public interface ResourceHandler {
    /**
     * Validates and applies all resources (all or nothing).
     *
     * @throws XdsRejectedException naming the resource and field, to NACK; nothing may have been applied
     */
    void apply(List<Any> resources, String version) throws XdsRejectedException;
}
