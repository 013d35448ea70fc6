package dev.trellis.control.generate;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.UnsafeByteOperations;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What one proxy gets of one type: resources sorted by name (each name once), and the content version of the whole set.
 * Blocks shared by many proxies (all the outbound clusters of a namespace) are built, sorted and hashed once; a proxy's
 * set is a linear merge of its blocks, so a push to a thousand proxies does no per-proxy sorting or cryptographic
 * hashing.
 */
public final class Resources {

    public static final Resources EMPTY = new Resources(List.of());

    private final List<XdsResource> sorted;
    private String version;
    private ByteString responseBody;

    private Resources(List<XdsResource> sorted) {
        this.sorted = sorted;
    }

    /** From resources in any order; a later resource replaces an earlier one of the same name. */
    public static Resources of(Iterable<XdsResource> resources) {
        TreeMap<String, XdsResource> m = new TreeMap<>();
        for (XdsResource r : resources) {
            m.put(r.name(), r);
        }
        return m.isEmpty() ? EMPTY : new Resources(List.copyOf(m.values()));
    }

    /** The merge of {@code blocks}: for a name in several blocks, the one in the later block wins. */
    public static Resources merge(List<Resources> blocks) {
        Resources out = EMPTY;
        for (Resources b : blocks) {
            out = out.mergedWith(b);
        }
        return out;
    }

    /** This set with {@code later}'s resources added, replacing any of the same name. */
    public Resources mergedWith(Resources later) {
        if (later.sorted.isEmpty()) {
            return this;
        }
        if (sorted.isEmpty()) {
            return later;
        }
        List<XdsResource> a = sorted;
        List<XdsResource> b = later.sorted;
        List<XdsResource> out = new ArrayList<>(a.size() + b.size());
        int i = 0;
        int j = 0;
        while (i < a.size() && j < b.size()) {
            int c = a.get(i).name().compareTo(b.get(j).name());
            if (c < 0) {
                out.add(a.get(i++));
            } else if (c > 0) {
                out.add(b.get(j++));
            } else {
                out.add(b.get(j++));
                i++;
            }
        }
        out.addAll(a.subList(i, a.size()));
        out.addAll(b.subList(j, b.size()));
        return new Resources(Collections.unmodifiableList(out));
    }

    /** The resources, sorted by name. */
    public List<XdsResource> list() {
        return sorted;
    }

    public int size() {
        return sorted.size();
    }

    public boolean isEmpty() {
        return sorted.isEmpty();
    }

    /** By name, sorted (a copy). */
    public SortedMap<String, XdsResource> asMap() {
        SortedMap<String, XdsResource> m = new TreeMap<>();
        for (XdsResource r : sorted) {
            m.put(r.name(), r);
        }
        return m;
    }

    /**
     * The content version: 16 hex digits, equal for equal content (names and serialized resources, in order), and
     * different otherwise except with negligible probability. Combines the resources' SHA-256 digests with a 64-bit
     * mixing function instead of hashing the whole set again per proxy. Computed once per instance.
     */
    public String version() {
        String v = version;
        if (v == null) {
            long h = 0x6a09e667f3bcc908L ^ sorted.size();
            for (XdsResource r : sorted) {
                h = mix(h ^ r.digestHigh());
                h = mix(h ^ r.digestLow());
                h = mix(h ^ r.name().hashCode());
            }
            v = String.format("%016x", h);
            version = v; // Racy but idempotent: every thread computes the same string.
        }
        return v;
    }

    /**
     * The resources encoded as the {@code resources} field (2) of a DiscoveryResponse, computed once per instance: a
     * set shared by many proxies is encoded once per push, and each proxy's response only adds its version and nonce.
     */
    public ByteString responseBody() {
        ByteString b = responseBody;
        if (b == null) {
            int size = 0;
            for (XdsResource r : sorted) {
                size += CodedOutputStream.computeMessageSize(2, r.any());
            }
            byte[] buf = new byte[size];
            CodedOutputStream out = CodedOutputStream.newInstance(buf);
            try {
                for (XdsResource r : sorted) {
                    out.writeMessage(2, r.any());
                }
                out.checkNoSpaceLeft();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            b = UnsafeByteOperations.unsafeWrap(buf); // never written again
            responseBody = b; // Racy but idempotent, like the version.
        }
        return b;
    }

    /** splitmix64's finalizer: every input bit affects every output bit. */
    private static long mix(long z) {
        z += 0x9e3779b97f4a7c15L;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    @Override
    public String toString() {
        return "Resources[" + sorted.size() + " @" + version() + "]";
    }
}
