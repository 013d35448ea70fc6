package dev.trellis.api.codec;

import dev.trellis.api.model.Origin;

/** A document of a kind outside the model (Gateway API, cert-manager, ...): listed, not failed. */
public record SkippedResource(String apiVersion, String kind, String namespace, String name, Origin origin) {

    /** {@code kind (apiVersion)}, how the summary lists it. */
    public String kindAndVersion() {
        return kind + " (" + apiVersion + ")";
    }
}
