package dev.trellis.control.networking.cluster;

import dev.trellis.control.model.Proxy;
import dev.trellis.control.model.Resolution;
import dev.trellis.control.model.Service;
import dev.trellis.control.model.ServiceInstance;
import dev.trellis.control.model.ServicePort;
import dev.trellis.control.networking.Envoy;
import dev.trellis.control.networking.listener.SidecarListeners;
import dev.trellis.control.push.PushContext;
import dev.trellis.xds.naming.ClusterName;
import dev.trellis.xds.naming.ResourceNames;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import java.util.ArrayList;
import java.util.List;

/** Builds a proxy's clusters. */
public final class ClusterBuilder {

    static final String HTTP_PROTOCOL_OPTIONS = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";
    /** Istio's default connect timeout. */
    static final long CONNECT_TIMEOUT_MS = 10_000;

    private final ClusterPolicy policy;

    public ClusterBuilder(ClusterPolicy policy) {
        this.policy = policy;
    }

    public ClusterBuilder() {
        this(ClusterPolicy.NONE);
    }

    /** Every cluster a sidecar needs: outbound per visible service port and subset, inbound, and the special ones. */
    public List<Cluster> sidecarClusters(Proxy proxy, PushContext push) {
        List<Cluster> out = new ArrayList<>();
        for (Service s : push.visibleServices(proxy)) {
            for (ServicePort p : s.ports()) {
                out.addAll(outboundClusters(proxy, push, s, p));
            }
        }
        out.add(passthrough(ResourceNames.PASSTHROUGH_CLUSTER));
        out.add(blackhole());
        if (!proxy.proxyless()) {
            out.addAll(inboundClusters(proxy, push));
            out.add(passthrough(ResourceNames.INBOUND_PASSTHROUGH_CLUSTER));
        }
        return out;
    }

    /** The service-level cluster and one per subset that the DestinationRule for this host defines. */
    public List<Cluster> outboundClusters(Proxy proxy, PushContext push, Service s, ServicePort p) {
        List<Cluster> out = new ArrayList<>();
        ClusterName base = ClusterName.outbound(p.port(), s.hostname());
        out.add(policy.apply(proxy, push, s, p, base, outbound(push, s, p, base)));
        for (String subset : policy.subsets(proxy, push, s)) {
            ClusterName sub = ClusterName.outbound(p.port(), subset, s.hostname());
            out.add(policy.apply(proxy, push, s, p, sub, outbound(push, s, p, sub)));
        }
        return out;
    }

    /** An outbound cluster before any DestinationRule: how endpoints are found follows the service's resolution. */
    public static Cluster outbound(PushContext push, Service s, ServicePort p, ClusterName name) {
        Cluster.Builder c =
                Cluster.newBuilder().setName(name.toString()).setConnectTimeout(Envoy.millis(CONNECT_TIMEOUT_MS));
        switch (s.resolution()) {
            case STATIC ->
                c.setType(Cluster.DiscoveryType.EDS)
                        .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder()
                                .setEdsConfig(Envoy.ads())
                                .setServiceName(name.toString()));
            case NONE -> c.setType(Cluster.DiscoveryType.ORIGINAL_DST).setLbPolicy(Cluster.LbPolicy.CLUSTER_PROVIDED);
            case DNS, DNS_ROUND_ROBIN -> {
                c.setType(
                        s.resolution() == Resolution.DNS
                                ? Cluster.DiscoveryType.STRICT_DNS
                                : Cluster.DiscoveryType.LOGICAL_DNS);
                c.setLoadAssignment(dnsTargets(push, s, p, name));
            }
        }
        if (p.protocol().isHttp2()) {
            c.putTypedExtensionProtocolOptions(
                    HTTP_PROTOCOL_OPTIONS,
                    Envoy.any(HttpProtocolOptions.newBuilder()
                            .setExplicitHttpConfig(HttpProtocolOptions.ExplicitHttpConfig.newBuilder()
                                    .setHttp2ProtocolOptions(Http2ProtocolOptions.getDefaultInstance()))
                            .build()));
        }
        return c.build();
    }

    /** DNS clusters carry their targets inline: the endpoints' hostnames, or the service host itself. */
    private static ClusterLoadAssignment dnsTargets(PushContext push, Service s, ServicePort p, ClusterName name) {
        LocalityLbEndpoints.Builder group = LocalityLbEndpoints.newBuilder();
        List<ServiceInstance> instances = push.instances(s.hostname(), p.port());
        if (instances.isEmpty()) {
            if (!s.wildcard()) {
                group.addLbEndpoints(lb(s.hostname(), p.port()));
            }
        } else {
            for (ServiceInstance i : instances) {
                group.addLbEndpoints(lb(i.workload().address(), i.endpointPort()));
            }
        }
        ClusterLoadAssignment.Builder cla = ClusterLoadAssignment.newBuilder().setClusterName(name.toString());
        if (group.getLbEndpointsCount() > 0) {
            cla.addEndpoints(
                    group.setLoadBalancingWeight(com.google.protobuf.UInt32Value.of(group.getLbEndpointsCount())));
        }
        return cla.build();
    }

    private static LbEndpoint lb(String host, int port) {
        return LbEndpoint.newBuilder()
                .setEndpoint(Endpoint.newBuilder().setAddress(Envoy.address(host, port)))
                .build();
    }

    /** {@code inbound|<port>||}: the application on loopback. */
    public static Cluster inbound(int port) {
        String name = ClusterName.inbound(port).toString();
        return Cluster.newBuilder()
                .setName(name)
                .setType(Cluster.DiscoveryType.STATIC)
                .setConnectTimeout(Envoy.millis(CONNECT_TIMEOUT_MS))
                .setLoadAssignment(ClusterLoadAssignment.newBuilder()
                        .setClusterName(name)
                        .addEndpoints(LocalityLbEndpoints.newBuilder()
                                .setLoadBalancingWeight(com.google.protobuf.UInt32Value.of(1))
                                .addLbEndpoints(lb("127.0.0.1", port))))
                .build();
    }

    /** Sends traffic to where it was going (ORIGINAL_DST): PassthroughCluster and InboundPassthroughCluster. */
    public static Cluster passthrough(String name) {
        return Cluster.newBuilder()
                .setName(name)
                .setType(Cluster.DiscoveryType.ORIGINAL_DST)
                .setLbPolicy(Cluster.LbPolicy.CLUSTER_PROVIDED)
                .setConnectTimeout(Envoy.millis(CONNECT_TIMEOUT_MS))
                .build();
    }

    /** A cluster with no endpoints: every connection to it fails (REGISTRY_ONLY). */
    public static Cluster blackhole() {
        return Cluster.newBuilder()
                .setName(ResourceNames.BLACKHOLE_CLUSTER)
                .setType(Cluster.DiscoveryType.STATIC)
                .setConnectTimeout(Envoy.millis(CONNECT_TIMEOUT_MS))
                .build();
    }

    /**
     * This proxy's {@code inbound|<port>||} clusters: one per port of its Sidecar's {@code ingress} listeners, sent to
     * their {@code defaultEndpoint}, when it has any; else one per {@link #inboundPorts} port to the application on
     * 127.0.0.1. What a generator should serve as the proxy's inbound clusters (they depend on the proxy's Sidecar and
     * addresses, so cannot be shared by port alone when a Sidecar declares ingress).
     */
    public static List<Cluster> inboundClusters(Proxy proxy, PushContext push) {
        SidecarListeners sidecar = SidecarListeners.of(push);
        List<SidecarListeners.Ingress> ingress = sidecar.ingress(proxy);
        List<Cluster> out = new ArrayList<>();
        if (ingress.isEmpty()) {
            for (int port : inboundPorts(proxy, push)) {
                out.add(sidecar.inboundPolicy(proxy, port, inbound(port)));
            }
            return out;
        }
        java.util.TreeMap<Integer, SidecarListeners.Ingress> byPort = new java.util.TreeMap<>();
        for (SidecarListeners.Ingress i : ingress) {
            byPort.putIfAbsent(i.port(), i);
        }
        for (SidecarListeners.Ingress i : byPort.values()) {
            out.add(sidecar.inboundPolicy(proxy, i.port(), inbound(i.port(), i.defaultEndpoint(), proxy.ips())));
        }
        return out;
    }

    /**
     * {@code inbound|<port>||} for a Sidecar ingress listener, as Istio resolves {@code defaultEndpoint}:
     * {@code unix:///path} is a pipe; {@code 127.0.0.1:p} and {@code [::1]:p} loopback; {@code 0.0.0.0:p} the
     * workload's first IPv4 address ({@code [::]:p} its first IPv6), else loopback; any other address as given. Without
     * a default endpoint the cluster is ORIGINAL_DST: traffic goes where it was addressed.
     */
    public static Cluster inbound(int port, String defaultEndpoint, List<String> proxyIps) {
        String name = ClusterName.inbound(port).toString();
        Cluster.Builder c = Cluster.newBuilder().setName(name).setConnectTimeout(Envoy.millis(CONNECT_TIMEOUT_MS));
        if (defaultEndpoint == null || defaultEndpoint.isEmpty()) {
            return c.setType(Cluster.DiscoveryType.ORIGINAL_DST)
                    .setLbPolicy(Cluster.LbPolicy.CLUSTER_PROVIDED)
                    .build();
        }
        io.envoyproxy.envoy.config.core.v3.Address address;
        if (defaultEndpoint.startsWith(UNIX_PREFIX)) {
            address = io.envoyproxy.envoy.config.core.v3.Address.newBuilder()
                    .setPipe(io.envoyproxy.envoy.config.core.v3.Pipe.newBuilder()
                            .setPath(defaultEndpoint.substring(UNIX_PREFIX.length())))
                    .build();
        } else {
            int colon = defaultEndpoint.lastIndexOf(':');
            String host = defaultEndpoint.substring(0, colon);
            int target = Integer.parseInt(defaultEndpoint.substring(colon + 1));
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            host = switch (host) {
                case "0.0.0.0" ->
                    proxyIps.stream()
                            .filter(ip -> !ip.contains(":"))
                            .findFirst()
                            .orElse("127.0.0.1");
                case "::" ->
                    proxyIps.stream().filter(ip -> ip.contains(":")).findFirst().orElse("::1");
                default -> host;
            };
            address = Envoy.address(host, target);
        }
        return c.setType(Cluster.DiscoveryType.STATIC)
                .setLoadAssignment(ClusterLoadAssignment.newBuilder()
                        .setClusterName(name)
                        .addEndpoints(LocalityLbEndpoints.newBuilder()
                                .setLoadBalancingWeight(com.google.protobuf.UInt32Value.of(1))
                                .addLbEndpoints(LbEndpoint.newBuilder()
                                        .setEndpoint(Endpoint.newBuilder().setAddress(address)))))
                .build();
    }

    static final String UNIX_PREFIX = "unix://";

    /**
     * The ports this proxy's workload serves: its Sidecar's ingress ports when it declares any; else its instances'
     * endpoint ports, plus ports it declares in metadata (auto-registered workloads); sorted and unique.
     */
    public static List<Integer> inboundPorts(Proxy proxy, PushContext push) {
        java.util.TreeSet<Integer> ports = new java.util.TreeSet<>();
        List<SidecarListeners.Ingress> ingress = SidecarListeners.of(push).ingress(proxy);
        if (!ingress.isEmpty()) {
            ingress.forEach(i -> ports.add(i.port()));
            return List.copyOf(ports);
        }
        for (ServiceInstance i : push.proxyInstances(proxy)) {
            ports.add(i.endpointPort());
        }
        ports.addAll(proxy.metadata().workloadPorts().values());
        return List.copyOf(ports);
    }
}
