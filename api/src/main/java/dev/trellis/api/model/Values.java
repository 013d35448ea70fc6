package dev.trellis.api.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Immutable copies that keep the order the user wrote (so YAML written back reads like the input) and generic
 * values: free-form fields (protobuf {@code Struct}, unknown Kubernetes fields) are held as {@code String},
 * {@code Long}, {@code Double}, {@code Boolean}, {@code null}, and unmodifiable {@code List}s and {@code Map}s of them.
 */
public final class Values {

    private Values() {}

    /** An unmodifiable, insertion-ordered copy; null stays null. */
    public static <K, V> Map<K, V> immutableMap(Map<K, V> map) {
        if (map == null) {
            return null;
        }
        if (map.isEmpty()) {
            return Map.of();
        }
        return Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }

    /** An unmodifiable copy that allows null elements (generic values may contain them). */
    public static <T> List<T> immutableList(List<T> list) {
        if (list == null) {
            return null;
        }
        return Collections.unmodifiableList(new ArrayList<>(list));
    }

    /** A deep unmodifiable copy of a generic value. */
    @SuppressWarnings("unchecked")
    public static Object immutableValue(Object value) {
        if (value instanceof Map<?, ?> m) {
            LinkedHashMap<String, Object> copy = new LinkedHashMap<>();
            m.forEach((k, v) -> copy.put(String.valueOf(k), immutableValue(v)));
            return Collections.unmodifiableMap(copy);
        }
        if (value instanceof List<?> l) {
            List<Object> copy = new ArrayList<>(l.size());
            for (Object o : l) {
                copy.add(immutableValue(o));
            }
            return Collections.unmodifiableList(copy);
        }
        if (value instanceof Integer i) {
            return i.longValue();
        }
        if (value instanceof Float f) {
            return f.doubleValue();
        }
        return value;
    }

    /** A deep unmodifiable copy of a map of generic values; null stays null. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> immutableGenericMap(Map<String, Object> map) {
        return map == null ? null : (Map<String, Object>) immutableValue(map);
    }
}
