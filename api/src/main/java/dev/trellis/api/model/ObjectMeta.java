package dev.trellis.api.model;

import dev.trellis.api.codec.Unknown;
import java.util.List;
import java.util.Map;

/**
 * Kubernetes object metadata, with the fields the mesh reads typed and every other field (uid, managedFields,
 * ownerReferences, ...) kept verbatim in {@code other} so that writing a resource back loses nothing.
 */
public record ObjectMeta(
        String name,
        String namespace,
        String generateName,
        Map<String, String> labels,
        Map<String, String> annotations,
        String resourceVersion,
        Long generation,
        String creationTimestamp,
        List<String> finalizers,
        @Unknown Map<String, Object> other) {

    public ObjectMeta {
        labels = labels == null ? null : Values.immutableMap(labels);
        annotations = annotations == null ? null : Values.immutableMap(annotations);
        finalizers = finalizers == null ? null : List.copyOf(finalizers);
        other = Values.immutableGenericMap(other);
    }

    public static ObjectMeta of(String name, String namespace) {
        return new ObjectMeta(name, namespace, null, null, null, null, null, null, null, null);
    }

    /** The labels, never null. */
    public Map<String, String> labelsOrEmpty() {
        return labels == null ? Map.of() : labels;
    }

    /** The annotations, never null. */
    public Map<String, String> annotationsOrEmpty() {
        return annotations == null ? Map.of() : annotations;
    }
}
