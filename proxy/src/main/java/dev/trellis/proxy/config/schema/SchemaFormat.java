package dev.trellis.proxy.config.schema;

/**
 * The table's layout, shared by the writer and the reader. Everything structural is one little-endian int array (read
 * in one bulk copy, no per-entry parsing), followed by the UTF-8 bytes of every name; names are decoded on first use.
 *
 * <pre>
 * int magic, int version, int intCount, int[intCount] ints, int blobLength, byte[blobLength] blob
 * ints: S strings, E enums, M messages, A any-types,
 *       S+1 string offsets into blob, E enum offsets, M message offsets (into ints),
 *       M x (hash, index) sorted by full-name hash, M x (hash, index) sorted by Java class name hash, A message indexes,
 *       enums:    name, valueCount, valueCount x (name, number)
 *       messages: name, javaClass, wellKnown, fieldCount, fieldCount x (name, jsonName, number, kind, label, type, oneof, presence)
 * </pre>
 *
 * Hashes are {@link String#hashCode()}, which Java specifies, so the build and the run agree.
 */
final class SchemaFormat {
    private SchemaFormat() {}

    static final int MAGIC = 0x54525331; // "TRS1"
    static final int VERSION = 2;
    static final String RESOURCE = "envoy.schema";

    static final int LABEL_SINGULAR = 0;
    static final int LABEL_REPEATED = 1;
    static final int LABEL_MAP = 2;

    static final int FIELD_INTS = 8;
    static final int HEADER_INTS = 4;
}
