package dev.trellis.proxy.cluster;

import com.google.protobuf.Message;
import dev.trellis.proxy.lb.LbContext;
import dev.trellis.proxy.lb.LbOptions;
import dev.trellis.proxy.lb.LbPolicy;
import dev.trellis.proxy.lb.LoadBalancer;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A compiled cluster. Its settings are final; its hosts and load balancer are swapped together by reference when
 * discovery (EDS, DNS) delivers a new host set. A cluster is {@linkplain #initialized() initialized} once it has a
 * first host set (Envoy's warming): until then the cluster manager keeps serving the previous version.
 */
public final class Cluster {
    public enum DiscoveryType {
        STATIC,
        STRICT_DNS,
        LOGICAL_DNS,
        EDS,
        ORIGINAL_DST
    }

    private record State(PrioritySet hosts, LoadBalancer lb, java.util.Set<String> poolKeys) {}

    private final String name;
    private final DiscoveryType type;
    private final String edsServiceName;
    private final long connectTimeoutMs;
    private final long idleTimeoutMs;
    private final int maxRequestsPerConnection;
    private final UpstreamProtocol protocol;
    private final LbPolicy lbPolicy;
    private final LbOptions lbOptions;
    private final CircuitBreakers circuitBreakers;
    private final ClusterStats stats;
    private final Message source;
    private final String version;
    private final boolean originalDstUseHeader;
    private volatile State state;
    private volatile boolean retired;
    private final Map<InetSocketAddress, Host> originalDstHosts = new ConcurrentHashMap<>();

    Cluster(
            String name,
            DiscoveryType type,
            String edsServiceName,
            long connectTimeoutMs,
            long idleTimeoutMs,
            int maxRequestsPerConnection,
            UpstreamProtocol protocol,
            LbPolicy lbPolicy,
            LbOptions lbOptions,
            CircuitBreakers circuitBreakers,
            ClusterStats stats,
            Message source,
            String version,
            boolean originalDstUseHeader,
            String unusableReason,
            dev.trellis.proxy.http2.Http2Options http2Options) {
        this.http2Options = http2Options;
        this.name = name;
        this.type = type;
        this.edsServiceName = edsServiceName;
        this.connectTimeoutMs = connectTimeoutMs;
        this.idleTimeoutMs = idleTimeoutMs;
        this.maxRequestsPerConnection = maxRequestsPerConnection;
        this.protocol = protocol;
        this.lbPolicy = lbPolicy;
        this.lbOptions = lbOptions;
        this.circuitBreakers = circuitBreakers;
        this.stats = stats;
        this.source = source;
        this.version = version;
        this.originalDstUseHeader = originalDstUseHeader;
        this.unusableReason = unusableReason;
    }

    private final String unusableReason;
    private final dev.trellis.proxy.http2.Http2Options http2Options;

    /** The cluster's upstream HTTP/2 options (validated when the cluster was compiled). */
    public dev.trellis.proxy.http2.Http2Options http2Options() {
        return http2Options;
    }

    /** Why requests to this cluster cannot be sent (a feature not implemented yet), or null. */
    public String unusableReason() {
        return unusableReason;
    }

    /** Installs a new host set (from static config, DNS or EDS) and its load balancer. */
    public void updateHosts(PrioritySet set) {
        List<Host> all = set.allHosts();
        java.util.Set<String> keys = new java.util.HashSet<>();
        for (Host h : all) {
            keys.add(h.poolKey());
        }
        this.state = new State(set, new LoadBalancer(set, lbPolicy, lbOptions), java.util.Set.copyOf(keys));
        stats.membershipTotal.set(all.size());
        stats.membershipHealthy.set(all.stream().filter(Host::healthy).count());
    }

    /** Replaced by a newer version of itself, or removed: its connection pools drain. */
    void retire() {
        retired = true;
    }

    public boolean retired() {
        return retired;
    }

    /**
     * Whether the current host set still has the host with this pool key (ORIGINAL_DST clusters: every destination
     * they have been asked for).
     */
    public boolean hasHost(String poolKey) {
        if (type == DiscoveryType.ORIGINAL_DST) {
            return true;
        }
        State s = state;
        return s != null && s.poolKeys().contains(poolKey);
    }

    public boolean initialized() {
        return type == DiscoveryType.ORIGINAL_DST || state != null;
    }

    /**
     * Chooses a host: null means no (healthy) host. ORIGINAL_DST clusters route to the downstream connection's
     * original destination instead of balancing.
     */
    public Host choose(LbContext ctx, InetSocketAddress originalDst) {
        if (type == DiscoveryType.ORIGINAL_DST) {
            if (originalDst == null) {
                return null;
            }
            return originalDstHosts.computeIfAbsent(
                    originalDst, a -> new Host(name, a, 1, "", 0, Host.Health.HEALTHY, null));
        }
        State s = state;
        return s == null ? null : s.lb().choose(ctx);
    }

    public PrioritySet hosts() {
        State s = state;
        return s == null ? PrioritySet.EMPTY : s.hosts();
    }

    public String name() {
        return name;
    }

    public DiscoveryType type() {
        return type;
    }

    /** The name EDS resources for this cluster are requested by. */
    public String edsServiceName() {
        return edsServiceName.isEmpty() ? name : edsServiceName;
    }

    public long connectTimeoutMs() {
        return connectTimeoutMs;
    }

    public long idleTimeoutMs() {
        return idleTimeoutMs;
    }

    public int maxRequestsPerConnection() {
        return maxRequestsPerConnection;
    }

    public UpstreamProtocol protocol() {
        return protocol;
    }

    public LbPolicy lbPolicy() {
        return lbPolicy;
    }

    public CircuitBreakers circuitBreakers() {
        return circuitBreakers;
    }

    public ClusterStats stats() {
        return stats;
    }

    public Message source() {
        return source;
    }

    public String version() {
        return version;
    }

    public boolean originalDstUseHeader() {
        return originalDstUseHeader;
    }
}
