package dev.trellis.proxy.config;

/** Bad or unsupported configuration. The message names the resource and field (and, for files, the line). */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
