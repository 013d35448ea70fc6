package dev.trellis.api.codec;

/**
 * Input that could not be read at all: a missing or unreadable file, or malformed YAML/JSON (with the parser's
 * 1-based line and column; 0 when not applicable). Distinct from a {@code Diagnostic}, which concerns a parsed
 * resource.
 */
public record LoadFailure(String file, int line, int column, String message) {

    /** {@code file:line:column: message}. */
    public String format() {
        StringBuilder sb = new StringBuilder(file);
        if (line > 0) {
            sb.append(':').append(line);
            if (column > 0) {
                sb.append(':').append(column);
            }
        }
        return sb.append(": ").append(message).toString();
    }

    @Override
    public String toString() {
        return format();
    }
}
