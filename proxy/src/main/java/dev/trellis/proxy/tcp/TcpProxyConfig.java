package dev.trellis.proxy.tcp;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.trellis.proxy.accesslog.AccessLogs;
import dev.trellis.proxy.config.ConfigException;
import dev.trellis.proxy.config.Fields;
import dev.trellis.proxy.server.ProxyContext;
import dev.trellis.proxy.stats.Stat;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import java.util.List;
import java.util.Set;

/**
 * A compiled {@code tcp_proxy}. {@code accessLogFlushIntervalMs} is 0 when only the connection's end is logged.
 */
public record TcpProxyConfig(
        String statPrefix,
        List<String> clusters,
        int[] cumulativeWeights,
        long idleTimeoutMs,
        Stat cxTotal,
        Stat noRoute,
        Stat bytesRx,
        Stat bytesTx,
        AccessLogs accessLogs,
        long accessLogFlushIntervalMs,
        boolean flushAccessLogOnConnected,
        ProxyContext context) {

    public static final String TYPE_URL = "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy";

    public static TcpProxyConfig compile(Any any, String where, ProxyContext ctx) {
        TcpProxy t;
        try {
            t = dev.trellis.proxy.config.Fields.unpack(any, TcpProxy.class);
        } catch (InvalidProtocolBufferException e) {
            throw new ConfigException(where + ": cannot decode TcpProxy: " + e.getMessage());
        }
        where = where + " tcp_proxy";
        Fields.requireOnly(
                t,
                where,
                Set.of(
                        "stat_prefix",
                        "cluster",
                        "weighted_clusters",
                        "idle_timeout",
                        "max_connect_attempts",
                        "metadata_match",
                        "access_log",
                        "access_log_options",
                        // Deprecated in favour of access_log_options, still accepted by Envoy.
                        "access_log_flush_interval",
                        "flush_access_log_on_connected"));
        if (t.getStatPrefix().isEmpty()) {
            throw new ConfigException(where + ": field 'stat_prefix' is required");
        }
        List<String> clusters;
        int[] cum;
        switch (t.getClusterSpecifierCase()) {
            case CLUSTER -> {
                clusters = List.of(t.getCluster());
                cum = new int[] {1};
            }
            case WEIGHTED_CLUSTERS -> {
                var wc = t.getWeightedClusters();
                clusters = wc.getClustersList().stream().map(c -> c.getName()).toList();
                cum = new int[wc.getClustersCount()];
                int sum = 0;
                for (int i = 0; i < cum.length; i++) {
                    sum += wc.getClusters(i).getWeight();
                    cum[i] = sum;
                }
                if (sum == 0) {
                    throw new ConfigException(where + " weighted_clusters: weights sum to 0");
                }
            }
            default -> throw new ConfigException(where + ": one of 'cluster' or 'weighted_clusters' is required");
        }
        AccessLogs logs = AccessLogs.compile(t.getAccessLogList(), where);
        long flushMs = 0;
        boolean onConnected;
        if (t.hasAccessLogOptions()) {
            // Envoy's own check: the options replace the two deprecated fields, never both.
            if (t.getFlushAccessLogOnConnected()) {
                throw new ConfigException(
                        where + ": only one of 'flush_access_log_on_connected' or 'access_log_options' can be set");
            }
            if (t.hasAccessLogFlushInterval()) {
                throw new ConfigException(
                        where + ": only one of 'access_log_flush_interval' or 'access_log_options' can be set");
            }
            var o = t.getAccessLogOptions();
            String ow = where + " access_log_options";
            Fields.requireOnly(o, ow, Set.of("access_log_flush_interval", "flush_access_log_on_connected"));
            onConnected = o.getFlushAccessLogOnConnected();
            if (o.hasAccessLogFlushInterval()) {
                flushMs = flushInterval(o.getAccessLogFlushInterval(), ow + " access_log_flush_interval");
            }
        } else {
            onConnected = t.getFlushAccessLogOnConnected();
            if (t.hasAccessLogFlushInterval()) {
                flushMs = flushInterval(t.getAccessLogFlushInterval(), where + " access_log_flush_interval");
            }
        }
        var s = ctx.stats();
        String p = t.getStatPrefix();
        return new TcpProxyConfig(
                p,
                clusters,
                cum,
                Fields.millis(t.hasIdleTimeout(), t.getIdleTimeout(), 3_600_000),
                s.counter("tcp", p, "downstream_cx_total"),
                s.counter("tcp", p, "downstream_cx_no_route"),
                s.counter("tcp", p, "downstream_cx_rx_bytes_total"),
                s.counter("tcp", p, "downstream_cx_tx_bytes_total"),
                logs,
                flushMs,
                onConnected,
                ctx);
    }

    /** Envoy's validation: the interval is at least 1 ms. */
    private static long flushInterval(Duration d, String where) {
        if (d.getSeconds() < 0 || d.getNanos() < 0 || Fields.millis(d) < 1) {
            throw new ConfigException(where + ": must be at least 1ms");
        }
        return Fields.millis(d);
    }
}
