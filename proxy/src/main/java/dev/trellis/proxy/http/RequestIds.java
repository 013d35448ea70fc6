package dev.trellis.proxy.http;

import java.util.concurrent.ThreadLocalRandom;

/** Version-4 UUIDs for {@code x-request-id}, from thread-local randomness (no SecureRandom on the request path). */
final class RequestIds {
    private RequestIds() {}

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    static String next() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long hi = (r.nextLong() & ~0xF000L) | 0x4000L;
        long lo = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        char[] c = new char[36];
        int p = 0;
        for (int i = 60; i >= 0; i -= 4) {
            if (p == 8 || p == 13) {
                c[p++] = '-';
            }
            c[p++] = HEX[(int) (hi >>> i) & 0xF];
        }
        for (int i = 60; i >= 0; i -= 4) {
            if (p == 18 || p == 23) {
                c[p++] = '-';
            }
            c[p++] = HEX[(int) (lo >>> i) & 0xF];
        }
        return new String(c);
    }
}
