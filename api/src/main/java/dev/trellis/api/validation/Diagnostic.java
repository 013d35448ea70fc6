package dev.trellis.api.validation;

import dev.trellis.api.model.Origin;
import dev.trellis.api.model.Resource;

/**
 * One problem found in configuration, shared by {@code trellis validate} and {@code trellis analyze}.
 *
 * @param severity how bad it is
 * @param origin file and line of the offending field (or of the resource when no field applies)
 * @param kind the resource kind, e.g. {@code VirtualService}; null when no resource applies (a file problem)
 * @param namespace the resource namespace as written; may be null
 * @param name the resource name; may be null
 * @param fieldPath e.g. {@code spec.http[0].route[1].weight}; empty when the whole resource is meant
 * @param message what is wrong, in words a user understands
 * @param code an analyzer message code such as {@code IST0101}; null for validation messages
 */
public record Diagnostic(
        Severity severity,
        Origin origin,
        String kind,
        String namespace,
        String name,
        String fieldPath,
        String message,
        String code) {

    public Diagnostic {
        severity = severity == null ? Severity.ERROR : severity;
        origin = origin == null ? Origin.UNKNOWN : origin;
        fieldPath = fieldPath == null ? "" : fieldPath;
    }

    public Diagnostic(
            Severity severity,
            Origin origin,
            String kind,
            String namespace,
            String name,
            String fieldPath,
            String message) {
        this(severity, origin, kind, namespace, name, fieldPath, message, null);
    }

    /** An error about one field of a resource, located at that field's line. */
    public static Diagnostic error(Resource<?> resource, String fieldPath, String message) {
        return of(Severity.ERROR, resource, fieldPath, message);
    }

    /** A warning about one field of a resource, located at that field's line. */
    public static Diagnostic warning(Resource<?> resource, String fieldPath, String message) {
        return of(Severity.WARNING, resource, fieldPath, message);
    }

    public static Diagnostic of(Severity severity, Resource<?> resource, String fieldPath, String message) {
        return new Diagnostic(
                severity,
                resource.originOf(fieldPath),
                resource.kind(),
                resource.namespace(),
                resource.name(),
                fieldPath,
                message);
    }

    /** The same diagnostic with an analyzer code. */
    public Diagnostic withCode(String newCode) {
        return new Diagnostic(severity, origin, kind, namespace, name, fieldPath, message, newCode);
    }

    /** The resource as messages name it: {@code Kind namespace/name}, or empty when none applies. */
    public String resourceName() {
        if (kind == null) {
            return "";
        }
        String ns = namespace == null || namespace.isEmpty() ? "" : namespace + "/";
        return kind + " " + ns + (name == null || name.isEmpty() ? "(unnamed)" : name);
    }

    /** {@code file:line Kind namespace/name field.path: message}, the line {@code trellis validate} prints. */
    public String format() {
        StringBuilder sb = new StringBuilder(origin.toString());
        String resource = resourceName();
        if (!resource.isEmpty()) {
            sb.append(' ').append(resource);
        }
        if (!fieldPath.isEmpty()) {
            sb.append(' ').append(fieldPath);
        }
        return sb.append(": ").append(message).toString();
    }

    @Override
    public String toString() {
        return format();
    }
}
