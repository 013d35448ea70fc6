package dev.trellis.proxy.config.schema;

import java.util.List;

/** An enum's value names and numbers, in declaration order. */
public record EnumSchema(String fullName, List<String> names, List<Integer> numbers) {
    /** The number of the value with this name, or null. */
    public Integer number(String name) {
        int i = names.indexOf(name);
        return i < 0 ? null : numbers.get(i);
    }
}
