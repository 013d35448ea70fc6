package dev.trellis.proxy.config.schema;

/**
 * One field of a message. {@code repeated} is also true for maps, whose elements are entries of {@link #messageType()}
 * (key = field 1, value = field 2). {@code oneof} is the index of the real oneof the field belongs to, or -1.
 */
public record FieldSchema(
        ProtoSchema schema,
        String name,
        String jsonName,
        int number,
        Kind kind,
        boolean repeated,
        boolean map,
        int typeIndex,
        int oneof) {

    public MessageSchema messageType() {
        if (kind != Kind.MESSAGE) {
            throw new IllegalStateException(name + " is not a message field");
        }
        return schema.messageAt(typeIndex);
    }

    public EnumSchema enumType() {
        if (kind != Kind.ENUM) {
            throw new IllegalStateException(name + " is not an enum field");
        }
        return schema.enumAt(typeIndex);
    }

    @Override
    public String toString() {
        return name + " = " + number;
    }
}
