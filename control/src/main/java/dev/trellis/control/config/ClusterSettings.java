package dev.trellis.control.config;

import com.google.protobuf.UInt32Value;
import com.google.protobuf.UInt64Value;
import dev.trellis.api.model.networking.ClientTLSSettings;
import dev.trellis.api.model.networking.ConnectionPoolSettings;
import dev.trellis.api.model.networking.LoadBalancerSettings;
import dev.trellis.api.model.networking.OutlierDetection;
import dev.trellis.api.model.networking.TrafficPolicy;
import dev.trellis.control.model.LocalityLbSetting;
import dev.trellis.control.networking.Envoy;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A DestinationRule traffic policy applied to a cluster. The effective policy is merged as Istio does: port-level
 * settings replace the top-level ones field by field (connection pool, load balancer, outlier detection, TLS), and a
 * subset's policy (with its own port-level settings) replaces those again.
 */
public final class ClusterSettings {

    static final String HTTP_OPTIONS = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";

    /** One merged policy. Any field may be null (not set). */
    public record Effective(
            ConnectionPoolSettings pool, LoadBalancerSettings lb, OutlierDetection outlier, ClientTLSSettings tls) {

        static final Effective NONE = new Effective(null, null, null, null);

        Effective over(TrafficPolicy tp, int port) {
            if (tp == null) {
                return this;
            }
            Effective e = new Effective(
                    tp.connectionPool() != null ? tp.connectionPool() : pool,
                    tp.loadBalancer() != null ? tp.loadBalancer() : lb,
                    tp.outlierDetection() != null ? tp.outlierDetection() : outlier,
                    tp.tls() != null ? tp.tls() : tls);
            for (TrafficPolicy.PortTrafficPolicy p : tp.portLevelSettingsOrDefault()) {
                if (p.port() != null && p.port().number() != null && p.port().number() == port) {
                    e = new Effective(
                            p.connectionPool() != null ? p.connectionPool() : e.pool,
                            p.loadBalancer() != null ? p.loadBalancer() : e.lb,
                            p.outlierDetection() != null ? p.outlierDetection() : e.outlier,
                            p.tls() != null ? p.tls() : e.tls);
                }
            }
            return e;
        }
    }

    private ClusterSettings() {}

    public static Effective effective(TrafficPolicy top, TrafficPolicy subset, int port) {
        return Effective.NONE.over(top, port).over(subset, port);
    }

    /** The cluster with the effective policy applied; {@code tls} describes the cluster for its TLS context. */
    public static Cluster apply(Cluster base, Effective e, UpstreamTls.Context tls) {
        return apply(base, e, tls, null);
    }

    /**
     * As {@link #apply(Cluster, Effective, UpstreamTls.Context)}, with the mesh-wide locality setting the
     * DestinationRule's {@code localityLbSetting} overrides.
     */
    public static Cluster apply(Cluster base, Effective e, UpstreamTls.Context tls, LocalityLbSetting meshLocality) {
        Cluster.Builder c = base.toBuilder();
        localityWeighted(c, LocalityLbSetting.effective(meshLocality, locality(e.lb())), e.outlier() != null);
        if (e.lb() != null) {
            lb(c, e.lb());
        }
        if (e.pool() != null) {
            pool(c, e.pool());
        }
        if (e.outlier() != null) {
            c.setOutlierDetection(outlier(e.outlier()));
        }
        Cluster out = c.build();
        return e.tls() == null ? out : UpstreamTls.apply(out, e.tls(), tls);
    }

    /**
     * Istio's cluster side of locality load balancing: {@code locality_weighted_lb_config} when the setting
     * distributes by weight, or fails over by locality or labels with outlier detection on (EDS then carries the
     * weights and priorities); never on ORIGINAL_DST clusters, which have no endpoints to weigh.
     */
    static void localityWeighted(Cluster.Builder c, LocalityLbSetting l, boolean outlier) {
        if (l == null || c.getType() == Cluster.DiscoveryType.ORIGINAL_DST) {
            return;
        }
        boolean failover =
                outlier && (!l.failover().isEmpty() || !l.failoverPriority().isEmpty());
        if (!l.distribute().isEmpty() || failover) {
            c.setCommonLbConfig(c.getCommonLbConfig().toBuilder()
                    .setLocalityWeightedLbConfig(Cluster.CommonLbConfig.LocalityWeightedLbConfig.getDefaultInstance()));
        }
    }

    /** A DestinationRule's {@code localityLbSetting} in the service model's terms; null when unset. */
    static LocalityLbSetting locality(LoadBalancerSettings lb) {
        if (lb == null || lb.localityLbSetting() == null) {
            return null;
        }
        var l = lb.localityLbSetting();
        List<LocalityLbSetting.Distribute> distribute = new ArrayList<>();
        for (var d : l.distributeOrDefault()) {
            Map<String, Integer> to = new LinkedHashMap<>();
            d.toOrDefault().forEach((k, v) -> to.put(k, v.intValue()));
            distribute.add(new LocalityLbSetting.Distribute(d.from_(), to));
        }
        List<LocalityLbSetting.Failover> failover = new ArrayList<>();
        for (var f : l.failoverOrDefault()) {
            failover.add(new LocalityLbSetting.Failover(f.from_(), f.to()));
        }
        return new LocalityLbSetting(l.enabled(), distribute, failover, l.failoverPriorityOrDefault());
    }

    static void lb(Cluster.Builder c, LoadBalancerSettings lb) {
        if (lb.simple() != null) {
            switch (lb.simple()) {
                case ROUND_ROBIN -> c.setLbPolicy(Cluster.LbPolicy.ROUND_ROBIN);
                case LEAST_CONN, LEAST_REQUEST -> c.setLbPolicy(Cluster.LbPolicy.LEAST_REQUEST);
                case RANDOM -> c.setLbPolicy(Cluster.LbPolicy.RANDOM);
                case PASSTHROUGH -> {
                    c.clearEdsClusterConfig();
                    c.setType(Cluster.DiscoveryType.ORIGINAL_DST);
                    c.setLbPolicy(Cluster.LbPolicy.CLUSTER_PROVIDED);
                }
                case UNSPECIFIED -> {}
            }
        } else if (lb.consistentHash() != null) {
            var ch = lb.consistentHash();
            if (ch.maglev() != null) {
                c.setLbPolicy(Cluster.LbPolicy.MAGLEV);
                if (ch.maglev().tableSize() != null) {
                    c.setMaglevLbConfig(Cluster.MaglevLbConfig.newBuilder()
                            .setTableSize(UInt64Value.of(ch.maglev().tableSize())));
                }
            } else {
                c.setLbPolicy(Cluster.LbPolicy.RING_HASH);
                Long min = ch.ringHash() != null ? ch.ringHash().minimumRingSize() : ch.minimumRingSize();
                if (min != null) {
                    c.setRingHashLbConfig(
                            Cluster.RingHashLbConfig.newBuilder().setMinimumRingSize(UInt64Value.of(min)));
                }
            }
        }
    }

    static void pool(Cluster.Builder c, ConnectionPoolSettings pool) {
        CircuitBreakers.Thresholds.Builder t = CircuitBreakers.Thresholds.newBuilder();
        boolean any = false;
        if (pool.tcp() != null) {
            if (pool.tcp().maxConnections() != null) {
                t.setMaxConnections(UInt32Value.of(pool.tcp().maxConnections()));
                any = true;
            }
            if (pool.tcp().connectTimeout() != null) {
                c.setConnectTimeout(Envoy.millis(pool.tcp().connectTimeout().nanos() / 1_000_000));
            }
        }
        if (pool.http() != null) {
            var h = pool.http();
            if (h.http1MaxPendingRequests() != null) {
                t.setMaxPendingRequests(UInt32Value.of(h.http1MaxPendingRequests()));
                any = true;
            }
            if (h.http2MaxRequests() != null) {
                t.setMaxRequests(UInt32Value.of(h.http2MaxRequests()));
                any = true;
            }
            if (h.maxRetries() != null) {
                t.setMaxRetries(UInt32Value.of(h.maxRetries()));
                any = true;
            }
            if (h.maxRequestsPerConnection() != null || h.idleTimeout() != null) {
                HttpProtocolOptions.Builder common = HttpProtocolOptions.newBuilder();
                if (h.maxRequestsPerConnection() != null && h.maxRequestsPerConnection() > 0) {
                    common.setMaxRequestsPerConnection(UInt32Value.of(h.maxRequestsPerConnection()));
                }
                if (h.idleTimeout() != null) {
                    common.setIdleTimeout(Envoy.millis(h.idleTimeout().nanos() / 1_000_000));
                }
                var opts = io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.newBuilder();
                var existing = c.getTypedExtensionProtocolOptionsMap().get(HTTP_OPTIONS);
                if (existing != null) {
                    try {
                        opts =
                                existing
                                        .unpack(
                                                io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions
                                                        .class)
                                        .toBuilder();
                    } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
                        throw new IllegalStateException(ex);
                    }
                } else {
                    opts.setUseDownstreamProtocolConfig(io.envoyproxy.envoy.extensions.upstreams.http.v3
                            .HttpProtocolOptions.UseDownstreamHttpConfig.getDefaultInstance());
                }
                opts.setCommonHttpProtocolOptions(common);
                c.putTypedExtensionProtocolOptions(HTTP_OPTIONS, Envoy.any(opts.build()));
            }
        }
        if (any) {
            c.setCircuitBreakers(CircuitBreakers.newBuilder().addThresholds(t));
        }
    }

    static io.envoyproxy.envoy.config.cluster.v3.OutlierDetection outlier(OutlierDetection o) {
        var b = io.envoyproxy.envoy.config.cluster.v3.OutlierDetection.newBuilder();
        Long c5xx = o.consecutive5xxErrors() != null
                ? o.consecutive5xxErrors()
                : o.consecutiveErrors() != null ? Long.valueOf(o.consecutiveErrors()) : null;
        if (c5xx != null) {
            b.setConsecutive5Xx(UInt32Value.of(c5xx.intValue()));
            b.setEnforcingConsecutive5Xx(UInt32Value.of(c5xx > 0 ? 100 : 0));
        }
        if (o.consecutiveGatewayErrors() != null) {
            b.setConsecutiveGatewayFailure(
                    UInt32Value.of(o.consecutiveGatewayErrors().intValue()));
            b.setEnforcingConsecutiveGatewayFailure(UInt32Value.of(o.consecutiveGatewayErrors() > 0 ? 100 : 0));
        }
        if (o.interval() != null) {
            b.setInterval(Envoy.millis(o.interval().nanos() / 1_000_000));
        }
        if (o.baseEjectionTime() != null) {
            b.setBaseEjectionTime(Envoy.millis(o.baseEjectionTime().nanos() / 1_000_000));
        }
        if (o.maxEjectionPercent() != null) {
            b.setMaxEjectionPercent(UInt32Value.of(o.maxEjectionPercent()));
        }
        if (o.minHealthPercent() != null) {
            // Istio maps minHealthPercent to the cluster's panic threshold; kept here as the ejection floor.
            b.setMaxEjectionPercent(UInt32Value.of(Math.max(0, 100 - o.minHealthPercent())));
        }
        return b.build();
    }
}
