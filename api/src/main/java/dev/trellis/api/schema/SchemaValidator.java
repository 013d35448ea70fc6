package dev.trellis.api.schema;

import dev.trellis.api.codec.FieldPath;
import dev.trellis.api.codec.Nodes;
import dev.trellis.api.model.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Checks a YAML node against a structural schema the way the Kubernetes API server checks a custom resource:
 * unknown fields, types, enums, required fields, bounds, patterns, oneofs, durations and CEL rules. Null values are
 * treated as unset, as Kubernetes does.
 */
public final class SchemaValidator {

    /** Receives each problem: the field path, the node it concerns (for its line) and the message. */
    @FunctionalInterface
    public interface Sink {
        void report(String path, Node at, String message);
    }

    private SchemaValidator() {}

    /** Validates {@code node} (the value at {@code path}) against {@code schema}; returns false when any problem. */
    public static boolean validate(Schema schema, Node node, String path, Sink sink) {
        return validate(schema, node, node, FieldPath.root(path), sink);
    }

    /**
     * As {@link #validate(Schema, Node, String, Sink)}, with messages about the value as a whole located at {@code
     * anchor} (the field's key, so that the line is the one naming the field).
     */
    public static boolean validate(Schema schema, Node node, Node anchor, String path, Sink sink) {
        return validate(schema, node, anchor, FieldPath.root(path), sink);
    }

    private static boolean validate(Schema schema, Node node, Node anchor, FieldPath path, Sink sink) {
        if (Nodes.isNull(node)) {
            return true;
        }
        boolean ok;
        if (schema.intOrString) {
            ok = checkIntOrString(node, anchor, path, sink);
        } else if (schema.type == null) {
            ok = true; // preserve-unknown-fields without a type: anything goes
        } else {
            ok = switch (schema.type) {
                case "object" -> checkObject(schema, node, anchor, path, sink);
                case "array" -> checkArray(schema, node, anchor, path, sink);
                case "string" -> checkString(schema, node, anchor, path, sink);
                case "integer" -> checkInteger(schema, node, anchor, path, sink);
                case "number" -> checkNumber(schema, node, anchor, path, sink);
                case "boolean" -> checkBoolean(node, anchor, path, sink);
                default -> true;
            };
        }
        if (ok && !schema.rules.isEmpty()) {
            Object value = Nodes.toValue(node);
            for (Schema.Rule rule : schema.rules) {
                String failure = CelRules.check(rule, value);
                if (failure != null) {
                    report(sink, path, anchor, failure);
                    ok = false;
                }
            }
        }
        return ok;
    }

    private static boolean checkObject(Schema schema, Node node, Node anchor, FieldPath path, Sink sink) {
        if (!(node instanceof MappingNode m)) {
            report(sink, path, anchor, "expected an object, got " + Nodes.describe(node));
            return false;
        }
        boolean ok = true;
        List<NodeTuple> tuples = m.getValue();
        // Objects are small: a linear scan finds duplicates faster than a set, except for big maps.
        Set<String> seen = tuples.size() > 16 ? new HashSet<>() : null;
        for (int ti = 0; ti < tuples.size(); ti++) {
            NodeTuple t = tuples.get(ti);
            Node keyNode = t.getKeyNode();
            String key = Nodes.keyText(keyNode);
            FieldPath childPath = path.field(key);
            if (seen != null ? !seen.add(key) : isDuplicate(tuples, ti, key)) {
                report(sink, childPath, keyNode, "field \"" + key + "\" is set more than once");
                ok = false;
                continue;
            }
            Schema child = schema.properties != null ? schema.properties.get(key) : null;
            if (child == null && schema.additionalProperties != null) {
                if (!(keyNode instanceof ScalarNode)) {
                    report(sink, childPath, keyNode, "map keys must be strings");
                    ok = false;
                    continue;
                }
                child = schema.additionalProperties;
            }
            if (child == null) {
                if (schema.preserveUnknownFields) {
                    continue;
                }
                report(sink, childPath, keyNode, unknownField(key, schema));
                ok = false;
                continue;
            }
            ok &= validate(child, t.getValueNode(), keyNode, childPath, sink);
        }
        for (String req : schema.required) {
            if (!isPresent(tuples, req)) {
                report(sink, path.field(req), anchor, "required field \"" + req + "\" is missing");
                ok = false;
            }
        }
        for (List<String> group : schema.oneofs) {
            List<String> set = new ArrayList<>();
            for (String f : group) {
                if (isPresent(tuples, f)) {
                    set.add(f);
                }
            }
            if (set.size() > 1) {
                report(
                        sink,
                        path,
                        anchor,
                        "only one of " + String.join(", ", group) + " may be set, found " + String.join(" and ", set));
                ok = false;
            }
        }
        int size = tuples.size();
        if (schema.maxProperties != null && size > schema.maxProperties) {
            report(sink, path, anchor, "must have at most " + schema.maxProperties + " entries, has " + size);
            ok = false;
        }
        if (schema.minProperties != null && size < schema.minProperties) {
            report(sink, path, anchor, "must have at least " + schema.minProperties + " entries, has " + size);
            ok = false;
        }
        return ok;
    }

    private static boolean isDuplicate(List<NodeTuple> tuples, int upTo, String key) {
        for (int i = 0; i < upTo; i++) {
            if (tuples.get(i).getKeyNode() instanceof ScalarNode k
                    && k.getValue().equals(key)) {
                return true;
            }
        }
        return false;
    }

    /** Set and not null (Kubernetes treats null as unset). */
    private static boolean isPresent(List<NodeTuple> tuples, String key) {
        for (NodeTuple t : tuples) {
            if (Nodes.keyText(t.getKeyNode()).equals(key)) {
                return !Nodes.isNull(t.getValueNode());
            }
        }
        return false;
    }

    private static String unknownField(String key, Schema schema) {
        String msg = "unknown field \"" + key + "\"";
        if (schema.properties == null || schema.properties.isEmpty()) {
            return msg;
        }
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : schema.properties.keySet()) {
            int d = distance(key.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = candidate;
            }
        }
        if (best != null && bestDistance <= Math.max(2, key.length() / 4)) {
            return msg + " (did you mean \"" + best + "\"?)";
        }
        return msg + " (known fields: " + String.join(", ", schema.properties.keySet()) + ")";
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private static boolean checkArray(Schema schema, Node node, Node anchor, FieldPath path, Sink sink) {
        if (!(node instanceof SequenceNode s)) {
            report(sink, path, anchor, "expected a list, got " + Nodes.describe(node));
            return false;
        }
        boolean ok = true;
        List<Node> items = s.getValue();
        for (int i = 0; i < items.size(); i++) {
            Node item = items.get(i);
            FieldPath itemPath = path.index(i);
            if (Nodes.isNull(item)) {
                report(sink, itemPath, item, "list entries must not be null");
                ok = false;
                continue;
            }
            if (schema.items != null) {
                ok &= validate(schema.items, item, item, itemPath, sink);
            }
        }
        if (schema.maxItems != null && items.size() > schema.maxItems) {
            report(sink, path, anchor, "must have at most " + schema.maxItems + " entries, has " + items.size());
            ok = false;
        }
        if (schema.minItems != null && items.size() < schema.minItems) {
            report(sink, path, anchor, "must have at least " + schema.minItems + " entries, has " + items.size());
            ok = false;
        }
        if ("map".equals(schema.listType) && !schema.listMapKeys.isEmpty()) {
            Set<List<String>> seen = new HashSet<>();
            for (int i = 0; i < items.size(); i++) {
                List<String> key = new ArrayList<>();
                for (String k : schema.listMapKeys) {
                    Node v = Nodes.get(items.get(i), k);
                    key.add(v == null ? "" : Nodes.keyText(v));
                }
                if (!seen.add(key)) {
                    report(
                            sink,
                            path.index(i),
                            items.get(i),
                            "duplicate entry: " + String.join(", ", schema.listMapKeys) + " " + String.join(", ", key)
                                    + " is already listed");
                    ok = false;
                }
            }
        }
        return ok;
    }

    private static boolean checkString(Schema schema, Node node, Node anchor, FieldPath path, Sink sink) {
        if (!(node instanceof ScalarNode s) || Nodes.kind(s) != Nodes.ScalarKind.STRING) {
            String hint = node instanceof ScalarNode ? " (quote it to make it a string)" : "";
            report(sink, path, anchor, "expected a string, got " + Nodes.describe(node) + hint);
            return false;
        }
        String v = s.getValue();
        if (schema.enumValues != null && !schema.enumValues.contains(v)) {
            report(
                    sink,
                    path,
                    anchor,
                    "invalid value \"" + v + "\"; expected one of " + String.join(", ", schema.enumValues));
            return false;
        }
        boolean ok = true;
        int len = v.codePointCount(0, v.length());
        if (schema.maxLength != null && len > schema.maxLength) {
            report(sink, path, anchor, "must be at most " + schema.maxLength + " characters long, is " + len);
            ok = false;
        }
        if (schema.minLength != null && len < schema.minLength) {
            report(
                    sink,
                    path,
                    anchor,
                    schema.minLength == 1
                            ? "must not be empty"
                            : "must be at least " + schema.minLength + " characters long, is " + len);
            ok = false;
        }
        if (schema.pattern != null && !schema.pattern.matcher(v).find()) {
            report(sink, path, anchor, "invalid value \"" + v + "\": must match " + schema.patternText);
            ok = false;
        }
        if ("byte".equals(schema.format)) {
            try {
                Base64.getMimeDecoder().decode(v);
            } catch (IllegalArgumentException e) {
                report(sink, path, anchor, "must be base64-encoded bytes");
                ok = false;
            }
        }
        if (schema.duration) {
            try {
                Duration.parse(v);
            } catch (IllegalArgumentException e) {
                report(sink, path, anchor, e.getMessage());
                return false; // the CEL duration rule would only repeat this
            }
        }
        return ok;
    }

    private static boolean checkInteger(Schema schema, Node node, Node anchor, FieldPath path, Sink sink) {
        if (!(node instanceof ScalarNode s) || Nodes.kind(s) != Nodes.ScalarKind.INT) {
            report(sink, path, anchor, "expected an integer, got " + Nodes.describe(node));
            return false;
        }
        Long v = Nodes.parseLong(s.getValue());
        if (v == null) {
            report(sink, path, anchor, "the number " + s.getValue() + " is too large");
            return false;
        }
        return checkBounds(schema, v, s.getValue(), anchor, path, sink);
    }

    private static boolean checkNumber(Schema schema, Node node, Node anchor, FieldPath path, Sink sink) {
        if (!(node instanceof ScalarNode s)
                || (Nodes.kind(s) != Nodes.ScalarKind.INT && Nodes.kind(s) != Nodes.ScalarKind.FLOAT)) {
            report(sink, path, anchor, "expected a number, got " + Nodes.describe(node));
            return false;
        }
        double v = Nodes.parseDouble(s.getValue());
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            report(sink, path, anchor, "expected a finite number, got " + s.getValue());
            return false;
        }
        return checkBounds(schema, v, s.getValue(), anchor, path, sink);
    }

    private static boolean checkBounds(Schema schema, double v, String text, Node anchor, FieldPath path, Sink sink) {
        if (schema.minimum != null && v < schema.minimum) {
            report(sink, path, anchor, "must be at least " + fmt(schema.minimum) + ", got " + text);
            return false;
        }
        if (schema.maximum != null && v > schema.maximum) {
            report(sink, path, anchor, "must be at most " + fmt(schema.maximum) + ", got " + text);
            return false;
        }
        return true;
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    private static boolean checkBoolean(Node node, Node anchor, FieldPath path, Sink sink) {
        if (Nodes.booleanValue(node) == null) {
            report(sink, path, anchor, "expected true or false, got " + Nodes.describe(node));
            return false;
        }
        return true;
    }

    private static boolean checkIntOrString(Node node, Node anchor, FieldPath path, Sink sink) {
        if (node instanceof ScalarNode s
                && (Nodes.kind(s) == Nodes.ScalarKind.INT || Nodes.kind(s) == Nodes.ScalarKind.STRING)) {
            return true;
        }
        report(sink, path, anchor, "expected an integer or a string, got " + Nodes.describe(node));
        return false;
    }

    private static void report(Sink sink, FieldPath path, Node at, String message) {
        sink.report(path.toString(), at, message);
    }

    /** Visible for the generic CEL helpers. */
    static Map<String, Object> asMap(Object o) {
        @SuppressWarnings("unchecked")
        Map<String, Object> m = o instanceof Map<?, ?> ? (Map<String, Object>) o : Map.of();
        return m;
    }
}
