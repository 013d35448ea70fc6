package dev.trellis.api.codec;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.common.Anchor;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.events.AliasEvent;
import org.snakeyaml.engine.v2.events.CollectionStartEvent;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.events.MappingStartEvent;
import org.snakeyaml.engine.v2.events.NodeEvent;
import org.snakeyaml.engine.v2.events.ScalarEvent;
import org.snakeyaml.engine.v2.events.SequenceStartEvent;
import org.snakeyaml.engine.v2.exceptions.ComposerException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Builds snakeyaml-engine node trees from its parser's events, resolving plain scalars by YAML 1.2's core schema
 * with hand-written checks. It gives the same trees as snakeyaml-engine's own composer (a test compares them) at
 * a fraction of the cost, which resolves every plain scalar with regular expressions; parsing big configurations
 * is dominated by that.
 */
final class Composer {

    private final Iterator<Event> events;
    /** snakeyaml-engine's default: more aliases to collections than this is an alias bomb, not configuration. */
    private static final int MAX_COLLECTION_ALIASES = 50;

    private final Map<Anchor, Node> anchors = new HashMap<>();
    private final java.util.Set<Node> open = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    private int collectionAliases;
    private Event peeked;

    private Composer(Iterator<Event> events) {
        this.events = events;
    }

    /** Every document of the text; empty documents are null entries. */
    static List<Node> composeAll(LoadSettings settings, String text) {
        Composer c = new Composer(new Parse(settings).parseString(text).iterator());
        List<Node> out = new ArrayList<>();
        c.expect(Event.ID.StreamStart);
        while (c.peek().getEventId() != Event.ID.StreamEnd) {
            c.expect(Event.ID.DocumentStart);
            out.add(c.peek().getEventId() == Event.ID.DocumentEnd ? null : c.node());
            c.expect(Event.ID.DocumentEnd);
            c.anchors.clear();
            c.collectionAliases = 0;
        }
        return out;
    }

    private Event peek() {
        while (peeked == null) {
            Event e = events.next();
            if (e.getEventId() != Event.ID.Comment) {
                peeked = e;
            }
        }
        return peeked;
    }

    private Event next() {
        Event e = peek();
        peeked = null;
        return e;
    }

    private void expect(Event.ID id) {
        Event e = next();
        if (e.getEventId() != id) {
            throw new ComposerException("expected " + id + " but found " + e.getEventId(), e.getStartMark());
        }
    }

    private Node node() {
        Event e = next();
        switch (e.getEventId()) {
            case Alias -> {
                Anchor a = ((AliasEvent) e).getAlias();
                Node target = anchors.get(a);
                if (target == null) {
                    throw new ComposerException("found undefined alias " + a, e.getStartMark());
                }
                if (open.contains(target)) {
                    throw new ComposerException("alias " + a + " refers to a node that contains it", e.getStartMark());
                }
                if (!(target instanceof ScalarNode) && ++collectionAliases > MAX_COLLECTION_ALIASES) {
                    throw new ComposerException(
                            "more than " + MAX_COLLECTION_ALIASES + " aliases to collections", e.getStartMark());
                }
                return target;
            }
            case Scalar -> {
                ScalarEvent s = (ScalarEvent) e;
                Node n = new ScalarNode(
                        scalarTag(s), true, s.getValue(), s.getScalarStyle(), s.getStartMark(), s.getEndMark());
                anchor(s, n);
                return n;
            }
            case SequenceStart -> {
                SequenceStartEvent s = (SequenceStartEvent) e;
                List<Node> items = new ArrayList<>();
                SequenceNode n = new SequenceNode(
                        collectionTag(s, Tag.SEQ), true, items, s.getFlowStyle(), s.getStartMark(), Optional.empty());
                anchor(s, n);
                open.add(n);
                while (peek().getEventId() != Event.ID.SequenceEnd) {
                    items.add(node());
                }
                open.remove(n);
                n.setEndMark(next().getEndMark());
                return n;
            }
            case MappingStart -> {
                MappingStartEvent m = (MappingStartEvent) e;
                List<NodeTuple> tuples = new ArrayList<>();
                MappingNode n = new MappingNode(
                        collectionTag(m, Tag.MAP), true, tuples, m.getFlowStyle(), m.getStartMark(), Optional.empty());
                anchor(m, n);
                open.add(n);
                while (peek().getEventId() != Event.ID.MappingEnd) {
                    Node key = node();
                    Node value = node();
                    tuples.add(new NodeTuple(key, value));
                }
                open.remove(n);
                n.setEndMark(next().getEndMark());
                return n;
            }
            default -> throw new ComposerException("unexpected " + e.getEventId(), e.getStartMark());
        }
    }

    private void anchor(NodeEvent e, Node n) {
        e.getAnchor().ifPresent(a -> {
            anchors.put(a, n);
            n.setAnchor(Optional.of(a));
        });
    }

    private static Tag collectionTag(CollectionStartEvent e, Tag implicit) {
        return e.getTag().filter(t -> !t.equals("!")).map(Tag::new).orElse(implicit);
    }

    private static Tag scalarTag(ScalarEvent e) {
        Optional<String> explicit = e.getTag();
        if (explicit.isPresent() && !explicit.get().equals("!")) {
            return new Tag(explicit.get());
        }
        if (e.getScalarStyle() != ScalarStyle.PLAIN || explicit.isPresent()) {
            return Tag.STR;
        }
        return resolvePlain(e.getValue());
    }

    /** YAML 1.2 core schema resolution of a plain scalar, as snakeyaml-engine's CoreScalarResolver does it. */
    static Tag resolvePlain(String v) {
        if (v.isEmpty()) {
            return Tag.NULL;
        }
        char c = v.charAt(0);
        switch (c) {
            case 't', 'T', 'f', 'F' -> {
                return switch (v) {
                    case "true", "True", "TRUE", "false", "False", "FALSE" -> Tag.BOOL;
                    default -> Tag.STR;
                };
            }
            case 'n', 'N', '~' -> {
                return switch (v) {
                    case "~", "null", "Null", "NULL" -> Tag.NULL;
                    default -> Tag.STR;
                };
            }
            case ' ' -> {
                return v.equals(" ") ? Tag.NULL : Tag.STR;
            }
            case '<' -> {
                return v.equals("<<") ? Tag.MERGE : Tag.STR;
            }
            default -> {
                if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.') {
                    if (isInt(v)) {
                        return Tag.INT;
                    }
                    if (isFloat(v)) {
                        return Tag.FLOAT;
                    }
                }
                return Tag.STR;
            }
        }
    }

    private static boolean isInt(String v) {
        if (v.startsWith("0o")) {
            return v.length() > 2 && allIn(v, 2, "01234567");
        }
        if (v.startsWith("0x")) {
            return v.length() > 2 && allIn(v, 2, "0123456789abcdefABCDEF");
        }
        int i = v.charAt(0) == '-' || v.charAt(0) == '+' ? 1 : 0;
        return v.length() > i && allIn(v, i, "0123456789");
    }

    private static boolean allIn(String v, int from, String chars) {
        for (int i = from; i < v.length(); i++) {
            if (chars.indexOf(v.charAt(i)) < 0) {
                return false;
            }
        }
        return true;
    }

    /** {@code [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?}, {@code [-+]?.inf}, {@code .nan}. */
    private static boolean isFloat(String v) {
        switch (v) {
            case ".inf",
                    ".Inf",
                    ".INF",
                    "-.inf",
                    "-.Inf",
                    "-.INF",
                    "+.inf",
                    "+.Inf",
                    "+.INF",
                    ".nan",
                    ".NaN",
                    ".NAN" -> {
                return true;
            }
            default -> {
                // fall through to the number form
            }
        }
        int i = 0;
        int n = v.length();
        if (v.charAt(0) == '-' || v.charAt(0) == '+') {
            i++;
        }
        int intDigits = 0;
        while (i < n && Character.isDigit(v.charAt(i)) && v.charAt(i) < 128) {
            i++;
            intDigits++;
        }
        int fracDigits = 0;
        boolean dot = false;
        if (i < n && v.charAt(i) == '.') {
            dot = true;
            i++;
            while (i < n && v.charAt(i) >= '0' && v.charAt(i) <= '9') {
                i++;
                fracDigits++;
            }
        }
        if (intDigits == 0 && !(dot && fracDigits > 0)) {
            return false;
        }
        if (i < n && (v.charAt(i) == 'e' || v.charAt(i) == 'E')) {
            i++;
            if (i < n && (v.charAt(i) == '-' || v.charAt(i) == '+')) {
                i++;
            }
            int expDigits = 0;
            while (i < n && v.charAt(i) >= '0' && v.charAt(i) <= '9') {
                i++;
                expDigits++;
            }
            if (expDigits == 0) {
                return false;
            }
        }
        return i == n;
    }
}
