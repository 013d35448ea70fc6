package dev.trellis.proxy.cluster;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
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

    private final SocketAddress address;
    private final boolean pipe;
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
        this(
                cluster,
                address,
                (address.getAddress() != null ? address.getAddress().getHostAddress() : address.getHostString()) + ":"
                        + address.getPort(),
                false,
                weight,
                locality,
                priority,
                health,
                hostname);
    }

    private Host(
            String cluster,
            SocketAddress address,
            String addressString,
            boolean pipe,
            int weight,
            String locality,
            int priority,
            Health health,
            String hostname) {
        this.address = address;
        this.addressString = addressString;
        this.pipe = pipe;
        this.poolKey = cluster + "|" + addressString;
        this.weight = Math.max(1, weight);
        this.locality = locality;
        this.priority = priority;
        this.health = health;
        this.hostname = hostname;
    }

    /** An endpoint on a unix domain socket (Envoy's {@code pipe} address), named by its path as Envoy prints it. */
    public static Host pipe(String cluster, String path, int weight, String locality, int priority, Health health) {
        return new Host(
                cluster,
                new io.netty.channel.unix.DomainSocketAddress(path),
                path,
                true,
                weight,
                locality,
                priority,
                health,
                null);
    }

    /** Where to connect: an {@link InetSocketAddress}, or a unix domain socket for {@link #pipe} hosts. */
    public SocketAddress address() {
        return address;
    }

    /** A unix domain socket endpoint: connected with the transport's domain-socket channel. */
    public boolean isPipe() {
        return pipe;
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
