package dev.trellis.api.codec;

import dev.trellis.api.model.Resource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.common.FlowStyle;

/**
 * Writes resources back as YAML (one document each, separated by {@code ---}) or JSON (one object, or a
 * {@code kind: List} for several). Every field of the model and every verbatim-kept field is written, so reading the
 * output gives equal records.
 */
public final class ConfigWriter {

    private ConfigWriter() {}

    /** The resource as a generic tree: apiVersion, kind, metadata, spec (or top-level fields), then the rest. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> toTree(Resource<?> resource) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("apiVersion", resource.apiVersion());
        out.put("kind", resource.kind());
        out.put("metadata", Binder.toTree(resource.metadata()));
        if (resource.spec() != null) {
            Kinds.KindInfo info = Kinds.forSpec(resource.spec().getClass());
            Object spec = Binder.toTree(resource.spec());
            if (info != null && info.specAtTopLevel()) {
                out.putAll((Map<String, Object>) spec);
            } else {
                out.put("spec", spec);
            }
        }
        resource.other().forEach((k, v) -> out.put(k, Binder.toTree(v)));
        return Collections.unmodifiableMap(out);
    }

    /** Any model value (a spec record, a nested message, an enum, a duration) as a generic tree. */
    public static Object toTree(Object value) {
        return value instanceof Resource<?> r ? toTree(r) : Binder.toTree(value);
    }

    public static String toYaml(List<? extends Resource<?>> resources) {
        DumpSettings settings = DumpSettings.builder()
                .setDefaultFlowStyle(FlowStyle.BLOCK)
                .setIndent(2)
                .setIndicatorIndent(0)
                .setWidth(120)
                .setSplitLines(false)
                .setExplicitStart(false)
                // the schema the loader reads with: strings such as "True" or "0x1F" get quoted
                .setSchema(new org.snakeyaml.engine.v2.schema.CoreSchema())
                .build();
        Dump dump = new Dump(settings);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < resources.size(); i++) {
            if (i > 0) {
                sb.append("---\n");
            }
            sb.append(dump.dumpToString(toTree(resources.get(i))));
        }
        return sb.toString();
    }

    public static String toYaml(Resource<?> resource) {
        return toYaml(List.of(resource));
    }

    public static String toJson(List<? extends Resource<?>> resources) {
        Object root;
        if (resources.size() == 1) {
            root = toTree(resources.getFirst());
        } else {
            List<Object> items = new ArrayList<>();
            for (Resource<?> r : resources) {
                items.add(toTree(r));
            }
            Map<String, Object> list = new LinkedHashMap<>();
            list.put("apiVersion", "v1");
            list.put("kind", "List");
            list.put("items", items);
            root = list;
        }
        StringBuilder sb = new StringBuilder();
        Json.write(root, sb, 0);
        return sb.append('\n').toString();
    }

    public static String toJson(Resource<?> resource) {
        return toJson(List.of(resource));
    }

    /** A small JSON writer for generic trees (pretty-printed with two-space indentation). */
    public static final class Json {
        private Json() {}

        public static String write(Object value) {
            StringBuilder sb = new StringBuilder();
            write(value, sb, 0);
            return sb.toString();
        }

        static void write(Object v, StringBuilder sb, int indent) {
            if (v == null) {
                sb.append("null");
            } else if (v instanceof String s) {
                string(s, sb);
            } else if (v instanceof Double d) {
                if (d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 1e15) {
                    sb.append(String.format(java.util.Locale.ROOT, "%.1f", d));
                } else {
                    sb.append(d);
                }
            } else if (v instanceof Number || v instanceof Boolean) {
                sb.append(v);
            } else if (v instanceof Map<?, ?> m) {
                if (m.isEmpty()) {
                    sb.append("{}");
                    return;
                }
                sb.append("{\n");
                int i = 0;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    pad(sb, indent + 2);
                    string(String.valueOf(e.getKey()), sb);
                    sb.append(": ");
                    write(e.getValue(), sb, indent + 2);
                    sb.append(++i < m.size() ? ",\n" : "\n");
                }
                pad(sb, indent);
                sb.append('}');
            } else if (v instanceof List<?> l) {
                if (l.isEmpty()) {
                    sb.append("[]");
                    return;
                }
                sb.append("[\n");
                for (int i = 0; i < l.size(); i++) {
                    pad(sb, indent + 2);
                    write(l.get(i), sb, indent + 2);
                    sb.append(i + 1 < l.size() ? ",\n" : "\n");
                }
                pad(sb, indent);
                sb.append(']');
            } else {
                string(String.valueOf(v), sb);
            }
        }

        private static void pad(StringBuilder sb, int n) {
            sb.append(" ".repeat(n));
        }

        static void string(String s, StringBuilder sb) {
            sb.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> sb.append("\\\"");
                    case '\\' -> sb.append("\\\\");
                    case '\n' -> sb.append("\\n");
                    case '\r' -> sb.append("\\r");
                    case '\t' -> sb.append("\\t");
                    default -> {
                        if (c < 0x20) {
                            sb.append(String.format("\\u%04x", (int) c));
                        } else {
                            sb.append(c);
                        }
                    }
                }
            }
            sb.append('"');
        }
    }
}
