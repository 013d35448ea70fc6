package dev.trellis.api.codec;

import dev.trellis.api.model.Duration;
import dev.trellis.api.model.IntOrString;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Binds YAML nodes to the model's records and turns records back into generic trees, by reflection over record
 * components, looked up once per class ({@link ClassValue}) so binding many resources costs no repeated lookups.
 *
 * <p>Records bind strictly: an unknown field is an error unless the record has an {@link Unknown} map, which then
 * keeps it verbatim. Null values mean "unset".
 */
final class Binder {

    /** Receives binding problems: field path, node (for its line), message. */
    interface Errors {
        void report(String path, Node at, String message);
    }

    private record Component(String wire, Type type, Method accessor) {}

    private static final class RecordModel {
        final Constructor<?> constructor;
        final Component[] components;
        final Map<String, Integer> indexByWire = new HashMap<>();
        final int unknownIndex;

        RecordModel(Class<?> cls) {
            RecordComponent[] rcs = cls.getRecordComponents();
            components = new Component[rcs.length];
            Class<?>[] types = new Class<?>[rcs.length];
            int unknown = -1;
            for (int i = 0; i < rcs.length; i++) {
                RecordComponent rc = rcs[i];
                Wire wire = rc.getAnnotation(Wire.class);
                String name = wire != null ? wire.value() : rc.getName();
                Method accessor = rc.getAccessor();
                accessor.setAccessible(true);
                components[i] = new Component(name, rc.getGenericType(), accessor);
                types[i] = rc.getType();
                if (rc.isAnnotationPresent(Unknown.class)) {
                    unknown = i;
                } else {
                    indexByWire.put(name, i);
                }
            }
            unknownIndex = unknown;
            try {
                constructor = cls.getDeclaredConstructor(types);
                constructor.setAccessible(true);
            } catch (NoSuchMethodException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static final class EnumModel {
        final Map<String, Enum<?>> byWire = new HashMap<>();
        final Map<Enum<?>, String> wireOf = new HashMap<>();

        EnumModel(Class<?> cls) {
            for (Object o : cls.getEnumConstants()) {
                Enum<?> e = (Enum<?>) o;
                String wire = e.name();
                try {
                    Wire w = cls.getField(e.name()).getAnnotation(Wire.class);
                    if (w != null) {
                        wire = w.value();
                    }
                } catch (NoSuchFieldException ignored) {
                    // every constant is a field
                }
                byWire.put(wire, e);
                wireOf.put(e, wire);
            }
        }
    }

    private static final ClassValue<RecordModel> RECORDS = new ClassValue<>() {
        @Override
        protected RecordModel computeValue(Class<?> type) {
            return new RecordModel(type);
        }
    };

    private static final ClassValue<EnumModel> ENUMS = new ClassValue<>() {
        @Override
        protected EnumModel computeValue(Class<?> type) {
            return new EnumModel(type);
        }
    };

    private Binder() {}

    /** The node as a value of {@code type}; null (and a reported error) when it does not fit. */
    static Object bind(Type type, Node node, FieldPath path, Errors errors) {
        if (Nodes.isNull(node)) {
            return null;
        }
        if (type instanceof ParameterizedType p) {
            Class<?> raw = (Class<?>) p.getRawType();
            Type arg = p.getActualTypeArguments()[raw == Map.class ? 1 : 0];
            if (raw == List.class) {
                if (!(node instanceof SequenceNode s)) {
                    report(errors, path, node, "expected a list, got " + Nodes.describe(node));
                    return null;
                }
                List<Object> out = new ArrayList<>(s.getValue().size());
                for (int i = 0; i < s.getValue().size(); i++) {
                    Node item = s.getValue().get(i);
                    Object v = bind(arg, item, path.index(i), errors);
                    if (v == null) {
                        if (Nodes.isNull(item)) {
                            report(errors, path.index(i), item, "list entries must not be null");
                        }
                        continue;
                    }
                    out.add(v);
                }
                return out;
            }
            if (raw == Map.class) {
                if (!(node instanceof MappingNode m)) {
                    report(errors, path, node, "expected an object, got " + Nodes.describe(node));
                    return null;
                }
                Map<String, Object> out = new LinkedHashMap<>();
                for (NodeTuple t : m.getValue()) {
                    String key = Nodes.keyText(t.getKeyNode());
                    Object v = bind(arg, t.getValueNode(), path.field(key), errors);
                    if (v != null) {
                        out.put(key, v);
                    }
                }
                return out;
            }
            throw new IllegalStateException("unsupported type " + type);
        }
        Class<?> cls = (Class<?>) type;
        if (cls == String.class) {
            String s = Nodes.string(node);
            if (s == null) {
                String hint = node instanceof ScalarNode ? " (quote it to make it a string)" : "";
                report(errors, path, node, "expected a string, got " + Nodes.describe(node) + hint);
            }
            return s;
        }
        if (cls == Integer.class || cls == Long.class) {
            if (!(node instanceof ScalarNode s) || Nodes.kind(s) != Nodes.ScalarKind.INT) {
                report(errors, path, node, "expected an integer, got " + Nodes.describe(node));
                return null;
            }
            Long l = Nodes.parseLong(s.getValue());
            if (l == null || (cls == Integer.class && (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE))) {
                report(errors, path, node, "the number " + s.getValue() + " is too large");
                return null;
            }
            return cls == Integer.class ? (Object) l.intValue() : l;
        }
        if (cls == Double.class) {
            if (!(node instanceof ScalarNode s)
                    || (Nodes.kind(s) != Nodes.ScalarKind.INT && Nodes.kind(s) != Nodes.ScalarKind.FLOAT)) {
                report(errors, path, node, "expected a number, got " + Nodes.describe(node));
                return null;
            }
            return Nodes.parseDouble(s.getValue());
        }
        if (cls == Boolean.class) {
            Boolean b = Nodes.booleanValue(node);
            if (b == null) {
                report(errors, path, node, "expected true or false, got " + Nodes.describe(node));
            }
            return b;
        }
        if (cls == Duration.class) {
            String s = Nodes.string(node);
            if (s == null) {
                report(errors, path, node, "expected a duration such as \"1.5s\", got " + Nodes.describe(node));
                return null;
            }
            try {
                return Duration.parse(s);
            } catch (IllegalArgumentException e) {
                report(errors, path, node, e.getMessage());
                return null;
            }
        }
        if (cls == IntOrString.class) {
            if (node instanceof ScalarNode s && Nodes.kind(s) == Nodes.ScalarKind.INT) {
                Long l = Nodes.parseLong(s.getValue());
                if (l != null) {
                    return IntOrString.of(l);
                }
            }
            String s = Nodes.string(node);
            if (s == null) {
                report(errors, path, node, "expected an integer or a string, got " + Nodes.describe(node));
                return null;
            }
            return IntOrString.of(s);
        }
        if (cls == Object.class) {
            return Nodes.toValue(node);
        }
        if (cls.isEnum()) {
            String s = Nodes.string(node);
            Enum<?> e = s == null ? null : ENUMS.get(cls).byWire.get(s);
            if (e == null) {
                report(
                        errors,
                        path,
                        node,
                        "invalid value " + (s == null ? Nodes.describe(node) : "\"" + s + "\"") + "; expected one of "
                                + String.join(
                                        ", ",
                                        ENUMS.get(cls).wireOf.values().stream()
                                                .sorted()
                                                .toList()));
            }
            return e;
        }
        if (cls.isRecord()) {
            return bindRecord(cls, node, path, errors);
        }
        throw new IllegalStateException("unsupported type " + cls);
    }

    static Object bindRecord(Class<?> cls, Node node, String path, Errors errors) {
        return bindRecord(cls, node, FieldPath.root(path), errors);
    }

    static Object bindRecord(Class<?> cls, Node node, FieldPath path, Errors errors) {
        if (!(node instanceof MappingNode m)) {
            report(errors, path, node, "expected an object, got " + Nodes.describe(node));
            return null;
        }
        RecordModel model = RECORDS.get(cls);
        Object[] args = new Object[model.components.length];
        Map<String, Object> unknown = null;
        for (NodeTuple t : m.getValue()) {
            String key = Nodes.keyText(t.getKeyNode());
            FieldPath childPath = path.field(key);
            Integer idx = model.indexByWire.get(key);
            if (idx == null) {
                if (model.unknownIndex >= 0) {
                    if (unknown == null) {
                        unknown = new LinkedHashMap<>();
                    }
                    unknown.put(key, Nodes.toValue(t.getValueNode()));
                } else {
                    report(errors, childPath, t.getKeyNode(), "unknown field \"" + key + "\"");
                }
                continue;
            }
            args[idx] = bind(model.components[idx].type(), t.getValueNode(), childPath, errors);
        }
        if (model.unknownIndex >= 0) {
            args[model.unknownIndex] = unknown;
        }
        try {
            return model.constructor.newInstance(args);
        } catch (InvocationTargetException e) {
            report(errors, path, node, String.valueOf(e.getCause().getMessage()));
            return null;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void report(Errors errors, FieldPath path, Node at, String message) {
        errors.report(path.toString(), at, message);
    }

    /** A model value as a generic tree (ordered maps, lists, scalars), as it is written to YAML or JSON. */
    static Object toTree(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof String || value instanceof Boolean || value instanceof Number) {
            return value;
        }
        if (value instanceof Duration d) {
            return d.toString();
        }
        if (value instanceof IntOrString i) {
            return i.value();
        }
        if (value instanceof Enum<?> e) {
            return ENUMS.get(e.getDeclaringClass()).wireOf.get(e);
        }
        if (value instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            for (Object o : l) {
                out.add(toTree(o));
            }
            return out;
        }
        if (value instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(String.valueOf(k), toTree(v)));
            return out;
        }
        if (value.getClass().isRecord()) {
            RecordModel model = RECORDS.get(value.getClass());
            Map<String, Object> out = new LinkedHashMap<>();
            for (int i = 0; i < model.components.length; i++) {
                Object v;
                try {
                    v = model.components[i].accessor().invoke(value);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
                if (v == null) {
                    continue;
                }
                if (i == model.unknownIndex) {
                    ((Map<?, ?>) v).forEach((k, x) -> out.put(String.valueOf(k), toTree(x)));
                } else {
                    out.put(model.components[i].wire(), toTree(v));
                }
            }
            return Collections.unmodifiableMap(out);
        }
        throw new IllegalStateException("cannot write " + value.getClass());
    }
}
