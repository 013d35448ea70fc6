package dev.trellis.api.model;

import java.util.Map;

/**
 * One configuration object: the Kubernetes envelope around a typed spec.
 *
 * <p>{@code spec} is the kind's record (for Istio kinds the proto message, e.g. {@code VirtualService}); for
 * Kubernetes kinds without a {@code spec} (ServiceAccount) it is null. {@code other} holds the envelope's remaining
 * top-level fields ({@code status}, a ServiceAccount's {@code secrets}, ...) verbatim, so writing back loses nothing.
 * {@code origin} is the file and line of the document; {@code lines} finds the line of any field.
 */
public record Resource<S>(
        String apiVersion,
        String kind,
        ObjectMeta metadata,
        S spec,
        Map<String, Object> other,
        Origin origin,
        FieldLines lines) {

    public Resource {
        metadata = metadata == null ? ObjectMeta.of(null, null) : metadata;
        other = other == null ? Map.of() : Values.immutableGenericMap(other);
        origin = origin == null ? Origin.UNKNOWN : origin;
        lines = lines == null ? FieldLines.NONE : lines;
    }

    /** A resource built in code (no source file). */
    public static <S> Resource<S> of(String apiVersion, String kind, ObjectMeta metadata, S spec) {
        return new Resource<>(apiVersion, kind, metadata, spec, Map.of(), Origin.UNKNOWN, FieldLines.NONE);
    }

    public String name() {
        return metadata.name();
    }

    /** The namespace as written; may be null (then the loader's default namespace applies). */
    public String namespace() {
        return metadata.namespace();
    }

    /** The API group: {@code networking.istio.io} for {@code networking.istio.io/v1}, "" for core {@code v1}. */
    public String group() {
        int slash = apiVersion == null ? -1 : apiVersion.indexOf('/');
        return slash < 0 ? "" : apiVersion.substring(0, slash);
    }

    /** The origin of one field, e.g. {@code originOf("spec.http[0].route[1].weight")}. */
    public Origin originOf(String fieldPath) {
        int line = lines.lineOf(fieldPath);
        return line > 0 ? origin.atLine(line) : origin;
    }

    /** {@code Kind namespace/name}, as messages name a resource. */
    public String displayName() {
        return kind + " " + (namespace() == null ? "" : namespace() + "/") + name();
    }

    /** The same resource with another spec (origin and lines kept). */
    public <T> Resource<T> withSpec(T newSpec) {
        return new Resource<>(apiVersion, kind, metadata, newSpec, other, origin, lines);
    }
}
