package dev.trellis.proxy.config.schema;

/** A field's protobuf type, in the order of {@code FieldDescriptorProto.Type} minus groups. */
public enum Kind {
    DOUBLE,
    FLOAT,
    INT64,
    UINT64,
    INT32,
    FIXED64,
    FIXED32,
    BOOL,
    STRING,
    MESSAGE,
    BYTES,
    UINT32,
    ENUM,
    SFIXED32,
    SFIXED64,
    SINT32,
    SINT64
}
