package dev.trellis.proxy.config.schema;

/** Messages whose proto3 JSON form is not an object of their fields. */
public enum WellKnown {
    NONE,
    ANY,
    DURATION,
    TIMESTAMP,
    FIELD_MASK,
    STRUCT,
    VALUE,
    LIST_VALUE,
    /** {@code google.protobuf.*Value}: the JSON form is the bare value of field 1. */
    WRAPPER;

    static WellKnown of(String fullName) {
        return switch (fullName) {
            case "google.protobuf.Any" -> ANY;
            case "google.protobuf.Duration" -> DURATION;
            case "google.protobuf.Timestamp" -> TIMESTAMP;
            case "google.protobuf.FieldMask" -> FIELD_MASK;
            case "google.protobuf.Struct" -> STRUCT;
            case "google.protobuf.Value" -> VALUE;
            case "google.protobuf.ListValue" -> LIST_VALUE;
            case "google.protobuf.DoubleValue",
                    "google.protobuf.FloatValue",
                    "google.protobuf.Int64Value",
                    "google.protobuf.UInt64Value",
                    "google.protobuf.Int32Value",
                    "google.protobuf.UInt32Value",
                    "google.protobuf.BoolValue",
                    "google.protobuf.StringValue",
                    "google.protobuf.BytesValue" -> WRAPPER;
            default -> NONE;
        };
    }
}
