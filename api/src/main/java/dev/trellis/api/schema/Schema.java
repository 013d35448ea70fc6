package dev.trellis.api.schema;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** One node of an OpenAPI v3 structural schema, as Kubernetes CRDs use them; immutable after loading. */
public final class Schema {

    /** A CEL rule from {@code x-kubernetes-validations}: its source text and the message Istio shows. */
    public record Rule(String rule, String message) {}

    final String type;
    final Map<String, Schema> properties;
    final Schema items;
    final Schema additionalProperties;
    final Set<String> required;
    final List<String> enumValues;
    final String format;
    final Double minimum;
    final Double maximum;
    final Integer minLength;
    final Integer maxLength;
    final Integer minItems;
    final Integer maxItems;
    final Integer minProperties;
    final Integer maxProperties;
    final Pattern pattern;
    final String patternText;
    final List<List<String>> oneofs;
    final List<Rule> rules;
    final boolean duration;
    final boolean intOrString;
    final boolean preserveUnknownFields;
    final String listType;
    final List<String> listMapKeys;

    @SuppressWarnings("unchecked")
    Schema(Map<String, Object> m) {
        type = (String) m.get("type");
        Map<String, Object> props = (Map<String, Object>) m.get("properties");
        if (props != null) {
            Map<String, Schema> p = new LinkedHashMap<>();
            props.forEach((k, v) -> p.put(k, new Schema((Map<String, Object>) v)));
            properties = p;
        } else {
            properties = null;
        }
        items = m.get("items") instanceof Map<?, ?> i ? new Schema((Map<String, Object>) i) : null;
        additionalProperties =
                m.get("additionalProperties") instanceof Map<?, ?> a ? new Schema((Map<String, Object>) a) : null;
        required = m.containsKey("required") ? new LinkedHashSet<>((List<String>) m.get("required")) : Set.of();
        enumValues = (List<String>) m.get("enum");
        format = (String) m.get("format");
        minimum = number(m.get("minimum"));
        maximum = number(m.get("maximum"));
        minLength = integer(m.get("minLength"));
        maxLength = integer(m.get("maxLength"));
        minItems = integer(m.get("minItems"));
        maxItems = integer(m.get("maxItems"));
        minProperties = integer(m.get("minProperties"));
        maxProperties = integer(m.get("maxProperties"));
        patternText = (String) m.get("pattern");
        pattern = patternText == null ? null : Pattern.compile(patternText);
        oneofs = m.containsKey("x-trellis-oneof") ? (List<List<String>>) m.get("x-trellis-oneof") : List.of();
        List<Rule> r = new ArrayList<>();
        if (m.get("x-kubernetes-validations") instanceof List<?> list) {
            for (Object o : list) {
                Map<String, Object> rm = (Map<String, Object>) o;
                r.add(new Rule((String) rm.get("rule"), (String) rm.get("message")));
            }
        }
        rules = List.copyOf(r);
        duration = Boolean.TRUE.equals(m.get("x-trellis-duration"));
        intOrString = Boolean.TRUE.equals(m.get("x-kubernetes-int-or-string"));
        preserveUnknownFields = Boolean.TRUE.equals(m.get("x-kubernetes-preserve-unknown-fields"));
        listType = (String) m.get("x-kubernetes-list-type");
        listMapKeys = m.containsKey("x-kubernetes-list-map-keys")
                ? (List<String>) m.get("x-kubernetes-list-map-keys")
                : List.of();
    }

    private static Double number(Object o) {
        return o instanceof Number n ? n.doubleValue() : null;
    }

    private static Integer integer(Object o) {
        return o instanceof Number n ? n.intValue() : null;
    }

    /** The schema of a property, or null when the object has no such property. */
    public Schema property(String name) {
        return properties == null ? null : properties.get(name);
    }

    public String type() {
        return type;
    }

    public List<Rule> rules() {
        return rules;
    }
}
