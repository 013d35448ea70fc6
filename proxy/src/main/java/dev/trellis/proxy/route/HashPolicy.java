package dev.trellis.proxy.route;

import dev.trellis.proxy.lb.Hashes;
import java.util.List;

/**
 * A route's {@code hash_policy} list: each policy hashes a header, cookie, query parameter or the source IP; hashes
 * are combined as Envoy does ({@code rotl(h, 1) ^ next}); a {@code terminal} policy that produced a hash stops the
 * walk.
 */
public record HashPolicy(Kind kind, String name, boolean terminal) {
    public enum Kind {
        HEADER,
        COOKIE,
        SOURCE_IP,
        QUERY_PARAMETER
    }

    /** Returns the combined hash, or null when no policy produced one. */
    public static Long compute(List<HashPolicy> policies, RequestView r) {
        Long hash = null;
        for (HashPolicy p : policies) {
            String v =
                    switch (p.kind) {
                        case HEADER -> r.header(p.name);
                        case COOKIE -> cookie(r.header("cookie"), p.name);
                        case SOURCE_IP ->
                            r.remoteAddress() == null
                                    ? null
                                    : r.remoteAddress().getAddress().getHostAddress();
                        case QUERY_PARAMETER -> QueryString.first(r.query(), p.name);
                    };
            if (v == null) {
                continue;
            }
            long h = Hashes.xx64(v);
            hash = hash == null ? h : Long.rotateLeft(hash, 1) ^ h;
            if (p.terminal) {
                break;
            }
        }
        return hash;
    }

    static String cookie(String header, String name) {
        if (header == null) {
            return null;
        }
        for (String part : header.split(";")) {
            String t = part.trim();
            int eq = t.indexOf('=');
            if (eq > 0 && t.substring(0, eq).equals(name)) {
                String v = t.substring(eq + 1);
                return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
            }
        }
        return null;
    }
}
