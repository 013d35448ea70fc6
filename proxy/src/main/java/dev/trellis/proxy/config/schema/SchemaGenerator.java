package dev.trellis.proxy.config.schema;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import dev.trellis.proxy.bootstrap.ExtensionTypes;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the schema table at build time (Maven's {@code process-classes} phase runs {@link #main}) from protobuf's
 * descriptors: every message of the .proto files of the bootstrap and of the extension types Trellis implements, and
 * of the files they import.
 */
public final class SchemaGenerator {
    private final Map<Descriptor, Integer> messages = new LinkedHashMap<>();
    private final Map<EnumDescriptor, Integer> enums = new LinkedHashMap<>();
    private final Map<String, Integer> strings = new HashMap<>();
    private final List<String> stringList = new ArrayList<>();

    private SchemaGenerator() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: SchemaGenerator <output directory>");
        }
        Path out = Path.of(args[0], SchemaGenerator.class.getPackageName().replace('.', '/'), SchemaFormat.RESOURCE);
        Files.createDirectories(out.getParent());
        Files.write(out, generate());
    }

    /** The table for the bootstrap and {@link ExtensionTypes#TYPES}. */
    public static byte[] generate() {
        List<Descriptor> roots = new ArrayList<>();
        roots.add(Bootstrap.getDescriptor());
        List<Descriptor> anyTypes = new ArrayList<>();
        for (Descriptor d : ExtensionTypes.descriptors()) {
            roots.add(d);
            anyTypes.add(d);
        }
        return new SchemaGenerator().write(roots, anyTypes);
    }

    private byte[] write(List<Descriptor> roots, List<Descriptor> anyTypes) {
        Deque<Descriptor> todo = new ArrayDeque<>(roots);
        // Every message of the roots' .proto files and of the files they import, as protobuf's JSON type registry
        // holds them: any of these may be named by an Any's "@type" in a bootstrap (the compilers then say whether
        // Trellis implements it).
        java.util.Set<String> files = new java.util.HashSet<>();
        for (Descriptor root : roots) {
            addFile(root.getFile(), files, todo);
        }
        while (!todo.isEmpty()) {
            Descriptor d = todo.poll();
            if (messages.containsKey(d)) {
                continue;
            }
            messages.put(d, messages.size());
            for (FieldDescriptor f : d.getFields()) {
                if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
                    todo.add(f.getMessageType());
                } else if (f.getJavaType() == FieldDescriptor.JavaType.ENUM) {
                    enums.putIfAbsent(f.getEnumType(), enums.size());
                }
            }
        }
        List<Integer> body = new ArrayList<>();
        List<Integer> enumOffsets = new ArrayList<>();
        for (EnumDescriptor e : enums.keySet()) {
            enumOffsets.add(body.size());
            body.add(string(e.getFullName()));
            body.add(e.getValues().size());
            for (EnumValueDescriptor v : e.getValues()) {
                body.add(string(v.getName()));
                body.add(v.getNumber());
            }
        }
        List<Integer> messageOffsets = new ArrayList<>();
        List<int[]> nameIndex = new ArrayList<>();
        List<int[]> classIndex = new ArrayList<>();
        for (Map.Entry<Descriptor, Integer> m : messages.entrySet()) {
            Descriptor d = m.getKey();
            String javaClass = javaClassName(d);
            messageOffsets.add(body.size());
            nameIndex.add(new int[] {d.getFullName().hashCode(), m.getValue()});
            classIndex.add(new int[] {javaClass.hashCode(), m.getValue()});
            body.add(string(d.getFullName()));
            body.add(string(javaClass));
            body.add(WellKnown.of(d.getFullName()).ordinal());
            body.add(d.getFields().size());
            for (FieldDescriptor f : d.getFields()) {
                body.add(string(f.getName()));
                body.add(string(f.getJsonName()));
                body.add(f.getNumber());
                body.add(Kind.valueOf(f.getType().name()).ordinal());
                body.add(
                        f.isMapField()
                                ? SchemaFormat.LABEL_MAP
                                : f.isRepeated() ? SchemaFormat.LABEL_REPEATED : SchemaFormat.LABEL_SINGULAR);
                body.add(
                        switch (f.getJavaType()) {
                            case MESSAGE -> messages.get(f.getMessageType());
                            case ENUM -> enums.get(f.getEnumType());
                            default -> -1;
                        });
                OneofDescriptor o = f.getRealContainingOneof();
                body.add(o == null ? -1 : o.getIndex());
                body.add(f.hasPresence() ? 1 : 0);
            }
        }
        Comparator<int[]> byHash = Comparator.<int[]>comparingInt(e -> e[0]).thenComparingInt(e -> e[1]);
        nameIndex.sort(byHash);
        classIndex.sort(byHash);

        ByteArrayOutputStream blob = new ByteArrayOutputStream();
        List<Integer> stringOffsets = new ArrayList<>();
        for (String s : stringList) {
            stringOffsets.add(blob.size());
            blob.writeBytes(s.getBytes(StandardCharsets.UTF_8));
        }
        stringOffsets.add(blob.size());

        List<Integer> ints = new ArrayList<>();
        ints.add(stringList.size());
        ints.add(enums.size());
        ints.add(messages.size());
        ints.add(anyTypes.size());
        ints.addAll(stringOffsets);
        int bodyStart = SchemaFormat.HEADER_INTS
                + stringOffsets.size()
                + enumOffsets.size()
                + messageOffsets.size()
                + 4 * messages.size()
                + anyTypes.size();
        enumOffsets.forEach(o -> ints.add(bodyStart + o));
        messageOffsets.forEach(o -> ints.add(bodyStart + o));
        nameIndex.forEach(e -> {
            ints.add(e[0]);
            ints.add(e[1]);
        });
        classIndex.forEach(e -> {
            ints.add(e[0]);
            ints.add(e[1]);
        });
        anyTypes.forEach(d -> ints.add(messages.get(d)));
        if (ints.size() != bodyStart) {
            throw new IllegalStateException("layout mismatch: " + ints.size() + " != " + bodyStart);
        }
        ints.addAll(body);

        ByteBuffer buf = ByteBuffer.allocate(16 + 4 * ints.size() + blob.size()).order(ByteOrder.LITTLE_ENDIAN);
        buf.putInt(SchemaFormat.MAGIC).putInt(SchemaFormat.VERSION).putInt(ints.size());
        ints.forEach(buf::putInt);
        buf.putInt(blob.size()).put(blob.toByteArray());
        return buf.array();
    }

    private static void addFile(FileDescriptor file, java.util.Set<String> files, Deque<Descriptor> todo) {
        if (!files.add(file.getFullName())) {
            return;
        }
        for (FileDescriptor dependency : file.getDependencies()) {
            addFile(dependency, files, todo);
        }
        Deque<Descriptor> nested = new ArrayDeque<>(file.getMessageTypes());
        while (!nested.isEmpty()) {
            Descriptor d = nested.poll();
            todo.add(d);
            nested.addAll(d.getNestedTypes());
        }
    }

    private int string(String s) {
        return strings.computeIfAbsent(s, k -> {
            stringList.add(k);
            return stringList.size() - 1;
        });
    }

    /**
     * The generated class's binary name, checked against the class itself so a wrong rule fails the build; empty for a
     * map's entry type, which has no class of its own.
     */
    static String javaClassName(Descriptor d) {
        if (d.getOptions().getMapEntry()) {
            return "";
        }
        FileDescriptor file = d.getFile();
        var options = file.getOptions();
        String pkg = options.hasJavaPackage() ? options.getJavaPackage() : file.getPackage();
        StringBuilder nested = new StringBuilder(d.getName());
        for (Descriptor c = d.getContainingType(); c != null; c = c.getContainingType()) {
            nested.insert(0, c.getName() + "$");
        }
        String name =
                options.getJavaMultipleFiles() ? pkg + "." + nested : pkg + "." + outerClassName(file) + "$" + nested;
        try {
            Class.forName(name, false, SchemaGenerator.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("no generated class " + name + " for " + d.getFullName(), e);
        }
        return name;
    }

    private static String outerClassName(FileDescriptor file) {
        if (file.getOptions().hasJavaOuterClassname()) {
            return file.getOptions().getJavaOuterClassname();
        }
        String outer = ProtocNames.camel(
                file.getName().substring(file.getName().lastIndexOf('/') + 1).replaceFirst("\\.proto$", ""), true);
        for (Descriptor m : file.getMessageTypes()) {
            if (m.getName().equals(outer)) {
                return outer + "OuterClass";
            }
        }
        return outer;
    }
}
