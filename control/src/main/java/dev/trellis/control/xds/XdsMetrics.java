package dev.trellis.control.xds;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The ADS server's counters, with Istio's metric names; the monitoring endpoint renders them in Prometheus text
 * format. Convergence time uses Istio's buckets (seconds).
 */
public final class XdsMetrics {

    static final double[] BUCKETS = {.01, .1, .5, 1, 3, 5, 10, 20, 30};

    /** pilot_xds_pushes{type}. */
    public final Map<String, LongAdder> pushes = new ConcurrentHashMap<>();
    /** pilot_total_xds_rejects{type}. */
    public final Map<String, LongAdder> rejects = new ConcurrentHashMap<>();
    /** pilot_xds: connected proxies. */
    public final AtomicLong connected = new AtomicLong();
    /** pilot_push_triggers{type}. */
    public final Map<String, LongAdder> triggers = new ConcurrentHashMap<>();
    /** pilot_proxy_convergence_time: buckets, sum, count. */
    public final long[] convergenceBuckets = new long[BUCKETS.length];

    public double convergenceSum;
    public long convergenceCount;

    /** The cache of resources kept across pushes, for pilot_xds_cache_*; null renders none. */
    private final java.util.function.Supplier<dev.trellis.control.push.XdsCache> cache;

    public XdsMetrics() {
        this(() -> null);
    }

    XdsMetrics(java.util.function.Supplier<dev.trellis.control.push.XdsCache> cache) {
        this.cache = cache;
    }

    void push(String type) {
        pushes.computeIfAbsent(type, k -> new LongAdder()).increment();
    }

    void reject(String type) {
        rejects.computeIfAbsent(type, k -> new LongAdder()).increment();
    }

    void trigger(String reason) {
        triggers.computeIfAbsent(reason, k -> new LongAdder()).increment();
    }

    synchronized void convergence(double seconds) {
        for (int i = 0; i < BUCKETS.length; i++) {
            if (seconds <= BUCKETS[i]) {
                convergenceBuckets[i]++;
            }
        }
        convergenceSum += seconds;
        convergenceCount++;
    }

    /** Appends the metrics in Prometheus text format. */
    public synchronized void render(StringBuilder sb) {
        sb.append("# HELP pilot_xds Number of endpoints connected to this pilot using XDS.\n# TYPE pilot_xds gauge\n");
        sb.append("pilot_xds ").append(connected.get()).append('\n');
        counter(sb, "pilot_xds_pushes", "Pilot build and send errors for lds, rds, cds and eds.", pushes);
        counter(sb, "pilot_total_xds_rejects", "Total number of XDS responses from pilot rejected by proxy.", rejects);
        counter(sb, "pilot_push_triggers", "Total number of times a push was triggered, labeled by reason.", triggers);
        sb.append("# HELP pilot_proxy_convergence_time Delay in seconds between config change and a proxy receiving"
                + " all required configuration.\n# TYPE pilot_proxy_convergence_time histogram\n");
        for (int i = 0; i < BUCKETS.length; i++) {
            sb.append("pilot_proxy_convergence_time_bucket{le=\"")
                    .append(BUCKETS[i])
                    .append("\"} ")
                    .append(convergenceBuckets[i])
                    .append('\n');
        }
        sb.append("pilot_proxy_convergence_time_bucket{le=\"+Inf\"} ")
                .append(convergenceCount)
                .append('\n');
        sb.append("pilot_proxy_convergence_time_sum ").append(convergenceSum).append('\n');
        sb.append("pilot_proxy_convergence_time_count ")
                .append(convergenceCount)
                .append('\n');
        dev.trellis.control.push.XdsCache c = cache.get();
        if (c != null) {
            sb.append("# HELP pilot_xds_cache_reads Total number of xds cache xdsCache reads.\n")
                    .append("# TYPE pilot_xds_cache_reads counter\n")
                    .append("pilot_xds_cache_reads{type=\"hit\"} ")
                    .append(c.hits())
                    .append('\n')
                    .append("pilot_xds_cache_reads{type=\"miss\"} ")
                    .append(c.misses())
                    .append('\n');
            sb.append("# HELP pilot_xds_cache_size Current size of xds cache.\n# TYPE pilot_xds_cache_size gauge\n")
                    .append("pilot_xds_cache_size ")
                    .append(c.size())
                    .append('\n');
        }
    }

    private static void counter(StringBuilder sb, String name, String help, Map<String, LongAdder> values) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(" counter\n");
        new java.util.TreeMap<>(values).forEach((label, v) -> sb.append(name)
                .append("{type=\"")
                .append(label)
                .append("\"} ")
                .append(v.sum())
                .append('\n'));
    }
}
