package dev.trellis.control.networking.listener;

import com.google.protobuf.BoolValue;
import com.google.protobuf.UInt32Value;
import dev.trellis.control.model.MeshSettings;
import dev.trellis.control.model.Proxy;
import dev.trellis.control.model.Service;
import dev.trellis.control.model.ServiceInstance;
import dev.trellis.control.model.ServicePort;
import dev.trellis.control.networking.Envoy;
import dev.trellis.control.networking.cluster.ClusterBuilder;
import dev.trellis.control.networking.route.ProxylessNames;
import dev.trellis.control.push.PushContext;
import dev.trellis.xds.naming.ClusterName;
import dev.trellis.xds.naming.ResourceNames;
import io.envoyproxy.envoy.config.core.v3.CidrRange;
import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.listener.v3.ApiListener;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.listener.original_dst.v3.OriginalDst;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Builds a proxy's listeners. */
public final class ListenerBuilder {

    public static final String HCM = "envoy.filters.network.http_connection_manager";
    public static final String TCP_PROXY = "envoy.filters.network.tcp_proxy";
    public static final String ROUTER = "envoy.filters.http.router";
    public static final String ORIGINAL_DST = "envoy.filters.listener.original_dst";

    private ListenerBuilder() {}

    /** Every listener a sidecar gets (for proxyless clients, see {@link #proxyless}). */
    public static List<Listener> sidecar(Proxy proxy, PushContext push) {
        List<Listener> out = new ArrayList<>();
        if (!interceptionNone(proxy)) {
            out.add(virtualOutbound(push.mesh(proxy)));
        }
        out.addAll(outbound(proxy, push));
        if (!interceptionNone(proxy)) {
            out.add(virtualInbound(proxy, push));
        }
        return out;
    }

    /**
     * {@code INTERCEPTION_MODE: NONE} (Istio): nothing redirects traffic to the proxy, so applications dial the
     * outbound listeners themselves. As Istio, those bind their port on 127.0.0.1 (named {@code 127.0.0.1_<port>}), and
     * there are no virtual listeners (15001/15006) since no connection could carry an original destination.
     */
    public static boolean interceptionNone(Proxy proxy) {
        return "NONE".equals(proxy.metadata().interceptionMode());
    }

    private static final String LOCALHOST = "127.0.0.1";

    /**
     * Every listener that depends only on the proxy's view of the mesh (so proxies of one view share them): one per
     * outbound port of the services its Sidecar's catch-all egress selects (HTTP ports share {@code 0.0.0.0_<port>}
     * with RDS; TCP services get {@code <vip>_<port>}, or {@code 0.0.0.0_<port>} when they have no VIP and no HTTP
     * service took the port), one per Sidecar egress listener with a port ({@link #egressListeners}), and the Sidecar
     * ingress listeners that bind their own port ({@link #boundInbound}, traffic direction INBOUND).
     */
    public static List<Listener> outbound(Proxy proxy, PushContext push) {
        boolean bind = interceptionNone(proxy);
        String wildcard = bind ? LOCALHOST : ResourceNames.WILDCARD_ADDRESS;
        SidecarListeners sidecar = SidecarListeners.of(push);
        List<SidecarListeners.Egress> egress = sidecar.egressWithPort(proxy);
        // Ports an egress listener declares are served by that listener only (Istio: the catch-all skips them).
        java.util.Set<Integer> claimed = new java.util.HashSet<>();
        for (SidecarListeners.Egress e : egress) {
            claimed.add(e.port());
        }
        TreeMap<Integer, Boolean> httpPorts = new TreeMap<>();
        Map<String, Listener> tcp = new TreeMap<>();
        List<Service> visible = new ArrayList<>();
        for (Service s : push.visibleServices(proxy)) {
            if (sidecar.catchAllSelects(proxy, s)) {
                visible.add(s);
            }
        }
        for (Service s : visible) {
            for (ServicePort p : s.ports()) {
                if (p.protocol().isHttp() && !claimed.contains(p.port())) {
                    httpPorts.put(p.port(), true);
                }
            }
        }
        for (Service s : visible) {
            for (ServicePort p : s.ports()) {
                if (!p.protocol().isTcp() || claimed.contains(p.port())) {
                    continue;
                }
                String address = s.vip().orElse(null);
                if (address == null) {
                    if (httpPorts.containsKey(p.port())) {
                        continue; // Istio gives the wildcard port to HTTP; this TCP service is reached by VIP only.
                    }
                    address = wildcard;
                }
                String name = ResourceNames.listenerName(address, p.port());
                tcp.putIfAbsent(
                        name,
                        listener(name, address, p.port(), TrafficDirection.OUTBOUND, bind && address.equals(wildcard))
                                .addFilterChains(FilterChain.newBuilder()
                                        .addFilters(tcpProxy(
                                                ClusterName.outbound(p.port(), s.hostname())
                                                        .toString(),
                                                push.routing().tcpRoute(proxy, push, s, p.port()),
                                                ClusterName.outbound(p.port(), s.hostname())
                                                        .toString())))
                                .build());
            }
        }
        List<Listener> out = new ArrayList<>();
        for (int port : httpPorts.keySet()) {
            String name = ResourceNames.listenerName(wildcard, port);
            out.add(listener(name, wildcard, port, TrafficDirection.OUTBOUND, bind)
                    .addFilterChains(FilterChain.newBuilder()
                            .addFilters(httpConnectionManager(
                                    "outbound_0.0.0.0_" + port,
                                    ResourceNames.routeConfigName(port),
                                    push.routing().httpFilters())))
                    .build());
        }
        out.addAll(tcp.values());
        out.addAll(egressListeners(proxy, push, egress));
        // A Sidecar ingress listener that binds its port takes the name; an outbound one of the same name yields.
        List<Listener> bound = boundInbound(proxy, push);
        java.util.Set<String> inboundNames = new java.util.HashSet<>();
        bound.forEach(l -> inboundNames.add(l.getName()));
        out.removeIf(l -> inboundNames.contains(l.getName()));
        out.addAll(bound);
        return out;
    }

    /**
     * Listeners of a Sidecar's egress listeners that name a port: bound to their {@code bind} address, else 127.0.0.1
     * when they bind their port (capture mode NONE) and the wildcard otherwise, as Istio. HTTP gets a connection manager
     * with the port's route configuration (which then holds only this listener's hosts); TCP proxies to the first
     * selected service (by hostname) on that port, or on its only port, at its VIP when no address was given.
     */
    static List<Listener> egressListeners(Proxy proxy, PushContext push, List<SidecarListeners.Egress> egress) {
        SidecarListeners sidecar = SidecarListeners.of(push);
        Map<String, Listener> out = new java.util.LinkedHashMap<>();
        for (SidecarListeners.Egress e : egress) {
            boolean bindToPort = SidecarListeners.bindToPort(e.capture(), proxy);
            String address = !e.bind().isEmpty() ? e.bind() : bindToPort ? LOCALHOST : ResourceNames.WILDCARD_ADDRESS;
            if (e.protocol().isHttp()) {
                String name = ResourceNames.listenerName(address, e.port());
                out.putIfAbsent(
                        name,
                        listener(name, address, e.port(), TrafficDirection.OUTBOUND, bindToPort)
                                .addFilterChains(FilterChain.newBuilder()
                                        .addFilters(httpConnectionManager(
                                                "outbound_" + address + "_" + e.port(),
                                                ResourceNames.routeConfigName(e.port()),
                                                push.routing().httpFilters())))
                                .build());
                continue;
            }
            for (Service s : push.visibleServices(proxy)) {
                ServicePort p = egressPort(s, e.port());
                if (p == null || !sidecar.egressSelects(proxy, e, s)) {
                    continue;
                }
                String at = e.bind().isEmpty() && !bindToPort ? s.vip().orElse(address) : address;
                String name = ResourceNames.listenerName(at, e.port());
                String cluster = ClusterName.outbound(p.port(), s.hostname()).toString();
                out.putIfAbsent(
                        name,
                        listener(name, at, e.port(), TrafficDirection.OUTBOUND, bindToPort)
                                .addFilterChains(FilterChain.newBuilder()
                                        .addFilters(tcpProxy(
                                                cluster, push.routing().tcpRoute(proxy, push, s, p.port()), cluster)))
                                .build());
            }
        }
        return List.copyOf(out.values());
    }

    /**
     * The service port an egress listener on {@code port} reaches: the one with that number, else the service's only
     * port (Istio: "if it does not match any service port and the service has only one port, we pick it").
     */
    public static ServicePort egressPort(Service s, int port) {
        ServicePort p = s.port(port).orElse(null);
        if (p == null && s.ports().size() == 1) {
            p = s.ports().getFirst();
        }
        return p;
    }

    /**
     * Listeners of the Sidecar's ingress that bind their own port (capture mode NONE, or DEFAULT on a proxy that
     * intercepts nothing): {@code <bind>_<port>} on the given address or the wildcard, with the same filter chain the
     * virtual inbound listener would have, and no original-destination filter.
     */
    public static List<Listener> boundInbound(Proxy proxy, PushContext push) {
        List<Listener> out = new ArrayList<>();
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (SidecarListeners.Ingress i : SidecarListeners.of(push).ingress(proxy)) {
            if (!seen.add(i.port()) || !SidecarListeners.bindToPort(i.capture(), proxy)) {
                continue;
            }
            String address = i.bind().isEmpty() ? ResourceNames.WILDCARD_ADDRESS : i.bind();
            String name = ResourceNames.listenerName(address, i.port());
            out.add(listener(name, address, i.port(), TrafficDirection.INBOUND, true)
                    .addFilterChains(inboundChain(i.port(), i.protocol().isHttp(), address, false))
                    .build());
        }
        return out;
    }

    private static Listener.Builder listener(
            String name, String address, int port, TrafficDirection dir, boolean bindToPort) {
        return Listener.newBuilder()
                .setName(name)
                .setAddress(Envoy.address(address, port))
                .setTrafficDirection(dir)
                .setBindToPort(BoolValue.of(bindToPort));
    }

    /** 15001: hands each connection to the listener of its original destination, else passes it through or drops it. */
    public static Listener virtualOutbound(MeshSettings mesh) {
        String fallback = mesh.outboundPolicy() == MeshSettings.OutboundTrafficPolicy.ALLOW_ANY
                ? ResourceNames.PASSTHROUGH_CLUSTER
                : ResourceNames.BLACKHOLE_CLUSTER;
        return Listener.newBuilder()
                .setName(ResourceNames.VIRTUAL_OUTBOUND)
                .setAddress(Envoy.address(ResourceNames.WILDCARD_ADDRESS, ResourceNames.VIRTUAL_OUTBOUND_PORT))
                .setTrafficDirection(TrafficDirection.OUTBOUND)
                .setUseOriginalDst(BoolValue.of(true))
                .addFilterChains(FilterChain.newBuilder().setName(fallback).addFilters(tcpProxy(fallback, fallback)))
                .build();
    }

    /**
     * 15006: recovers the original destination, then picks a filter chain by destination port: HTTP ports get an
     * HTTP connection manager routing to {@code inbound|<port>||}, others a TCP proxy; unknown ports pass through.
     */
    public static Listener virtualInbound(Proxy proxy, PushContext push) {
        Listener.Builder l = Listener.newBuilder()
                .setName(ResourceNames.VIRTUAL_INBOUND)
                .setAddress(Envoy.address(ResourceNames.WILDCARD_ADDRESS, ResourceNames.VIRTUAL_INBOUND_PORT))
                .setTrafficDirection(TrafficDirection.INBOUND)
                .addListenerFilters(ListenerFilter.newBuilder()
                        .setName(ORIGINAL_DST)
                        .setTypedConfig(Envoy.any(OriginalDst.getDefaultInstance())));
        List<SidecarListeners.Ingress> ingress = SidecarListeners.of(push).ingress(proxy);
        if (!ingress.isEmpty()) {
            // A Sidecar with ingress listeners replaces the chains derived from the workload's service ports.
            TreeMap<Integer, SidecarListeners.Ingress> byPort = new TreeMap<>();
            for (SidecarListeners.Ingress i : ingress) {
                byPort.putIfAbsent(i.port(), i);
            }
            for (SidecarListeners.Ingress i : byPort.values()) {
                if (!SidecarListeners.bindToPort(i.capture(), proxy)) {
                    l.addFilterChains(
                            inboundChain(i.port(), i.protocol().isHttp(), ResourceNames.WILDCARD_ADDRESS, true));
                }
            }
        } else {
            TreeMap<Integer, Boolean> ports = new TreeMap<>();
            for (ServiceInstance i : push.proxyInstances(proxy)) {
                ports.merge(i.endpointPort(), i.servicePort().protocol().isHttp(), Boolean::logicalOr);
            }
            for (Map.Entry<String, Integer> e : proxy.metadata().workloadPorts().entrySet()) {
                ports.putIfAbsent(
                        e.getValue(),
                        dev.trellis.control.model.Protocol.of(e.getKey(), null).isHttp());
            }
            for (int port : ClusterBuilder.inboundPorts(proxy, push)) {
                l.addFilterChains(
                        inboundChain(port, ports.getOrDefault(port, false), ResourceNames.WILDCARD_ADDRESS, true));
            }
        }
        l.addFilterChains(FilterChain.newBuilder()
                .setName(ResourceNames.INBOUND_PASSTHROUGH_CLUSTER)
                .setFilterChainMatch(FilterChainMatch.newBuilder()
                        .addPrefixRanges(CidrRange.newBuilder()
                                .setAddressPrefix("0.0.0.0")
                                .setPrefixLen(UInt32Value.of(0))))
                .addFilters(tcpProxy(
                        ResourceNames.INBOUND_PASSTHROUGH_CLUSTER, ResourceNames.INBOUND_PASSTHROUGH_CLUSTER)));
        return l.build();
    }

    /**
     * The inbound filter chain for {@code port}: an HTTP connection manager with the route configuration
     * {@code inbound|<port>||}, else a TCP proxy to the cluster of that name; matched by destination port inside the
     * virtual inbound listener.
     */
    static FilterChain inboundChain(int port, boolean http, String address, boolean matchPort) {
        String cluster = ClusterName.inbound(port).toString();
        FilterChain.Builder fc = FilterChain.newBuilder().setName(cluster);
        if (matchPort) {
            fc.setFilterChainMatch(FilterChainMatch.newBuilder().setDestinationPort(UInt32Value.of(port)));
        }
        String stat = "inbound_" + address + "_" + port;
        if (http) {
            fc.addFilters(httpConnectionManager(stat, ResourceNames.inboundRouteConfigName(port), List.of()));
        } else {
            fc.addFilters(tcpProxy(stat, cluster));
        }
        return fc.build();
    }

    /**
     * The API listener a proxyless gRPC client asked for by the {@code host:port} it dialed; null when that names no
     * service this client can see. Its route configuration is served by RDS under the same name.
     */
    public static Listener proxyless(Proxy proxy, PushContext push, String name) {
        if (ProxylessNames.resolve(proxy, push, name).isEmpty()) {
            return null;
        }
        HttpConnectionManager.Builder hcm = HttpConnectionManager.newBuilder()
                .setStatPrefix(name)
                .setRds(Rds.newBuilder().setConfigSource(Envoy.ads()).setRouteConfigName(name));
        // grpc-java implements the fault filter but not CORS (which gRPC does not need): offer only what it supports.
        if (push.routing().httpFilters().contains(HttpFilters.FAULT)) {
            hcm.addHttpFilters(HttpFilters.byName(HttpFilters.FAULT));
        }
        hcm.addHttpFilters(routerFilter());
        return Listener.newBuilder()
                .setName(name)
                .setApiListener(ApiListener.newBuilder().setApiListener(Envoy.any(hcm.build())))
                .build();
    }

    static Filter httpConnectionManager(String statPrefix, String routeConfigName, List<String> filtersBeforeRouter) {
        HttpConnectionManager.Builder hcm = HttpConnectionManager.newBuilder()
                .setStatPrefix(statPrefix)
                .setRds(Rds.newBuilder().setConfigSource(Envoy.ads()).setRouteConfigName(routeConfigName));
        for (String f : filtersBeforeRouter) {
            hcm.addHttpFilters(HttpFilters.byName(f));
        }
        hcm.addHttpFilters(routerFilter());
        return Filter.newBuilder()
                .setName(HCM)
                .setTypedConfig(Envoy.any(hcm.build()))
                .build();
    }

    /** The router must be the last HTTP filter: Envoy and grpc-java reject a chain without it there. */
    static HttpFilter routerFilter() {
        return HttpFilter.newBuilder()
                .setName(ROUTER)
                .setTypedConfig(Envoy.any(Router.getDefaultInstance()))
                .build();
    }

    /** A TCP proxy to a VirtualService's TCP route targets (weighted when several), else to {@code fallback}. */
    static Filter tcpProxy(
            String statPrefix, List<dev.trellis.control.push.RoutingConfig.TcpTarget> targets, String fallback) {
        if (targets == null || targets.isEmpty()) {
            return tcpProxy(statPrefix, fallback);
        }
        if (targets.size() == 1) {
            return tcpProxy(statPrefix, targets.getFirst().cluster());
        }
        TcpProxy.WeightedCluster.Builder wc = TcpProxy.WeightedCluster.newBuilder();
        for (var t : targets) {
            wc.addClusters(TcpProxy.WeightedCluster.ClusterWeight.newBuilder()
                    .setName(t.cluster())
                    .setWeight(t.weight()));
        }
        return Filter.newBuilder()
                .setName(TCP_PROXY)
                .setTypedConfig(Envoy.any(TcpProxy.newBuilder()
                        .setStatPrefix(statPrefix)
                        .setWeightedClusters(wc)
                        .build()))
                .build();
    }

    static Filter tcpProxy(String statPrefix, String cluster) {
        return Filter.newBuilder()
                .setName(TCP_PROXY)
                .setTypedConfig(Envoy.any(TcpProxy.newBuilder()
                        .setStatPrefix(statPrefix)
                        .setCluster(cluster)
                        .build()))
                .build();
    }
}
