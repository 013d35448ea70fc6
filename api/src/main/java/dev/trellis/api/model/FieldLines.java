package dev.trellis.api.model;

/**
 * Finds the source line of a field of one resource, by field path such as {@code spec.http[0].route[1].weight} or
 * {@code metadata.labels["app.kubernetes.io/name"]}. When the field is absent, the line of its nearest present
 * parent is returned, so a message about a missing field still points at the object that lacks it.
 */
@FunctionalInterface
public interface FieldLines {

    /** For resources built in code: every path answers 0 (unknown). */
    FieldLines NONE = path -> 0;

    /** The 1-based line of the field at {@code path}, or of its nearest present parent; 0 when unknown. */
    int lineOf(String path);
}
