package dev.trellis.proxy.tcp;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.trellis.proxy.config.ConfigException;
import dev.trellis.proxy.config.Fields;
import dev.trellis.proxy.server.ProxyContext;
import dev.trellis.proxy.stats.Stat;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import java.util.List;
import java.util.Set;

/** A compiled {@code tcp_proxy}. */
public record TcpProxyConfig(
        String statPrefix,
        List<String> clusters,
        int[] cumulativeWeights,
        long idleTimeoutMs,
        Stat cxTotal,
        Stat noRoute,
        Stat bytesRx,
        Stat bytesTx,
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
                        "metadata_match"));
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
                ctx);
    }
}
