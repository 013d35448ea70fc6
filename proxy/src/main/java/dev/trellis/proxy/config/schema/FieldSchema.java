package dev.trellis.proxy.config.schema;

/**
 * One field of a message. {@code repeated} is also true for maps, whose elements are entries of {@link #messageType()}
 * (key = field 1, value = field 2). {@code oneof} is the index of the real oneof the field belongs to, or -1.
 * {@code presence}: whether being set is distinct from holding the default (messages, oneof members, proto3
 * {@code optional}), as protobuf's {@code hasPresence()}.
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
        int oneof,
        boolean presence) {

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
