package dev.trellis.xds.client;

import java.util.concurrent.ThreadLocalRandom;

/** Jittered exponential backoff for reconnects (grpc's defaults: 1 s doubling to 30 s, ±20 %). */
public final class Backoff {
    private final long initialMs;
    private final long maxMs;
    private long nextMs;

    public Backoff(long initialMs, long maxMs) {
        this.initialMs = initialMs;
        this.maxMs = maxMs;
        this.nextMs = initialMs;
    }

    public long nextDelayMs() {
        long d = nextMs;
        nextMs = Math.min(maxMs, nextMs * 2);
        double jitter = 0.8 + ThreadLocalRandom.current().nextDouble() * 0.4;
        return Math.max(1, (long) (d * jitter));
    }

    public void reset() {
        nextMs = initialMs;
    }
}
