package dev.trellis.control.networking.route;

import dev.trellis.control.model.MeshSettings;
import dev.trellis.control.model.Proxy;
import dev.trellis.control.model.Service;
import dev.trellis.control.model.ServicePort;
import dev.trellis.control.networking.Envoy;
import dev.trellis.control.networking.listener.ListenerBuilder;
import dev.trellis.control.networking.listener.SidecarListeners;
import dev.trellis.control.push.PushContext;
import dev.trellis.xds.naming.ClusterName;
import dev.trellis.xds.naming.ResourceNames;
import io.envoyproxy.envoy.config.route.v3.DirectResponseAction;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Builds route configurations. */
public final class RouteBuilder {

    private RouteBuilder() {}

    /**
     * The route configuration named {@code name} for {@code proxy}: a port number for sidecars, {@code inbound|p||}
     * for inbound, {@code host:port} for proxyless gRPC; null if the name means nothing for this proxy.
     */
    public static RouteConfiguration build(Proxy proxy, PushContext push, String name) {
        ClusterName inbound = ClusterName.tryParse(name);
        if (inbound != null && inbound.direction() == ClusterName.Direction.INBOUND) {
            return inbound(inbound.port());
        }
        int port = parsePort(name);
        if (port > 0) {
            return outbound(proxy, push, port);
        }
        return ProxylessNames.resolve(proxy, push, name)
                .map(t -> proxyless(proxy, push, name, t.service(), t.port()))
                .orElse(null);
    }

    /** The sidecar's route configuration for HTTP port {@code port}: a virtual host per service on that port. */
    public static RouteConfiguration outbound(Proxy proxy, PushContext push, int port) {
        RouteConfiguration.Builder rc = RouteConfiguration.newBuilder()
                .setName(ResourceNames.routeConfigName(port))
                .setValidateClusters(com.google.protobuf.BoolValue.of(false));
        Set<String> claimed = new LinkedHashSet<>();
        // A Sidecar egress listener on this port narrows the route configuration to its own hosts.
        SidecarListeners sidecar = SidecarListeners.of(push);
        SidecarListeners.Egress egress = sidecar.egressWithPort(proxy).stream()
                .filter(e -> e.port() == port && e.protocol().isHttp())
                .findFirst()
                .orElse(null);
        for (Service s : push.visibleServices(proxy)) {
            ServicePort p = egress == null ? s.port(port).orElse(null) : ListenerBuilder.egressPort(s, port);
            boolean selected =
                    egress != null ? sidecar.egressSelects(proxy, egress, s) : sidecar.catchAllSelects(proxy, s);
            if (p == null || !p.protocol().isHttp() || !selected) {
                continue;
            }
            List<String> domains = new ArrayList<>();
            for (String d : s.domains(proxy.namespace(), port, push.mesh().domainSuffix())) {
                // Two services must not claim one domain (Envoy rejects the route configuration): first wins.
                if (claimed.add(d)) {
                    domains.add(d);
                }
            }
            if (domains.isEmpty()) {
                continue;
            }
            rc.addVirtualHosts(VirtualHost.newBuilder()
                    .setName(ResourceNames.virtualHostName(s.hostname(), port))
                    .addAllDomains(domains)
                    .addAllRoutes(routes(proxy, push, s, p.port())));
        }
        rc.addVirtualHosts(catchAll(push.mesh(proxy)));
        return rc.build();
    }

    /** The VirtualService's routes, else one route sending everything to the service-level cluster. */
    static List<Route> routes(Proxy proxy, PushContext push, Service s, int port) {
        List<Route> routes = push.routing().httpRoutes(proxy, push, s, port);
        var hash = push.routing().hashPolicies(proxy, s, port);
        if (routes == null) {
            routes = List.of(defaultOutboundRoute(
                    ClusterName.outbound(port, s.hostname()).toString(), !hash.isEmpty()));
        }
        if (hash.isEmpty()) {
            return routes;
        }
        List<Route> out = new ArrayList<>(routes.size());
        for (Route r : routes) {
            out.add(
                    r.hasRoute()
                            ? r.toBuilder()
                                    .setRoute(r.getRoute().toBuilder().addAllHashPolicy(hash))
                                    .build()
                            : r);
        }
        return out;
    }

    /**
     * Istio's default outbound route: any path, no timeout (Envoy's 15s default is disabled), and Istio's default retry
     * policy (see {@link Retries}).
     */
    public static Route defaultOutboundRoute(String cluster, boolean consistentHash) {
        Route r = defaultRoute(cluster);
        return r.toBuilder()
                .setRoute(r.getRoute().toBuilder().setRetryPolicy(Retries.defaultPolicy(consistentHash)))
                .build();
    }

    /** A route for any path with no timeout (Envoy's 15s default is disabled) and no retries: Istio's inbound route. */
    public static Route defaultRoute(String cluster) {
        return Route.newBuilder()
                .setName("default")
                .setMatch(RouteMatch.newBuilder().setPrefix("/"))
                .setRoute(RouteAction.newBuilder().setCluster(cluster).setTimeout(Envoy.millis(0)))
                .build();
    }

    private static VirtualHost catchAll(MeshSettings mesh) {
        if (mesh.outboundPolicy() == MeshSettings.OutboundTrafficPolicy.ALLOW_ANY) {
            return VirtualHost.newBuilder()
                    .setName(ResourceNames.ALLOW_ANY_VIRTUAL_HOST)
                    .addDomains("*")
                    .addRoutes(Route.newBuilder()
                            .setName(ResourceNames.ALLOW_ANY_VIRTUAL_HOST)
                            .setMatch(RouteMatch.newBuilder().setPrefix("/"))
                            .setRoute(RouteAction.newBuilder()
                                    .setCluster(ResourceNames.PASSTHROUGH_CLUSTER)
                                    .setTimeout(Envoy.millis(0))))
                    .build();
        }
        return VirtualHost.newBuilder()
                .setName(ResourceNames.BLOCK_ALL_VIRTUAL_HOST)
                .addDomains("*")
                .addRoutes(Route.newBuilder()
                        .setName(ResourceNames.BLOCK_ALL_VIRTUAL_HOST)
                        .setMatch(RouteMatch.newBuilder().setPrefix("/"))
                        .setDirectResponse(DirectResponseAction.newBuilder().setStatus(502)))
                .build();
    }

    /** The inbound route configuration: everything to the application's port. */
    public static RouteConfiguration inbound(int port) {
        String name = ResourceNames.inboundRouteConfigName(port);
        return RouteConfiguration.newBuilder()
                .setName(name)
                .setValidateClusters(com.google.protobuf.BoolValue.of(false))
                .addVirtualHosts(VirtualHost.newBuilder()
                        .setName("inbound|http|" + port)
                        .addDomains("*")
                        .addRoutes(defaultRoute(name)))
                .build();
    }

    /** A proxyless gRPC client's route configuration: one virtual host whose domain is the target it dialed. */
    public static RouteConfiguration proxyless(Proxy proxy, PushContext push, String name, Service s, int port) {
        List<Route> routes = new ArrayList<>();
        for (Route r : routes(proxy, push, s, port)) {
            // Per-route config for filters grpc-java does not implement would be NACKed: keep only the fault filter's.
            Route.Builder b = r.toBuilder();
            for (String filter : r.getTypedPerFilterConfigMap().keySet()) {
                if (!filter.equals(dev.trellis.control.networking.listener.HttpFilters.FAULT)) {
                    b.removeTypedPerFilterConfig(filter);
                }
            }
            routes.add(b.build());
        }
        return RouteConfiguration.newBuilder()
                .setName(name)
                .addVirtualHosts(
                        VirtualHost.newBuilder().setName(name).addDomains(name).addAllRoutes(routes))
                .build();
    }

    static int parsePort(String name) {
        if (name.isEmpty() || name.length() > 5) {
            return -1;
        }
        for (int i = 0; i < name.length(); i++) {
            if (!Character.isDigit(name.charAt(i))) {
                return -1;
            }
        }
        int p = Integer.parseInt(name);
        return p >= 1 && p <= 65535 ? p : -1;
    }
}
