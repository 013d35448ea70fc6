package dev.trellis.proxy.route;

import dev.trellis.proxy.lb.Hashes;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A route's {@code hash_policy} list: each policy hashes a header, cookie, query parameter or the source IP; hashes
 * are combined as Envoy does ({@code rotl(h, 1) ^ next}); a {@code terminal} policy that produced a hash stops the
 * walk. A cookie policy with a {@code ttl} makes the cookie when the request has none (Envoy's sticky sessions, what
 * Istio's {@code consistentHash.httpCookie} relies on): the value is derived from the connection's addresses, so
 * requests racing on one connection get the same cookie, and the response sets it.
 */
public record HashPolicy(Kind kind, String name, boolean terminal, CookieSpec cookie) {
    public enum Kind {
        HEADER,
        COOKIE,
        SOURCE_IP,
        QUERY_PARAMETER
    }

    public HashPolicy(Kind kind, String name, boolean terminal) {
        this(kind, name, terminal, null);
    }

    /** A cookie policy's generation settings: {@code ttlSeconds} 0 makes a session cookie. */
    public record CookieSpec(long ttlSeconds, String path, List<Map.Entry<String, String>> attributes) {
        /** Envoy's {@code Set-Cookie} value: {@code name="value"; Max-Age=N; Path=p; attr=v; HttpOnly}. */
        String setCookie(String name, String value) {
            StringBuilder sb =
                    new StringBuilder(name).append("=\"").append(value).append('"');
            if (ttlSeconds != 0) {
                sb.append("; Max-Age=").append(ttlSeconds);
            }
            if (!path.isEmpty()) {
                sb.append("; Path=").append(path);
            }
            for (var a : attributes) {
                sb.append("; ").append(a.getKey());
                if (!a.getValue().isEmpty()) {
                    sb.append('=').append(a.getValue());
                }
            }
            return sb.append("; HttpOnly").toString();
        }
    }

    /** Returns the combined hash, or null when no policy produced one. */
    public static Long compute(List<HashPolicy> policies, RequestView r) {
        return compute(policies, r, null);
    }

    /**
     * Returns the combined hash, or null when no policy produced one; a cookie made for the request is handed to
     * {@code setCookie} as a {@code Set-Cookie} value (when null, no cookie is made).
     */
    public static Long compute(List<HashPolicy> policies, RequestView r, Consumer<String> setCookie) {
        Long hash = null;
        for (HashPolicy p : policies) {
            String v =
                    switch (p.kind) {
                        case HEADER -> r.header(p.name);
                        case COOKIE -> {
                            String c = cookie(r.header("cookie"), p.name);
                            if (c == null && p.cookie != null && setCookie != null) {
                                c = generatedCookieValue(r);
                                setCookie.accept(p.cookie.setCookie(p.name, c));
                            }
                            yield c;
                        }
                        case SOURCE_IP -> EnvoyAddress.withoutPort(r.remoteAddress());
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

    /**
     * Envoy's generated cookie: the hex of xxHash64 over the remote then the local address ({@code ip:port}, IPv6 in
     * brackets).
     */
    static String generatedCookieValue(RequestView r) {
        String remote = EnvoyAddress.of(r.remoteAddress());
        String local = EnvoyAddress.of(r.localAddress());
        String seed = (remote == null ? "" : remote) + (local == null ? "" : local);
        return String.format("%016x", Hashes.xx64(seed));
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
