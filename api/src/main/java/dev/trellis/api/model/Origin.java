package dev.trellis.api.model;

/**
 * Where a resource or one of its fields was read: a file (or {@code <stdin>}) and a 1-based line; 0 when unknown
 * (a resource built in code).
 */
public record Origin(String file, int line) {

    public static final Origin UNKNOWN = new Origin("<unknown>", 0);

    public Origin {
        file = file == null ? "<unknown>" : file;
    }

    public Origin atLine(int otherLine) {
        return otherLine == line ? this : new Origin(file, otherLine);
    }

    @Override
    public String toString() {
        return line > 0 ? file + ":" + line : file;
    }
}
