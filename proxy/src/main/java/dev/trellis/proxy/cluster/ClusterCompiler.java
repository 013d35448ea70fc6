package dev.trellis.proxy.cluster;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.trellis.proxy.config.ConfigException;
import dev.trellis.proxy.config.Fields;
import dev.trellis.proxy.lb.LbOptions;
import dev.trellis.proxy.lb.LbPolicy;
import dev.trellis.proxy.stats.Stats;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers.Thresholds;
import io.envoyproxy.envoy.config.core.v3.RoutingPriority;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import java.util.Map;
import java.util.Set;

/** Compiles an {@code envoy.config.cluster.v3.Cluster} into a {@link Cluster}, rejecting what we do not implement. */
public final class ClusterCompiler {
    private ClusterCompiler() {}

    static final String HTTP_OPTIONS = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";

    private static final Set<String> SUPPORTED = Set.of(
            "name",
            "type",
            "connect_timeout",
            "lb_policy",
            "load_assignment",
            "eds_cluster_config",
            "circuit_breakers",
            "typed_extension_protocol_options",
            "http2_protocol_options",
            "http_protocol_options",
            "common_http_protocol_options",
            "max_requests_per_connection",
            "common_lb_config",
            "ring_hash_lb_config",
            "maglev_lb_config",
            "least_request_lb_config",
            "original_dst_lb_config",
            "dns_refresh_rate",
            "dns_lookup_family",
            "respect_dns_ttl",
            "alt_stat_name",
            "per_connection_buffer_limit_bytes",
            "metadata",
            "cleanup_interval",
            "upstream_connection_options",
            "protocol_selection",
            "track_cluster_stats",
            // Outlier detection arrives with the resilience work; until then it is accepted and not enforced
            // (it only ever ejects hosts, so healthy traffic is routed the same), with a warning.
            "outlier_detection",
            // Upstream TLS arrives with the security work: such a cluster loads but answers 503 UF saying why.
            "transport_socket");

    public static Cluster compile(io.envoyproxy.envoy.config.cluster.v3.Cluster c, String version, Stats stats) {
        String where = "cluster \"" + c.getName() + "\"";
        if (c.getName().isEmpty()) {
            throw new ConfigException("cluster: field 'name' is required");
        }
        Fields.requireOnly(c, where, SUPPORTED);
        Cluster.DiscoveryType type =
                switch (c.getType()) {
                    case STATIC -> Cluster.DiscoveryType.STATIC;
                    case STRICT_DNS -> Cluster.DiscoveryType.STRICT_DNS;
                    case LOGICAL_DNS -> Cluster.DiscoveryType.LOGICAL_DNS;
                    case EDS -> Cluster.DiscoveryType.EDS;
                    case ORIGINAL_DST -> Cluster.DiscoveryType.ORIGINAL_DST;
                    default ->
                        throw new ConfigException(where + ": field 'type' value " + c.getType() + " is not supported");
                };
        if (c.hasClusterType()) {
            throw new ConfigException(where + ": field 'cluster_type' is not supported");
        }
        LbPolicy policy =
                switch (c.getLbPolicy()) {
                    case ROUND_ROBIN -> LbPolicy.ROUND_ROBIN;
                    case LEAST_REQUEST -> LbPolicy.LEAST_REQUEST;
                    case RANDOM -> LbPolicy.RANDOM;
                    case RING_HASH -> LbPolicy.RING_HASH;
                    case MAGLEV -> LbPolicy.MAGLEV;
                    case CLUSTER_PROVIDED -> {
                        if (type != Cluster.DiscoveryType.ORIGINAL_DST) {
                            throw new ConfigException(where + ": lb_policy CLUSTER_PROVIDED needs type ORIGINAL_DST");
                        }
                        yield LbPolicy.ROUND_ROBIN;
                    }
                    default ->
                        throw new ConfigException(
                                where + ": field 'lb_policy' value " + c.getLbPolicy() + " is not supported");
                };
        LbOptions lb = new LbOptions(
                c.hasLeastRequestLbConfig()
                        ? Fields.uint32(
                                c.getLeastRequestLbConfig().hasChoiceCount(),
                                c.getLeastRequestLbConfig().getChoiceCount(),
                                2)
                        : 2,
                c.hasRingHashLbConfig() && c.getRingHashLbConfig().hasMinimumRingSize()
                        ? c.getRingHashLbConfig().getMinimumRingSize().getValue()
                        : 1024,
                c.hasRingHashLbConfig() && c.getRingHashLbConfig().hasMaximumRingSize()
                        ? c.getRingHashLbConfig().getMaximumRingSize().getValue()
                        : 8 * 1024 * 1024,
                c.hasMaglevLbConfig() && c.getMaglevLbConfig().hasTableSize()
                        ? (int) c.getMaglevLbConfig().getTableSize().getValue()
                        : 65537,
                c.hasCommonLbConfig() && c.getCommonLbConfig().hasLocalityWeightedLbConfig(),
                c.hasCommonLbConfig() && c.getCommonLbConfig().hasHealthyPanicThreshold()
                        ? (int) c.getCommonLbConfig().getHealthyPanicThreshold().getValue()
                        : 50);
        if (type == Cluster.DiscoveryType.ORIGINAL_DST
                && c.getLbPolicy() != io.envoyproxy.envoy.config.cluster.v3.Cluster.LbPolicy.CLUSTER_PROVIDED) {
            throw new ConfigException(where + ": type ORIGINAL_DST needs lb_policy CLUSTER_PROVIDED");
        }

        CircuitBreakers cb = CircuitBreakers.defaults();
        for (Thresholds t : c.getCircuitBreakers().getThresholdsList()) {
            if (t.getPriority() == RoutingPriority.DEFAULT) {
                cb = new CircuitBreakers(
                        Fields.uint32(t.hasMaxConnections(), t.getMaxConnections(), 1024),
                        Fields.uint32(t.hasMaxPendingRequests(), t.getMaxPendingRequests(), 1024),
                        Fields.uint32(t.hasMaxRequests(), t.getMaxRequests(), 1024),
                        Fields.uint32(t.hasMaxRetries(), t.getMaxRetries(), 3));
            }
        }

        UpstreamProtocol protocol = c.hasHttp2ProtocolOptions() ? UpstreamProtocol.HTTP2 : UpstreamProtocol.HTTP1;
        long idleTimeout = Fields.millis(
                c.getCommonHttpProtocolOptions().hasIdleTimeout(),
                c.getCommonHttpProtocolOptions().getIdleTimeout(),
                3_600_000);
        int maxRequests = c.hasMaxRequestsPerConnection()
                ? c.getMaxRequestsPerConnection().getValue()
                : 0;
        Map<String, Any> protocolOptions = Fields.hasEntries(c, "typed_extension_protocol_options")
                ? c.getTypedExtensionProtocolOptionsMap()
                : Map.of();
        for (Map.Entry<String, Any> e : protocolOptions.entrySet()) {
            if (!e.getKey().equals(HTTP_OPTIONS) && !e.getValue().getTypeUrl().endsWith("/" + HTTP_OPTIONS)) {
                throw new ConfigException(
                        where + ": typed_extension_protocol_options '" + e.getKey() + "' is not supported");
            }
            HttpProtocolOptions o;
            try {
                o = dev.trellis.proxy.config.Fields.unpack(e.getValue(), HttpProtocolOptions.class);
            } catch (InvalidProtocolBufferException ex) {
                throw new ConfigException(
                        where + ": typed_extension_protocol_options '" + e.getKey() + "': " + ex.getMessage());
            }
            Fields.requireOnly(
                    o,
                    where + " HttpProtocolOptions",
                    Set.of(
                            "common_http_protocol_options",
                            "explicit_http_config",
                            "use_downstream_protocol_config",
                            "auto_config",
                            "upstream_http_protocol_options"));
            if (o.hasExplicitHttpConfig()) {
                protocol = o.getExplicitHttpConfig().hasHttp2ProtocolOptions()
                        ? UpstreamProtocol.HTTP2
                        : UpstreamProtocol.HTTP1;
            } else if (o.hasUseDownstreamProtocolConfig()) {
                protocol = UpstreamProtocol.USE_DOWNSTREAM;
            } else if (o.hasAutoConfig()) {
                // Without TLS there is no ALPN to negotiate with, so AUTO speaks HTTP/1.1 as Envoy does.
                protocol = UpstreamProtocol.HTTP1;
            }
            if (o.hasCommonHttpProtocolOptions()) {
                var common = o.getCommonHttpProtocolOptions();
                if (common.hasIdleTimeout()) {
                    idleTimeout = Fields.millis(common.getIdleTimeout());
                }
                if (common.hasMaxRequestsPerConnection()) {
                    maxRequests = common.getMaxRequestsPerConnection().getValue();
                }
            }
        }
        if (c.hasLoadAssignment() && type == Cluster.DiscoveryType.EDS) {
            throw new ConfigException(
                    where + ": type EDS takes its endpoints from eds_cluster_config, not" + " load_assignment");
        }
        if (!c.hasLoadAssignment()
                && (type == Cluster.DiscoveryType.STRICT_DNS || type == Cluster.DiscoveryType.LOGICAL_DNS)) {
            throw new ConfigException(where + ": field 'load_assignment' is required for type " + type);
        }
        String unusable = null;
        if (c.hasTransportSocket()
                && !c.getTransportSocket().getTypedConfig().getTypeUrl().endsWith("raw_buffer.v3.RawBuffer")) {
            unusable = "upstream transport_socket " + c.getTransportSocket().getName()
                    + " (TLS) is not supported yet by Trellis";
            LOG.warn(where + ": " + unusable + "; requests to it will fail with 503 UF");
        }
        if (c.hasOutlierDetection()) {
            LOG.warn(where + ": outlier_detection is accepted but not enforced yet");
        }
        // HTTP/2 options are validated with the cluster (a bad value rejects the update, naming the field), even when
        // the cluster speaks HTTP/1.1 today: a later protocol change must not find them broken.
        dev.trellis.proxy.http2.Http2Options http2 = dev.trellis.proxy.http2.Http2Options.forCluster(c);
        return new Cluster(
                c.getName(),
                type,
                c.getEdsClusterConfig().getServiceName(),
                Fields.millis(c.hasConnectTimeout(), c.getConnectTimeout(), 5000),
                idleTimeout,
                maxRequests,
                protocol,
                policy,
                lb,
                cb,
                new ClusterStats(stats, c.getAltStatName().isEmpty() ? c.getName() : c.getAltStatName()),
                c,
                version,
                c.getOriginalDstLbConfig().getUseHttpHeader(),
                unusable,
                http2);
    }

    private static final dev.trellis.proxy.log.Log LOG = dev.trellis.proxy.log.Log.of(ClusterCompiler.class);
}
