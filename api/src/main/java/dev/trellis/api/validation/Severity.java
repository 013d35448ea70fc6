package dev.trellis.api.validation;

/** How bad a diagnostic is; the names and order follow istioctl's message levels. */
public enum Severity {
    ERROR("Error"),
    WARNING("Warning"),
    INFO("Info");

    private final String label;

    Severity(String label) {
        this.label = label;
    }

    /** The word istioctl prints: {@code Error}, {@code Warning}, {@code Info}. */
    public String label() {
        return label;
    }
}
