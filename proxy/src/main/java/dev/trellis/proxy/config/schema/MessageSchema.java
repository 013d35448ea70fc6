package dev.trellis.proxy.config.schema;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** One message type: its full proto name, generated Java class and fields. */
public final class MessageSchema {
    private final String fullName;
    private final String javaClass;
    private final WellKnown wellKnown;
    private final List<FieldSchema> fields;
    private volatile Map<String, FieldSchema> byName;

    MessageSchema(String fullName, String javaClass, WellKnown wellKnown, List<FieldSchema> fields) {
        this.fullName = fullName;
        this.javaClass = javaClass;
        this.wellKnown = wellKnown;
        this.fields = fields;
    }

    public String fullName() {
        return fullName;
    }

    /** The simple name, as protobuf's {@code Descriptor.getName()}. */
    public String name() {
        return fullName.substring(fullName.lastIndexOf('.') + 1);
    }

    public String javaClass() {
        return javaClass;
    }

    public WellKnown wellKnown() {
        return wellKnown;
    }

    public List<FieldSchema> fields() {
        return fields;
    }

    /** A field by its proto name or its JSON (lowerCamel) name, as proto3 JSON accepts both; null when absent. */
    public FieldSchema field(String name) {
        Map<String, FieldSchema> m = byName;
        if (m == null) {
            m = new HashMap<>();
            for (FieldSchema f : fields) {
                m.put(f.name(), f);
                m.putIfAbsent(f.jsonName(), f);
            }
            byName = m;
        }
        return m.get(name);
    }

    /** A field by number, or null. */
    public FieldSchema field(int number) {
        for (FieldSchema f : fields) {
            if (f.number() == number) {
                return f;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return fullName;
    }
}
