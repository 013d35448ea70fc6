package dev.trellis.proxy.bootstrap;

import dev.trellis.proxy.config.ConfigException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * YAML (or JSON, a subset of YAML 1.2) to a JSON string, remembering the 1-based line of every key and scalar so a
 * later protobuf error can point at the line.
 */
final class YamlJson {
    private final Map<String, List<Integer>> lines = new HashMap<>();
    private final String source;

    private YamlJson(String source) {
        this.source = source;
    }

    record Result(String json, Map<String, List<Integer>> lines) {
        /** The first line where a key or scalar with this text appears, or -1. */
        int lineOf(String token) {
            List<Integer> l = lines.get(token);
            return l == null || l.isEmpty() ? -1 : l.get(0);
        }
    }

    static Result convert(String text, String source) {
        YamlJson c = new YamlJson(source);
        Optional<Node> root;
        try {
            root = new Compose(LoadSettings.builder().setLabel(source).build()).composeString(text);
        } catch (YamlEngineException e) {
            throw new ConfigException(
                    source + ": not valid YAML/JSON: " + e.getMessage().replace('\n', ' '));
        }
        if (root.isEmpty()) {
            throw new ConfigException(source + ": the file is empty");
        }
        StringBuilder sb = new StringBuilder(text.length() + 64);
        c.emit(root.get(), sb);
        return new Result(sb.toString(), c.lines);
    }

    private void remember(String token, Node node) {
        Optional<Mark> m = node.getStartMark();
        m.ifPresent(mark -> lines.computeIfAbsent(token, k -> new ArrayList<>()).add(mark.getLine() + 1));
    }

    private void emit(Node node, StringBuilder sb) {
        switch (node) {
            case MappingNode map -> {
                sb.append('{');
                boolean first = true;
                for (NodeTuple t : map.getValue()) {
                    if (!(t.getKeyNode() instanceof ScalarNode key)) {
                        throw new ConfigException(source + ":" + line(t.getKeyNode()) + ": keys must be plain strings");
                    }
                    if (!first) {
                        sb.append(',');
                    }
                    first = false;
                    remember(key.getValue(), key);
                    quote(key.getValue(), sb);
                    sb.append(':');
                    emit(t.getValueNode(), sb);
                }
                sb.append('}');
            }
            case SequenceNode seq -> {
                sb.append('[');
                boolean first = true;
                for (Node n : seq.getValue()) {
                    if (!first) {
                        sb.append(',');
                    }
                    first = false;
                    emit(n, sb);
                }
                sb.append(']');
            }
            case ScalarNode s -> {
                String v = s.getValue();
                remember(v, s);
                Tag tag = s.getTag();
                if (tag.equals(Tag.NULL)) {
                    sb.append("null");
                } else if (tag.equals(Tag.BOOL)) {
                    sb.append(v.equalsIgnoreCase("true") ? "true" : "false");
                } else if (tag.equals(Tag.INT) || tag.equals(Tag.FLOAT)) {
                    // Protobuf's JSON accepts numbers as strings too; quoting keeps 64-bit values and ".inf" intact.
                    quote(v, sb);
                } else {
                    quote(v, sb);
                }
            }
            default -> throw new ConfigException(source + ":" + line(node) + ": unsupported YAML node (anchors?)");
        }
    }

    private static int line(Node n) {
        return n.getStartMark().map(m -> m.getLine() + 1).orElse(-1);
    }

    static void quote(String s, StringBuilder sb) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (ch < 0x20) {
                        sb.append(String.format("\\u%04x", (int) ch));
                    } else {
                        sb.append(ch);
                    }
                }
            }
        }
        sb.append('"');
    }
}
