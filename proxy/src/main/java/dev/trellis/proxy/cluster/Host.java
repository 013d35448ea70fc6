package dev.trellis.proxy.cluster;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One upstream endpoint of a cluster. Immutable except for its live request count, which least-request balancing
 * reads. {@code poolKey} names the endpoint's connection pools across updates of the same cluster.
 */
public final class Host {
    public enum Health {
        HEALTHY,
        DEGRADED,
        UNHEALTHY
    }

    private final InetSocketAddress address;
    private final String addressString;
    private final String poolKey;
    private final int weight;
    private final String locality;
    private final int priority;
    private final Health health;
    private final String hostname;
    final AtomicInteger activeRequests = new AtomicInteger();

    public Host(
            String cluster,
            InetSocketAddress address,
            int weight,
            String locality,
            int priority,
            Health health,
            String hostname) {
        this.address = address;
        this.addressString =
                (address.getAddress() != null ? address.getAddress().getHostAddress() : address.getHostString()) + ":"
                        + address.getPort();
        this.poolKey = cluster + "|" + addressString;
        this.weight = Math.max(1, weight);
        this.locality = locality;
        this.priority = priority;
        this.health = health;
        this.hostname = hostname;
    }

    public InetSocketAddress address() {
        return address;
    }

    public String addressString() {
        return addressString;
    }

    public String poolKey() {
        return poolKey;
    }

    public int weight() {
        return weight;
    }

    public String locality() {
        return locality;
    }

    public int priority() {
        return priority;
    }

    public Health health() {
        return health;
    }

    public boolean healthy() {
        return health != Health.UNHEALTHY;
    }

    /** The endpoint's hostname (for {@code auto_host_rewrite}), or null. */
    public String hostname() {
        return hostname;
    }

    public int activeRequests() {
        return activeRequests.get();
    }

    public void requestStarted() {
        activeRequests.incrementAndGet();
    }

    public void requestFinished() {
        activeRequests.decrementAndGet();
    }

    @Override
    public String toString() {
        return addressString;
    }
}
