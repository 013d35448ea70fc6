package dev.trellis.proxy.log;

import java.util.Locale;

/** Severity, least to most; a logger at level L emits records of L and above. {@link #OFF} emits nothing. */
public enum LogLevel {
    TRACE,
    DEBUG,
    INFO,
    WARNING,
    ERROR,
    OFF;

    /** Envoy's level names (also {@code warn} and {@code critical}), case-insensitive; null when unknown. */
    public static LogLevel parse(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "trace" -> TRACE;
            case "debug" -> DEBUG;
            case "info" -> INFO;
            case "warning", "warn" -> WARNING;
            case "error", "critical" -> ERROR;
            case "off" -> OFF;
            default -> null;
        };
    }

    /** The lower-case name Envoy's admin shows. */
    public String envoyName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
