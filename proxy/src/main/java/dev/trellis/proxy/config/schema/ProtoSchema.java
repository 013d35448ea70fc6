package dev.trellis.proxy.config.schema;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Envoy's proto schema as the proxy needs it, from the table {@link SchemaGenerator} wrote at build time. Loading is one
 * bulk read; names and messages are decoded on first use. Thread-safe: decoding is idempotent and published through
 * atomic arrays.
 */
public final class ProtoSchema {
    private final int[] ints;
    private final byte[] blob;
    private final int stringCount;
    private final int enumCount;
    private final int messageCount;
    private final int anyCount;
    private final int stringOffsets;
    private final int enumOffsets;
    private final int messageOffsets;
    private final int nameIndex;
    private final int classIndex;
    private final int anyIndex;
    private final AtomicReferenceArray<String> strings;
    private final AtomicReferenceArray<MessageSchema> messages;
    private final AtomicReferenceArray<EnumSchema> enums;

    private ProtoSchema(int[] ints, byte[] blob) {
        this.ints = ints;
        this.blob = blob;
        stringCount = ints[0];
        enumCount = ints[1];
        messageCount = ints[2];
        anyCount = ints[3];
        stringOffsets = SchemaFormat.HEADER_INTS;
        enumOffsets = stringOffsets + stringCount + 1;
        messageOffsets = enumOffsets + enumCount;
        nameIndex = messageOffsets + messageCount;
        classIndex = nameIndex + 2 * messageCount;
        anyIndex = classIndex + 2 * messageCount;
        strings = new AtomicReferenceArray<>(stringCount);
        messages = new AtomicReferenceArray<>(messageCount);
        enums = new AtomicReferenceArray<>(enumCount);
    }

    private static final class Holder {
        static final ProtoSchema ENVOY = load();
    }

    /** The schema of the bootstrap and of every extension type Trellis implements. */
    public static ProtoSchema envoy() {
        return Holder.ENVOY;
    }

    private static ProtoSchema load() {
        try (InputStream in = ProtoSchema.class.getResourceAsStream(SchemaFormat.RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(
                        SchemaFormat.RESOURCE + " is missing from the build (written by SchemaGenerator)");
            }
            return read(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ProtoSchema read(byte[] bytes) {
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (buf.getInt() != SchemaFormat.MAGIC || buf.getInt() != SchemaFormat.VERSION) {
            throw new IllegalStateException(SchemaFormat.RESOURCE + " is not a schema table of this version");
        }
        int[] ints = new int[buf.getInt()];
        buf.asIntBuffer().get(ints);
        buf.position(buf.position() + 4 * ints.length);
        byte[] blob = new byte[buf.getInt()];
        buf.get(blob);
        return new ProtoSchema(ints, blob);
    }

    /** A message by its full proto name ({@code envoy.config.listener.v3.Listener}), or null when not in the table. */
    public MessageSchema message(String fullName) {
        int i = find(nameIndex, fullName, 0);
        return i < 0 ? null : messageAt(i);
    }

    /** The message a generated class implements, or null when not in the table. */
    public MessageSchema messageOf(Class<?> generated) {
        int i = find(classIndex, generated.getName(), 1);
        return i < 0 ? null : messageAt(i);
    }

    /** The extension types Trellis implements (those an error about an unknown {@code Any} type lists). */
    public List<MessageSchema> anyTypes() {
        List<MessageSchema> all = new ArrayList<>(anyCount);
        for (int k = 0; k < anyCount; k++) {
            all.add(messageAt(ints[anyIndex + k]));
        }
        return Collections.unmodifiableList(all);
    }

    public int messageCount() {
        return messageCount;
    }

    private int find(int index, String name, int field) {
        int hash = name.hashCode();
        int lo = 0;
        int hi = messageCount - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int h = ints[index + 2 * mid];
            if (h < hash) {
                lo = mid + 1;
            } else if (h > hash) {
                hi = mid - 1;
            } else {
                lo = mid;
                while (lo > 0 && ints[index + 2 * (lo - 1)] == hash) {
                    lo--;
                }
                for (int k = lo; k < messageCount && ints[index + 2 * k] == hash; k++) {
                    int m = ints[index + 2 * k + 1];
                    if (string(ints[ints[messageOffsets + m] + field]).equals(name)) {
                        return m;
                    }
                }
                return -1;
            }
        }
        return -1;
    }

    String string(int i) {
        String s = strings.get(i);
        if (s == null) {
            int from = ints[stringOffsets + i];
            s = new String(blob, from, ints[stringOffsets + i + 1] - from, StandardCharsets.UTF_8);
            strings.set(i, s);
        }
        return s;
    }

    MessageSchema messageAt(int i) {
        MessageSchema m = messages.get(i);
        if (m == null) {
            m = decodeMessage(ints[messageOffsets + i]);
            if (!messages.compareAndSet(i, null, m)) {
                m = messages.get(i);
            }
        }
        return m;
    }

    EnumSchema enumAt(int i) {
        EnumSchema e = enums.get(i);
        if (e == null) {
            int at = ints[enumOffsets + i];
            int n = ints[at + 1];
            String[] names = new String[n];
            Integer[] numbers = new Integer[n];
            for (int k = 0; k < n; k++) {
                names[k] = string(ints[at + 2 + 2 * k]);
                numbers[k] = ints[at + 3 + 2 * k];
            }
            e = new EnumSchema(string(ints[at]), List.of(names), List.of(numbers));
            if (!enums.compareAndSet(i, null, e)) {
                e = enums.get(i);
            }
        }
        return e;
    }

    private MessageSchema decodeMessage(int at) {
        int n = ints[at + 3];
        FieldSchema[] fields = new FieldSchema[n];
        for (int k = 0; k < n; k++) {
            int f = at + 4 + k * SchemaFormat.FIELD_INTS;
            fields[k] = new FieldSchema(
                    this,
                    string(ints[f]),
                    string(ints[f + 1]),
                    ints[f + 2],
                    KINDS[ints[f + 3]],
                    ints[f + 4] != SchemaFormat.LABEL_SINGULAR,
                    ints[f + 4] == SchemaFormat.LABEL_MAP,
                    ints[f + 5],
                    ints[f + 6],
                    ints[f + 7] != 0);
        }
        return new MessageSchema(string(ints[at]), string(ints[at + 1]), WELL_KNOWN[ints[at + 2]], List.of(fields));
    }

    private static final Kind[] KINDS = Kind.values();
    private static final WellKnown[] WELL_KNOWN = WellKnown.values();
}
