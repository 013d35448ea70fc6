package dev.trellis.proxy.route;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/** Minimal query-string access without building a map: the first value of a parameter, percent-decoded. */
public final class QueryString {
    private QueryString() {}

    /** The first value of {@code name}, "" for a bare key, or null when absent. */
    public static String first(String query, String name) {
        if (query == null || query.isEmpty()) {
            return null;
        }
        int i = 0;
        while (i <= query.length()) {
            int amp = query.indexOf('&', i);
            if (amp < 0) {
                amp = query.length();
            }
            int eq = query.indexOf('=', i);
            int keyEnd = eq >= 0 && eq < amp ? eq : amp;
            String key = decode(query.substring(i, keyEnd));
            if (key.equals(name)) {
                return keyEnd == amp ? "" : decode(query.substring(keyEnd + 1, amp));
            }
            i = amp + 1;
        }
        return null;
    }

    private static String decode(String s) {
        if (s.indexOf('%') < 0 && s.indexOf('+') < 0) {
            return s;
        }
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }
}
