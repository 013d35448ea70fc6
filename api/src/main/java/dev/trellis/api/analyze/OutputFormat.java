package dev.trellis.api.analyze;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How {@code trellis analyze} prints messages, as istioctl's {@code -o log|json|yaml}: one line per message, or a
 * list of objects with {@code code}, {@code documentationUrl}, {@code level}, {@code message}, {@code origin} and
 * {@code reference}.
 */
public enum OutputFormat {
    LOG,
    JSON,
    YAML;

    /** The format for {@code -o} (case-insensitive), or null when unknown. */
    public static OutputFormat parse(String s) {
        for (OutputFormat f : values()) {
            if (f.name().equalsIgnoreCase(s)) {
                return f;
            }
        }
        return null;
    }

    /** The messages in this format; for LOG, empty when there are none. */
    public String render(List<Message> messages) {
        return switch (this) {
            case LOG -> {
                StringBuilder sb = new StringBuilder();
                for (Message m : messages) {
                    sb.append(m.format()).append('\n');
                }
                yield sb.toString();
            }
            case JSON -> json(messages);
            case YAML -> yaml(messages);
        };
    }

    /** The fields of one message, in the (alphabetical) order istioctl prints them. */
    static Map<String, String> fields(Message m) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("code", m.code());
        f.put("documentationUrl", m.type().documentationUrl() + "?ref=trellis-analyze");
        f.put("level", m.level().label());
        f.put("message", m.text());
        if (m.kind() != null) {
            f.put("origin", m.resourceName());
            if (!m.reference().isEmpty()) {
                f.put("reference", m.reference());
            }
        }
        return f;
    }

    private static String json(List<Message> messages) {
        if (messages.isEmpty()) {
            return "[]\n";
        }
        StringBuilder sb = new StringBuilder("[\n");
        for (int i = 0; i < messages.size(); i++) {
            sb.append("  {\n");
            var entries = List.copyOf(fields(messages.get(i)).entrySet());
            for (int j = 0; j < entries.size(); j++) {
                sb.append("    ")
                        .append(jsonString(entries.get(j).getKey()))
                        .append(": ")
                        .append(jsonString(entries.get(j).getValue()))
                        .append(j + 1 < entries.size() ? ",\n" : "\n");
            }
            sb.append(i + 1 < messages.size() ? "  },\n" : "  }\n");
        }
        return sb.append("]\n").toString();
    }

    static String jsonString(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    private static String yaml(List<Message> messages) {
        if (messages.isEmpty()) {
            return "[]\n";
        }
        StringBuilder sb = new StringBuilder();
        for (Message m : messages) {
            String prefix = "- ";
            for (Map.Entry<String, String> e : fields(m).entrySet()) {
                // JSON strings are valid YAML scalars and need no further escaping rules
                sb.append(prefix)
                        .append(e.getKey())
                        .append(": ")
                        .append(jsonString(e.getValue()))
                        .append('\n');
                prefix = "  ";
            }
        }
        return sb.toString();
    }
}
