package dev.trellis.api.model;

/**
 * Kubernetes' int-or-string (a Service's {@code targetPort}: {@code 8080} or {@code http}): exactly one of the two
 * alternatives is set.
 */
public record IntOrString(Long intValue, String stringValue) {

    public IntOrString {
        if ((intValue == null) == (stringValue == null)) {
            throw new IllegalArgumentException("exactly one of an integer or a string must be set");
        }
    }

    public static IntOrString of(long value) {
        return new IntOrString(value, null);
    }

    public static IntOrString of(String value) {
        return new IntOrString(null, value);
    }

    public boolean isInt() {
        return intValue != null;
    }

    /** The value as written. */
    public Object value() {
        return intValue != null ? intValue : stringValue;
    }

    @Override
    public String toString() {
        return String.valueOf(value());
    }
}
