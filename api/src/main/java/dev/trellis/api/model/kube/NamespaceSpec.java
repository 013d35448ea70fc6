package dev.trellis.api.model.kube;

import dev.trellis.api.codec.Unknown;
import dev.trellis.api.model.Values;
import java.util.List;
import java.util.Map;

/** A Namespace's spec; what the mesh reads of a namespace (e.g. {@code istio-injection}) is in its labels. */
public record NamespaceSpec(
        List<String> finalizers, @Unknown Map<String, Object> other) {
    public NamespaceSpec {
        finalizers = finalizers == null ? null : List.copyOf(finalizers);
        other = Values.immutableGenericMap(other);
    }
}
