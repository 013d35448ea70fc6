package dev.trellis.api.analyze;

import dev.trellis.api.model.Origin;
import dev.trellis.api.validation.Severity;

/**
 * One analyzer finding.
 *
 * @param type the message type (code, level, template)
 * @param kind the kind of the resource it concerns; null when it concerns no resource
 * @param namespace the resource's namespace (the default namespace applied)
 * @param name the resource's name
 * @param origin the file and line of the resource, or of the offending field when known
 * @param text the rendered message
 */
public record Message(MessageType type, String kind, String namespace, String name, Origin origin, String text) {

    public Severity level() {
        return type.level();
    }

    public String code() {
        return type.code();
    }

    /** {@code Kind namespace/name}, as istioctl names a resource. */
    public String resourceName() {
        return kind == null ? "" : kind + " " + namespace + "/" + name;
    }

    /** The file and line, {@code file.yaml:12}; empty when the resource was not read from a file. */
    public String reference() {
        if (origin == null || origin.equals(Origin.UNKNOWN)) {
            return "";
        }
        return origin.toString();
    }

    /** {@code Error [IST0101] (VirtualService default/reviews file.yaml:12) Referenced host not found: "reviews"}. */
    public String format() {
        StringBuilder sb = new StringBuilder();
        sb.append(level().label()).append(" [").append(code()).append(']');
        if (kind != null) {
            sb.append(" (").append(resourceName());
            String ref = reference();
            if (!ref.isEmpty()) {
                sb.append(' ').append(ref);
            }
            sb.append(')');
        }
        return sb.append(' ').append(text).toString();
    }

    @Override
    public String toString() {
        return format();
    }
}
