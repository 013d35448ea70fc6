package dev.trellis.proxy.bootstrap;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Duration;
import com.google.protobuf.FieldMask;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.Durations;
import com.google.protobuf.util.FieldMaskUtil;
import com.google.protobuf.util.Timestamps;
import dev.trellis.proxy.config.ConfigException;
import dev.trellis.proxy.config.schema.EnumSchema;
import dev.trellis.proxy.config.schema.FieldSchema;
import dev.trellis.proxy.config.schema.Kind;
import dev.trellis.proxy.config.schema.MessageSchema;
import dev.trellis.proxy.config.schema.ProtoSchema;
import dev.trellis.proxy.config.schema.WellKnown;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Reads a YAML (or JSON) tree into a message's protobuf wire form, following the proto3 JSON mapping as Envoy reads its
 * config: fields by proto or JSON name, enums by name or number, 64-bit integers and numbers as strings, the well-known
 * types' own forms ({@code "1.5s"}, {@code "@type"}, bare wrapper values, free-form {@code Struct}s). The result is
 * parsed by the generated classes, so no protobuf descriptor is built; errors name the file, line, column, the path
 * of the field and what was expected.
 */
final class YamlProtoReader {
    private static final BigInteger UINT64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    /** Deeper than any real config; bounds the recursion that a YAML alias cycle would make endless. */
    private static final int MAX_DEPTH = 100;

    private final ProtoSchema schema;
    private final String source;

    private YamlProtoReader(ProtoSchema schema, String source) {
        this.schema = schema;
        this.source = source;
    }

    /** The wire form of {@code type} read from {@code root}. */
    static byte[] read(ProtoSchema schema, Node root, MessageSchema type, String source) {
        return new YamlProtoReader(schema, source).message(root, type, "", 0);
    }

    private byte[] message(Node node, MessageSchema type, String path, int depth) {
        if (depth > MAX_DEPTH) {
            throw error(node, path, "nested more than " + MAX_DEPTH + " levels deep (a YAML alias cycle?)");
        }
        Writer w = new Writer();
        try {
            wellKnown(w, node, type, path, depth);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.bytes();
    }

    private void wellKnown(Writer w, Node node, MessageSchema type, String path, int depth) throws IOException {
        switch (type.wellKnown()) {
            case NONE -> object(w, node, type, path, depth, null);
            case ANY -> any(w, node, path, depth);
            case DURATION -> {
                Duration d = parse(node, path, "a duration such as 1.5s", Durations::parse);
                w.secondsAndNanos(d.getSeconds(), d.getNanos());
            }
            case TIMESTAMP -> {
                Timestamp t = parse(node, path, "an RFC 3339 timestamp", Timestamps::parse);
                w.secondsAndNanos(t.getSeconds(), t.getNanos());
            }
            case FIELD_MASK -> {
                FieldMask m = parse(node, path, "a field mask", FieldMaskUtil::fromJsonString);
                for (String p : m.getPathsList()) {
                    w.out.writeString(1, p);
                }
            }
            case STRUCT -> struct(w, node, path, depth);
            case VALUE -> value(w, node, path, depth);
            case LIST_VALUE -> list(w, node, path, depth);
            case WRAPPER -> scalar(w, type.field(1), node, path, false);
        }
    }

    /** A message as a mapping of its fields; {@code skip} is a key that is not a field (an Any's "@type"). */
    private void object(Writer w, Node node, MessageSchema type, String path, int depth, String skip) {
        if (!(node instanceof MappingNode map)) {
            throw error(node, path, "expected a mapping of " + type.fullName() + "'s fields, found " + what(node));
        }
        Map<FieldSchema, Node> seen = new HashMap<>();
        Map<Integer, FieldSchema> oneofs = new HashMap<>();
        List<Map.Entry<FieldSchema, Node>> set = new ArrayList<>();
        for (NodeTuple t : map.getValue()) {
            String key = key(t.getKeyNode(), path);
            if (key.equals(skip)) {
                continue;
            }
            FieldSchema f = type.field(key);
            if (f == null) {
                throw error(
                        t.getKeyNode(), path, "unknown field '" + key + "' in " + type.fullName() + hint(type, key));
            }
            Node earlier = seen.put(f, t.getKeyNode());
            if (earlier != null) {
                throw error(
                        t.getKeyNode(),
                        path,
                        "field '" + f.name() + "' is set twice (also at line " + line(earlier) + ")");
            }
            Node value = t.getValueNode();
            if (isNull(value) && !takesNull(f)) {
                continue; // proto3 JSON: null leaves the field unset
            }
            if (f.oneof() >= 0) {
                FieldSchema other = oneofs.putIfAbsent(f.oneof(), f);
                if (other != null) {
                    throw error(
                            t.getKeyNode(),
                            path,
                            "'" + other.name() + "' and '" + f.name()
                                    + "' are alternatives (one of a oneof): set only one");
                }
            }
            set.add(Map.entry(f, value));
        }
        // In field-number order, as protobuf writes a message: the same config always has the same bytes (an Any's
        // value is compared as bytes when a listener or cluster update is checked for changes).
        set.sort(Comparator.comparingInt(e -> e.getKey().number()));
        for (Map.Entry<FieldSchema, Node> e : set) {
            FieldSchema f = e.getKey();
            field(w, f, e.getValue(), path.isEmpty() ? f.name() : path + "." + f.name(), depth);
        }
    }

    private void field(Writer w, FieldSchema f, Node value, String path, int depth) {
        if (f.map()) {
            if (!(value instanceof MappingNode map)) {
                throw error(value, path, "expected a mapping (a map field), found " + what(value));
            }
            MessageSchema entry = f.messageType();
            FieldSchema keyField = entry.field(1);
            FieldSchema valueField = entry.field(2);
            for (NodeTuple t : map.getValue()) {
                String key = key(t.getKeyNode(), path);
                String at = path + "[" + key + "]";
                if (isNull(t.getValueNode()) && !takesNull(valueField)) {
                    throw error(t.getValueNode(), at, "map values cannot be null");
                }
                // A map entry has both its key and its value, defaults included, as protobuf writes it.
                Writer e = new Writer();
                scalar(e, keyField, t.getKeyNode(), at, true);
                if (valueField.kind() == Kind.MESSAGE) {
                    single(e, valueField, t.getValueNode(), at, depth);
                } else {
                    scalar(e, valueField, t.getValueNode(), at, true);
                }
                w.bytes(f.number(), e.bytes());
            }
        } else if (f.repeated()) {
            if (!(value instanceof SequenceNode seq)) {
                throw error(value, path, "expected a list (a repeated field), found " + what(value));
            }
            List<Node> items = seq.getValue();
            for (int i = 0; i < items.size(); i++) {
                String at = path + "[" + i + "]";
                if (isNull(items.get(i)) && !takesNull(f)) {
                    throw error(items.get(i), at, "list elements cannot be null");
                }
                single(w, f, items.get(i), at, depth);
            }
        } else {
            single(w, f, value, path, depth);
        }
    }

    private void single(Writer w, FieldSchema f, Node value, String path, int depth) {
        if (f.kind() == Kind.MESSAGE) {
            w.bytes(f.number(), message(value, f.messageType(), path, depth + 1));
        } else {
            scalar(w, f, value, path, f.repeated() || f.presence());
        }
    }

    private void any(Writer w, Node node, String path, int depth) {
        if (!(node instanceof MappingNode map)) {
            throw error(node, path, "expected a mapping with \"@type\", found " + what(node));
        }
        Node typeNode = null;
        Node valueNode = null;
        for (NodeTuple t : map.getValue()) {
            String key = key(t.getKeyNode(), path);
            if (key.equals("@type")) {
                typeNode = t.getValueNode();
            } else if (key.equals("value")) {
                valueNode = t.getValueNode();
            }
        }
        if (typeNode == null) {
            if (map.getValue().isEmpty()) {
                return; // {} is an empty Any in proto3 JSON
            }
            throw error(node, path, "an extension's config needs \"@type\" naming its type");
        }
        String url = text(typeNode, path + ".@type");
        String name = url.substring(url.lastIndexOf('/') + 1);
        MessageSchema type = schema.message(name);
        if (type == null) {
            throw error(
                    typeNode,
                    path,
                    "unsupported extension type '" + url + "' (Trellis implements: "
                            + String.join(
                                    ", ",
                                    schema.anyTypes().stream()
                                            .map(MessageSchema::fullName)
                                            .toList()) + ")");
        }
        byte[] value;
        if (type.wellKnown() == WellKnown.NONE) {
            Writer inner = new Writer();
            object(inner, node, type, path, depth + 1, "@type");
            value = inner.bytes();
        } else {
            if (valueNode == null) {
                throw error(node, path, "a " + type.fullName() + " in an Any needs \"value\"");
            }
            value = message(valueNode, type, path + ".value", depth + 1);
        }
        w.string(1, url);
        w.bytes(2, value);
    }

    private void struct(Writer w, Node node, String path, int depth) {
        if (!(node instanceof MappingNode map)) {
            throw error(node, path, "expected a mapping (a Struct), found " + what(node));
        }
        for (NodeTuple t : map.getValue()) {
            String key = key(t.getKeyNode(), path);
            Writer e = new Writer();
            e.string(1, key);
            e.bytes(2, message(t.getValueNode(), schema.message("google.protobuf.Value"), path + "." + key, depth + 1));
            w.bytes(1, e.bytes());
        }
    }

    private void list(Writer w, Node node, String path, int depth) {
        if (!(node instanceof SequenceNode seq)) {
            throw error(node, path, "expected a list, found " + what(node));
        }
        MessageSchema valueType = schema.message("google.protobuf.Value");
        List<Node> items = seq.getValue();
        for (int i = 0; i < items.size(); i++) {
            w.bytes(1, message(items.get(i), valueType, path + "[" + i + "]", depth + 1));
        }
    }

    /** google.protobuf.Value: whatever the YAML holds, by its resolved tag (so {@code 1} is a number, "1" a string). */
    private void value(Writer w, Node node, String path, int depth) {
        try {
            switch (node) {
                case MappingNode m -> {
                    Writer s = new Writer();
                    struct(s, m, path, depth);
                    w.bytes(5, s.bytes());
                }
                case SequenceNode l -> {
                    Writer s = new Writer();
                    list(s, l, path, depth);
                    w.bytes(6, s.bytes());
                }
                case ScalarNode s when s.getTag().equals(Tag.NULL) -> w.out.writeEnum(1, 0);
                case ScalarNode s when s.getTag().equals(Tag.BOOL) -> w.out.writeBool(4, bool(s, path));
                case ScalarNode s
                when s.getTag().equals(Tag.INT) || s.getTag().equals(Tag.FLOAT) ->
                    w.out.writeDouble(2, floating(s, path, "a number", false));
                case ScalarNode s -> w.out.writeString(3, s.getValue());
                default -> throw error(node, path, "unsupported YAML node " + what(node));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * One scalar value. {@code keepDefault} false: a field without presence holding its default is left out, as
     * protobuf writes a message, so the same config always has the same bytes.
     */
    private void scalar(Writer w, FieldSchema f, Node node, String path, boolean keepDefault) {
        int n = f.number();
        if (f.kind() == Kind.ENUM) {
            int v = enumValue(node, f.enumType(), path);
            if (keepDefault || v != 0) {
                w.enumValue(n, v);
            }
            return;
        }
        String text = text(node, path);
        ScalarNode s = (ScalarNode) node;
        try {
            CodedOutputStream out = w.out;
            switch (f.kind()) {
                case STRING -> {
                    if (keepDefault || !text.isEmpty()) {
                        out.writeString(n, text);
                    }
                }
                case BYTES -> {
                    byte[] v = base64(s, path);
                    if (keepDefault || v.length > 0) {
                        out.writeByteArray(n, v);
                    }
                }
                case BOOL -> {
                    boolean v = bool(s, path);
                    if (keepDefault || v) {
                        out.writeBool(n, v);
                    }
                }
                case FLOAT -> {
                    float v = (float) floating(s, path, "a float", true);
                    if (keepDefault || Float.floatToRawIntBits(v) != 0) {
                        out.writeFloat(n, v);
                    }
                }
                case DOUBLE -> {
                    double v = floating(s, path, "a double", false);
                    if (keepDefault || Double.doubleToRawLongBits(v) != 0) {
                        out.writeDouble(n, v);
                    }
                }
                default -> {
                    long v =
                            switch (f.kind()) {
                                case INT32, SINT32, SFIXED32 ->
                                    integer(s, path, "an int32", Integer.MIN_VALUE, Integer.MAX_VALUE);
                                case UINT32, FIXED32 -> integer(s, path, "a uint32", 0, 0xFFFF_FFFFL);
                                case INT64, SINT64, SFIXED64 ->
                                    integer(s, path, "an int64", Long.MIN_VALUE, Long.MAX_VALUE);
                                case UINT64, FIXED64 -> uint64(s, path);
                                default -> throw new IllegalStateException(f + " is not a scalar");
                            };
                    if (keepDefault || v != 0) {
                        switch (f.kind()) {
                            case INT32 -> out.writeInt32(n, (int) v);
                            case SINT32 -> out.writeSInt32(n, (int) v);
                            case SFIXED32 -> out.writeSFixed32(n, (int) v);
                            case UINT32 -> out.writeUInt32(n, (int) v);
                            case FIXED32 -> out.writeFixed32(n, (int) v);
                            case INT64 -> out.writeInt64(n, v);
                            case SINT64 -> out.writeSInt64(n, v);
                            case SFIXED64 -> out.writeSFixed64(n, v);
                            case UINT64 -> out.writeUInt64(n, v);
                            default -> out.writeFixed64(n, v);
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private int enumValue(Node node, EnumSchema type, String path) {
        if (isNull(node) && type.fullName().equals("google.protobuf.NullValue")) {
            return 0;
        }
        String text = text(node, path);
        Integer number = type.number(text);
        if (number != null) {
            return number;
        }
        try {
            return Integer.parseInt(text); // proto3 enums are open: any number is kept
        } catch (NumberFormatException e) {
            throw error(
                    node,
                    path,
                    "'" + text + "' is not a " + type.fullName() + " (one of " + String.join(", ", type.names()) + ")");
        }
    }

    private boolean bool(ScalarNode s, String path) {
        return switch (s.getValue()) {
            case "true", "True", "TRUE" -> true;
            case "false", "False", "FALSE" -> false;
            default -> throw error(s, path, "'" + s.getValue() + "' is not a bool (true or false)");
        };
    }

    /** Integers as JSON allows them: digits, or any number with no fraction ("1e3", "2.0"). */
    private long integer(ScalarNode s, String path, String what, long min, long max) {
        String text = s.getValue();
        long v;
        try {
            v = Long.parseLong(text);
        } catch (NumberFormatException e) {
            try {
                v = new BigDecimal(text).longValueExact();
            } catch (NumberFormatException | ArithmeticException e2) {
                throw error(s, path, "'" + text + "' is not " + what);
            }
        }
        if (v < min || v > max) {
            throw error(s, path, "'" + text + "' is out of range for " + what);
        }
        return v;
    }

    private long uint64(ScalarNode s, String path) {
        String text = s.getValue();
        BigInteger v;
        try {
            v = new BigDecimal(text).toBigIntegerExact();
        } catch (NumberFormatException | ArithmeticException e) {
            throw error(s, path, "'" + text + "' is not a uint64");
        }
        if (v.signum() < 0 || v.compareTo(UINT64_MAX) > 0) {
            throw error(s, path, "'" + text + "' is out of range for a uint64");
        }
        return v.longValue();
    }

    private double floating(ScalarNode s, String path, String what, boolean single) {
        String text = s.getValue();
        double v =
                switch (text.toLowerCase(Locale.ROOT)) {
                    // JSON's names, and YAML's when the YAML resolved them as floats.
                    case "nan", ".nan" -> Double.NaN;
                    case "infinity", ".inf", "+.inf" -> Double.POSITIVE_INFINITY;
                    case "-infinity", "-.inf" -> Double.NEGATIVE_INFINITY;
                    default -> {
                        try {
                            yield Double.parseDouble(text);
                        } catch (NumberFormatException e) {
                            throw error(s, path, "'" + text + "' is not " + what);
                        }
                    }
                };
        if (single && Double.isFinite(v) && Math.abs(v) > Float.MAX_VALUE * (1.0 + 1e-6)) {
            throw error(s, path, "'" + text + "' is out of range for a float");
        }
        return v;
    }

    private byte[] base64(ScalarNode s, String path) {
        try {
            return Base64.getDecoder().decode(s.getValue());
        } catch (IllegalArgumentException e) {
            try {
                return Base64.getUrlDecoder().decode(s.getValue());
            } catch (IllegalArgumentException e2) {
                throw error(s, path, "bytes must be base64");
            }
        }
    }

    private interface Parse<T> {
        T parse(String text) throws ParseException;
    }

    private <T> T parse(Node node, String path, String what, Parse<T> parse) {
        String text = text(node, path);
        try {
            return parse.parse(text);
        } catch (ParseException | IllegalArgumentException e) {
            throw error(node, path, "'" + text + "' is not " + what);
        }
    }

    private String key(Node key, String path) {
        if (!(key instanceof ScalarNode s)) {
            throw error(key, path, "keys must be plain strings");
        }
        return s.getValue();
    }

    private String text(Node node, String path) {
        if (!(node instanceof ScalarNode s)) {
            throw error(node, path, "expected a value, found " + what(node));
        }
        return s.getValue();
    }

    private static boolean isNull(Node node) {
        return node instanceof ScalarNode s && s.getTag().equals(Tag.NULL);
    }

    /** Fields where JSON null is a value rather than "unset": google.protobuf.Value and NullValue. */
    private static boolean takesNull(FieldSchema f) {
        return switch (f.kind()) {
            case MESSAGE -> f.messageType().wellKnown() == WellKnown.VALUE;
            case ENUM -> f.enumType().fullName().equals("google.protobuf.NullValue");
            default -> false;
        };
    }

    private static String what(Node node) {
        return switch (node) {
            case MappingNode m -> "a mapping";
            case SequenceNode s -> "a list";
            case ScalarNode s when s.getTag().equals(Tag.NULL) -> "null";
            case ScalarNode s -> "'" + s.getValue() + "'";
            default -> node.getNodeType().toString();
        };
    }

    /** "did you mean" for a misspelt field: the closest name within two edits. */
    private static String hint(MessageSchema type, String key) {
        String best = null;
        int bestDistance = 3;
        for (FieldSchema f : type.fields()) {
            int d = Math.min(distance(key, f.name()), distance(key, f.jsonName()));
            if (d < bestDistance) {
                bestDistance = d;
                best = f.name();
            }
        }
        return best == null ? "" : " (did you mean '" + best + "'?)";
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

    private static int line(Node node) {
        return node.getStartMark().map(m -> m.getLine() + 1).orElse(-1);
    }

    private ConfigException error(Node node, String path, String message) {
        String where = node.getStartMark()
                .map(m -> source + ":" + (m.getLine() + 1) + ":" + (m.getColumn() + 1))
                .orElse(source);
        return new ConfigException(where + ": " + (path.isEmpty() ? "" : path + ": ") + message);
    }

    /** One message's bytes being written. */
    private static final class Writer {
        final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        final CodedOutputStream out = CodedOutputStream.newInstance(buffer);

        void bytes(int number, byte[] value) {
            try {
                out.writeByteArray(number, value);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        void string(int number, String value) {
            try {
                out.writeString(number, value);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** A Duration's or Timestamp's fields; zeros left out as protobuf leaves them out. */
        void secondsAndNanos(long seconds, int nanos) throws IOException {
            if (seconds != 0) {
                out.writeInt64(1, seconds);
            }
            if (nanos != 0) {
                out.writeInt32(2, nanos);
            }
        }

        void enumValue(int number, int value) {
            try {
                out.writeEnum(number, value);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        byte[] bytes() {
            try {
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return buffer.toByteArray();
        }
    }
}
