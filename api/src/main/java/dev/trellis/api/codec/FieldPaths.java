package dev.trellis.api.codec;

import dev.trellis.api.model.FieldLines;
import java.util.ArrayList;
import java.util.List;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Field paths as messages print them: {@code spec.http[0].route[1].weight}; a map key that is not a plain word is
 * quoted: {@code metadata.labels["app.kubernetes.io/name"]}.
 */
public final class FieldPaths {

    private FieldPaths() {}

    public static String field(String parent, String name) {
        if (isPlain(name)) {
            return parent.isEmpty() ? name : parent + "." + name;
        }
        return parent + "[\"" + name.replace("\\", "\\\\").replace("\"", "\\\"") + "\"]";
    }

    public static String index(String parent, int i) {
        return parent + "[" + i + "]";
    }

    private static boolean isPlain(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(Character.isLetterOrDigit(c) || c == '_' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /** Splits a path into segments: field names (String) and list indexes (Integer). */
    public static List<Object> parse(String path) {
        List<Object> out = new ArrayList<>();
        int i = 0;
        int n = path.length();
        while (i < n) {
            char c = path.charAt(i);
            if (c == '.') {
                i++;
            } else if (c == '[') {
                if (i + 1 < n && path.charAt(i + 1) == '"') {
                    StringBuilder sb = new StringBuilder();
                    int j = i + 2;
                    while (j < n && path.charAt(j) != '"') {
                        if (path.charAt(j) == '\\' && j + 1 < n) {
                            j++;
                        }
                        sb.append(path.charAt(j++));
                    }
                    out.add(sb.toString());
                    i = path.indexOf(']', j) + 1;
                    if (i == 0) {
                        break;
                    }
                } else {
                    int close = path.indexOf(']', i);
                    if (close < 0) {
                        break;
                    }
                    try {
                        out.add(Integer.parseInt(path.substring(i + 1, close)));
                    } catch (NumberFormatException e) {
                        out.add(path.substring(i + 1, close));
                    }
                    i = close + 1;
                }
            } else {
                int j = i;
                while (j < n && path.charAt(j) != '.' && path.charAt(j) != '[') {
                    j++;
                }
                out.add(path.substring(i, j));
                i = j;
            }
        }
        return out;
    }

    /**
     * Field lines answered from the document's node tree: a field's line is its key's line; a list element's line is
     * the element's. Navigation stops at the deepest present field.
     */
    public static FieldLines linesOf(Node document) {
        return path -> {
            Node current = document;
            int line = Nodes.line(document);
            for (Object seg : parse(path)) {
                if (seg instanceof Integer idx && current instanceof SequenceNode s) {
                    if (idx < 0 || idx >= s.getValue().size()) {
                        return line;
                    }
                    current = s.getValue().get(idx);
                    line = Nodes.line(current);
                } else if (current instanceof MappingNode m) {
                    String key = String.valueOf(seg);
                    Node next = null;
                    for (NodeTuple t : m.getValue()) {
                        if (t.getKeyNode() instanceof ScalarNode k
                                && k.getValue().equals(key)) {
                            next = t.getValueNode();
                            line = Nodes.line(k);
                            break;
                        }
                    }
                    if (next == null) {
                        return line;
                    }
                    current = next;
                } else {
                    return line;
                }
            }
            return line;
        };
    }
}
