package dev.trellis.api.codec;

/**
 * A field path built as validation descends and turned into text ({@link FieldPaths} syntax) only when a message
 * needs it, so that walking a valid resource allocates no path strings.
 */
public final class FieldPath {

    private final FieldPath parent;
    private final String name; // null for a list index
    private final int index;
    private String text;

    private FieldPath(FieldPath parent, String name, int index) {
        this.parent = parent;
        this.name = name;
        this.index = index;
    }

    /** A root path with the given text, e.g. {@code spec}; "" for the document itself. */
    public static FieldPath root(String text) {
        FieldPath p = new FieldPath(null, text, -1);
        p.text = text;
        return p;
    }

    public FieldPath field(String fieldName) {
        return new FieldPath(this, fieldName, -1);
    }

    public FieldPath index(int i) {
        return new FieldPath(this, null, i);
    }

    @Override
    public String toString() {
        if (text == null) {
            String p = parent.toString();
            text = name != null ? FieldPaths.field(p, name) : FieldPaths.index(p, index);
        }
        return text;
    }
}
