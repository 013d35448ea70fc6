package dev.trellis.proxy.cluster;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The DEFAULT-priority thresholds of a cluster's {@code circuit_breakers} (Envoy defaults 1024/1024/1024/3) and the
 * live counts they bound. Counts are shared by all workers (atomic, lock-free), as Envoy's are.
 */
public final class CircuitBreakers {
    public final int maxConnections;
    public final int maxPendingRequests;
    public final int maxRequests;
    public final int maxRetries;
    public final AtomicInteger connections = new AtomicInteger();
    public final AtomicInteger pending = new AtomicInteger();
    public final AtomicInteger requests = new AtomicInteger();
    public final AtomicInteger retries = new AtomicInteger();

    public CircuitBreakers(int maxConnections, int maxPendingRequests, int maxRequests, int maxRetries) {
        this.maxConnections = maxConnections;
        this.maxPendingRequests = maxPendingRequests;
        this.maxRequests = maxRequests;
        this.maxRetries = maxRetries;
    }

    public static CircuitBreakers defaults() {
        return new CircuitBreakers(1024, 1024, 1024, 3);
    }

    /** Reserves a request slot, or returns false when {@code max_requests} is reached. */
    public boolean tryAcquireRequest() {
        if (requests.incrementAndGet() > maxRequests) {
            requests.decrementAndGet();
            return false;
        }
        return true;
    }

    public void releaseRequest() {
        requests.decrementAndGet();
    }

    public boolean tryAcquirePending() {
        if (pending.incrementAndGet() > maxPendingRequests) {
            pending.decrementAndGet();
            return false;
        }
        return true;
    }

    public void releasePending() {
        pending.decrementAndGet();
    }

    public boolean tryAcquireConnection() {
        if (connections.incrementAndGet() > maxConnections) {
            connections.decrementAndGet();
            return false;
        }
        return true;
    }

    public void releaseConnection() {
        connections.decrementAndGet();
    }
}
