package dev.trellis.control.push;

import dev.trellis.control.model.MeshSettings;
import dev.trellis.control.model.Proxy;
import dev.trellis.control.model.Service;

/**
 * The routing config of one push (VirtualService, DestinationRule, Sidecar), indexed for the generators. The empty
 * config routes every service port to its service-level cluster with default cluster settings.
 */
public class RoutingConfig {

    public static final RoutingConfig EMPTY = new RoutingConfig();

    protected RoutingConfig() {}

    /** Whether the Sidecar resource that applies to {@code proxy} lets it see {@code service}; true without one. */
    public boolean sidecarAllows(Proxy proxy, Service service, MeshSettings mesh) {
        return true;
    }

    /**
     * The labels of subset {@code subset} of {@code hostname} in the DestinationRule that applies to a proxy in
     * {@code proxyNamespace}; null if no such subset exists.
     */
    public java.util.Map<String, String> subsetLabels(String proxyNamespace, String hostname, String subset) {
        return null;
    }

    /**
     * The routes a VirtualService defines for {@code service} on {@code port} as {@code proxy} sees it, first match
     * first; null when no VirtualService applies, so the builder routes everything to the service-level cluster.
     */
    public java.util.List<io.envoyproxy.envoy.config.route.v3.Route> httpRoutes(
            Proxy proxy, PushContext push, Service service, int port) {
        return null;
    }

    /**
     * The hash policies a consistent-hash load balancer for {@code service} on {@code port} needs on the routes that
     * lead to it (DestinationRule {@code consistentHash}); empty when it has none.
     */
    public java.util.List<io.envoyproxy.envoy.config.route.v3.RouteAction.HashPolicy> hashPolicies(
            Proxy proxy, Service service, int port) {
        return java.util.List.of();
    }

    /** The outbound traffic policy for a proxy: its Sidecar's {@code outboundTrafficPolicy}, else the mesh's. */
    public MeshSettings.OutboundTrafficPolicy outboundPolicy(Proxy proxy, MeshSettings mesh) {
        return mesh.outboundPolicy();
    }

    /** One destination of a TCP route: a cluster and its weight. */
    public record TcpTarget(String cluster, int weight) {}

    /**
     * Where a VirtualService's TCP route sends connections to {@code service} on {@code port} from {@code proxy};
     * null when no VirtualService TCP route applies (the service-level cluster).
     */
    public java.util.List<TcpTarget> tcpRoute(Proxy proxy, PushContext push, Service service, int port) {
        return null;
    }

    /** The HTTP filters the routes of this config need before the router (fault, cors), by filter name. */
    public java.util.List<String> httpFilters() {
        return java.util.List.of();
    }

    /**
     * Whether what a proxy sees depends on its labels (VirtualService sourceLabels, DestinationRule or Sidecar
     * workload selectors); if not, proxies of one namespace share generated config.
     */
    public boolean labelSensitive() {
        return false;
    }

    /** How DestinationRules shape this proxy's clusters. */
    public dev.trellis.control.networking.cluster.ClusterPolicy clusterPolicy() {
        return dev.trellis.control.networking.cluster.ClusterPolicy.NONE;
    }
}
