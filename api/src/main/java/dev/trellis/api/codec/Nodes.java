package dev.trellis.api.codec;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/** Helpers over snakeyaml-engine's node tree: positions, scalar kinds, generic values, user-facing descriptions. */
public final class Nodes {

    /** What a scalar is, after YAML's core-schema resolution ({@code 80} is an int, {@code "80"} a string). */
    public enum ScalarKind {
        STRING,
        INT,
        FLOAT,
        BOOL,
        NULL
    }

    private Nodes() {}

    /** The 1-based line where the node starts; 0 when unknown. */
    public static int line(Node node) {
        return node.getStartMark().map(m -> m.getLine() + 1).orElse(0);
    }

    public static ScalarKind kind(ScalarNode node) {
        Tag tag = node.getTag();
        // our composer uses the shared constants: identity answers the common cases without string compares
        if (tag == Tag.STR) {
            return ScalarKind.STRING;
        }
        if (tag == Tag.INT) {
            return ScalarKind.INT;
        }
        if (Tag.STR.equals(tag)) {
            return ScalarKind.STRING;
        }
        if (Tag.INT.equals(tag)) {
            return ScalarKind.INT;
        }
        if (Tag.FLOAT.equals(tag)) {
            return ScalarKind.FLOAT;
        }
        if (Tag.BOOL.equals(tag)) {
            return ScalarKind.BOOL;
        }
        if (Tag.NULL.equals(tag)) {
            return ScalarKind.NULL;
        }
        return ScalarKind.STRING;
    }

    /**
     * The boolean a scalar means in a boolean field: YAML 1.2's {@code true}/{@code false}, and also the YAML 1.1
     * words {@code yes}/{@code no}/{@code on}/{@code off} written plain, because Kubernetes' YAML reader accepts them.
     * Null when the scalar is no boolean.
     */
    public static Boolean booleanValue(Node node) {
        if (!(node instanceof ScalarNode s)) {
            return null;
        }
        if (kind(s) == ScalarKind.BOOL) {
            return Boolean.parseBoolean(s.getValue().toLowerCase(java.util.Locale.ROOT));
        }
        if (kind(s) == ScalarKind.STRING && s.getScalarStyle() == org.snakeyaml.engine.v2.common.ScalarStyle.PLAIN) {
            return switch (s.getValue()) {
                case "yes", "Yes", "YES", "on", "On", "ON", "y", "Y" -> Boolean.TRUE;
                case "no", "No", "NO", "off", "Off", "OFF", "n", "N" -> Boolean.FALSE;
                default -> null;
            };
        }
        return null;
    }

    /**
     * Expands YAML merge keys ({@code <<: *base}, {@code <<: [*a, *b]}) in place, as Kubernetes' YAML reader does:
     * keys written in the mapping itself win over merged ones. YAML 1.2 parsers leave {@code <<} as a plain key.
     */
    public static void expandMergeKeys(Node node) {
        expandMergeKeys(node, java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>()));
    }

    private static void expandMergeKeys(Node node, java.util.Set<Node> done) {
        if (!done.add(node)) {
            return; // aliases share nodes; expand each once
        }
        if (node instanceof SequenceNode s) {
            for (Node n : s.getValue()) {
                expandMergeKeys(n, done);
            }
            return;
        }
        if (!(node instanceof MappingNode m)) {
            return;
        }
        for (NodeTuple t : m.getValue()) {
            expandMergeKeys(t.getValueNode(), done);
        }
        boolean hasMerge = false;
        for (NodeTuple t : m.getValue()) {
            if (isMergeKey(t.getKeyNode())) {
                hasMerge = true;
                break;
            }
        }
        if (!hasMerge) {
            return;
        }
        List<NodeTuple> own = new ArrayList<>();
        List<MappingNode> sources = new ArrayList<>();
        for (NodeTuple t : m.getValue()) {
            if (!isMergeKey(t.getKeyNode())) {
                own.add(t);
            } else if (t.getValueNode() instanceof MappingNode src) {
                sources.add(src);
            } else if (t.getValueNode() instanceof SequenceNode seq) {
                for (Node n : seq.getValue()) {
                    if (n instanceof MappingNode src) {
                        sources.add(src);
                    }
                }
            }
        }
        List<NodeTuple> merged = new ArrayList<>(own);
        java.util.Set<String> keys = new java.util.HashSet<>();
        for (NodeTuple t : own) {
            keys.add(keyText(t.getKeyNode()));
        }
        for (MappingNode src : sources) {
            for (NodeTuple t : src.getValue()) {
                if (keys.add(keyText(t.getKeyNode()))) {
                    merged.add(t);
                }
            }
        }
        m.setValue(merged);
    }

    private static boolean isMergeKey(Node key) {
        return key instanceof ScalarNode s
                && s.getValue().equals("<<")
                && s.getScalarStyle() == org.snakeyaml.engine.v2.common.ScalarStyle.PLAIN;
    }

    /** True for an explicit or empty YAML null, which Kubernetes treats as "unset". */
    public static boolean isNull(Node node) {
        return node == null || (node instanceof ScalarNode s && kind(s) == ScalarKind.NULL);
    }

    /** The scalar's string content when it is a string scalar, else null. */
    public static String string(Node node) {
        return node instanceof ScalarNode s && kind(s) == ScalarKind.STRING ? s.getValue() : null;
    }

    /** The value of a key in a mapping node, or null. */
    public static Node get(Node mapping, String key) {
        if (mapping instanceof MappingNode m) {
            for (NodeTuple t : m.getValue()) {
                if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)) {
                    return t.getValueNode();
                }
            }
        }
        return null;
    }

    /** Parses an INT scalar (decimal, {@code 0x}, {@code 0o}); null when it does not fit a long. */
    public static Long parseLong(String text) {
        if (text.length() < 19 && isPlainDecimal(text)) {
            return Long.parseLong(text);
        }
        try {
            return parseBig(text).longValueExact();
        } catch (ArithmeticException | NumberFormatException e) {
            return null;
        }
    }

    private static boolean isPlainDecimal(String text) {
        int start = text.startsWith("-") || text.startsWith("+") ? 1 : 0;
        if (start == text.length()) {
            return false;
        }
        for (int i = start; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static BigInteger parseBig(String text) {
        String t = text.replace("_", "");
        boolean neg = t.startsWith("-");
        if (t.startsWith("-") || t.startsWith("+")) {
            t = t.substring(1);
        }
        BigInteger v;
        if (t.startsWith("0x")) {
            v = new BigInteger(t.substring(2), 16);
        } else if (t.startsWith("0o")) {
            v = new BigInteger(t.substring(2), 8);
        } else {
            v = new BigInteger(t);
        }
        return neg ? v.negate() : v;
    }

    /** Parses a FLOAT or INT scalar, including YAML's {@code .inf} and {@code .nan}. */
    public static double parseDouble(String text) {
        String t = text.toLowerCase(java.util.Locale.ROOT);
        return switch (t) {
            case ".inf", "+.inf" -> Double.POSITIVE_INFINITY;
            case "-.inf" -> Double.NEGATIVE_INFINITY;
            case ".nan" -> Double.NaN;
            default -> {
                if (t.startsWith("0x") || t.startsWith("0o")) {
                    yield parseBig(t).doubleValue();
                }
                yield Double.parseDouble(t.replace("_", ""));
            }
        };
    }

    /**
     * A generic value: maps (insertion-ordered, unmodifiable), lists, String, Long (or BigInteger when too large),
     * Double, Boolean, null.
     */
    public static Object toValue(Node node) {
        if (node instanceof MappingNode m) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (NodeTuple t : m.getValue()) {
                out.put(keyText(t.getKeyNode()), toValue(t.getValueNode()));
            }
            return Collections.unmodifiableMap(out);
        }
        if (node instanceof SequenceNode s) {
            List<Object> out = new ArrayList<>(s.getValue().size());
            for (Node n : s.getValue()) {
                out.add(toValue(n));
            }
            return Collections.unmodifiableList(out);
        }
        ScalarNode s = (ScalarNode) node;
        return switch (kind(s)) {
            case STRING -> s.getValue();
            case NULL -> null;
            case BOOL -> Boolean.parseBoolean(s.getValue().toLowerCase(java.util.Locale.ROOT));
            case INT -> {
                Long l = parseLong(s.getValue());
                yield l != null ? (Object) l : parseBig(s.getValue());
            }
            case FLOAT -> parseDouble(s.getValue());
        };
    }

    /** A mapping key as text (keys of complex types are described rather than used). */
    public static String keyText(Node key) {
        return key instanceof ScalarNode s ? s.getValue() : describe(key);
    }

    /** The node as a user would call it: {@code a string ("x")}, {@code a number (80)}, {@code a list}, ... */
    public static String describe(Node node) {
        if (node instanceof MappingNode) {
            return "an object";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        ScalarNode s = (ScalarNode) node;
        return switch (kind(s)) {
            case STRING -> "a string (\"" + abbreviate(s.getValue()) + "\")";
            case INT, FLOAT -> "a number (" + abbreviate(s.getValue()) + ")";
            case BOOL -> "a boolean (" + s.getValue() + ")";
            case NULL -> "null";
        };
    }

    static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }
}
