package dev.trellis.control.config;

import static dev.trellis.control.config.IstioRoutingTest.push;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.trellis.control.model.Proxy;
import dev.trellis.control.networking.cluster.ClusterBuilder;
import dev.trellis.control.networking.listener.ListenerBuilder;
import dev.trellis.control.networking.route.RouteBuilder;
import dev.trellis.control.push.PushContext;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Sidecar {@code ingress} and port-bound {@code egress} listeners, as Istio builds them. */
class SidecarListenersTest {

    /** The reviews workload (10.0.0.21 serves reviews:9080 in the shared test services). */
    static final Proxy REVIEWS = Proxy.sidecar(
            "sidecar~10.0.0.21~reviews-v1.default~default.svc.cluster.local",
            "default",
            List.of("10.0.0.21"),
            Map.of("app", "reviews"));

    static String sidecar(String spec) {
        return """
                apiVersion: networking.istio.io/v1
                kind: Sidecar
                metadata: {name: default, namespace: default}
                spec:
                """ + spec.indent(2);
    }

    static Proxy withMetadata(Proxy base, String key, String value) {
        Struct md = Struct.newBuilder()
                .putFields(
                        "NAMESPACE",
                        Value.newBuilder().setStringValue(base.namespace()).build())
                .putFields(
                        "INSTANCE_IPS",
                        Value.newBuilder().setStringValue(base.ips().getFirst()).build())
                .putFields(key, Value.newBuilder().setStringValue(value).build())
                .build();
        return Proxy.fromNode(Node.newBuilder().setId(base.id()).setMetadata(md).build());
    }

    static Map<Integer, FilterChain> chainsByPort(Listener l) {
        Map<Integer, FilterChain> out = new java.util.TreeMap<>();
        for (FilterChain fc : l.getFilterChainsList()) {
            if (fc.getFilterChainMatch().hasDestinationPort()) {
                out.put(fc.getFilterChainMatch().getDestinationPort().getValue(), fc);
            }
        }
        return out;
    }

    static String target(FilterChain fc) throws Exception {
        var any = fc.getFilters(0).getTypedConfig();
        if (any.is(HttpConnectionManager.class)) {
            return "http:" + any.unpack(HttpConnectionManager.class).getRds().getRouteConfigName();
        }
        return "tcp:" + any.unpack(TcpProxy.class).getCluster();
    }

    static String endpoint(Cluster c) {
        if (c.getType() == Cluster.DiscoveryType.ORIGINAL_DST) {
            return "ORIGINAL_DST";
        }
        Address a = c.getLoadAssignment()
                .getEndpoints(0)
                .getLbEndpoints(0)
                .getEndpoint()
                .getAddress();
        return a.hasPipe()
                ? "pipe:" + a.getPipe().getPath()
                : a.getSocketAddress().getAddress() + ":" + a.getSocketAddress().getPortValue();
    }

    @Test
    void ingressReplacesTheChainsOfTheServicePortsAndPointsAtTheDefaultEndpoints() throws Exception {
        PushContext push = push(sidecar("""
                ingress:
                - port: {number: 9080, protocol: HTTP, name: http}
                  defaultEndpoint: 127.0.0.1:8080
                - port: {number: 9090, protocol: TCP, name: tcp}
                  defaultEndpoint: unix:///var/run/app.sock
                - port: {number: 7070, protocol: GRPC, name: grpc}
                  defaultEndpoint: 0.0.0.0:7071
                - port: {number: 6060, protocol: TCP, name: other}
                """));
        assertThat(push.errors()).isEmpty();
        Listener inbound = ListenerBuilder.virtualInbound(REVIEWS, push);
        Map<Integer, FilterChain> chains = chainsByPort(inbound);
        assertThat(chains).containsOnlyKeys(6060, 7070, 9080, 9090);
        assertThat(target(chains.get(9080))).isEqualTo("http:inbound|9080||");
        assertThat(target(chains.get(7070))).isEqualTo("http:inbound|7070||");
        assertThat(target(chains.get(9090))).isEqualTo("tcp:inbound|9090||");
        assertThat(target(chains.get(6060))).isEqualTo("tcp:inbound|6060||");

        List<Cluster> clusters = ClusterBuilder.inboundClusters(REVIEWS, push);
        Map<String, String> endpoints = new java.util.TreeMap<>();
        clusters.forEach(c -> endpoints.put(c.getName(), endpoint(c)));
        assertThat(endpoints)
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        "inbound|6060||", "ORIGINAL_DST",
                        "inbound|7070||", "10.0.0.21:7071",
                        "inbound|9080||", "127.0.0.1:8080",
                        "inbound|9090||", "pipe:/var/run/app.sock"));
        assertThat(ClusterBuilder.inboundPorts(REVIEWS, push)).containsExactly(6060, 7070, 9080, 9090);
    }

    @Test
    void withoutIngressTheServicePortsStillMakeTheChains() {
        PushContext push = push(sidecar("egress: [{hosts: ['./*']}]"));
        assertThat(chainsByPort(ListenerBuilder.virtualInbound(REVIEWS, push))).containsOnlyKeys(9080);
        assertThat(ClusterBuilder.inboundClusters(REVIEWS, push))
                .extracting(SidecarListenersTest::endpoint)
                .containsExactly("127.0.0.1:9080");
    }

    static Stream<Arguments> bindToPort() {
        return Stream.of(
                Arguments.of("captureMode NONE binds the wildcard", "captureMode: NONE", REVIEWS, "0.0.0.0_9080"),
                Arguments.of(
                        "captureMode NONE with bind",
                        "captureMode: NONE\n  bind: 10.0.0.21",
                        REVIEWS,
                        "10.0.0.21_9080"),
                Arguments.of(
                        "DEFAULT on a proxy that intercepts nothing",
                        "captureMode: DEFAULT",
                        withMetadata(REVIEWS, "INTERCEPTION_MODE", "NONE"),
                        "0.0.0.0_9080"),
                Arguments.of("IPTABLES never binds", "captureMode: IPTABLES", REVIEWS, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bindToPort")
    void ingressThatBindsItsPortGetsAListenerOfItsOwn(String name, String mode, Proxy proxy, String listener)
            throws Exception {
        PushContext push = push(sidecar("""
                ingress:
                - port: {number: 9080, protocol: HTTP, name: http}
                  defaultEndpoint: 127.0.0.1:8080
                  %s
                """.formatted(mode)));
        List<Listener> bound = ListenerBuilder.boundInbound(proxy, push);
        if (listener == null) {
            assertThat(bound).isEmpty();
            assertThat(chainsByPort(ListenerBuilder.virtualInbound(proxy, push)))
                    .containsOnlyKeys(9080);
            return;
        }
        assertThat(bound).extracting(Listener::getName).containsExactly(listener);
        Listener l = bound.getFirst();
        assertThat(l.getBindToPort().getValue()).isTrue();
        assertThat(l.getTrafficDirection().name()).isEqualTo("INBOUND");
        assertThat(l.getListenerFiltersList()).isEmpty();
        assertThat(target(l.getFilterChains(0))).isEqualTo("http:inbound|9080||");
        // It is served with the listeners every proxy of this view shares, and not as a virtual inbound chain.
        assertThat(ListenerBuilder.outbound(proxy, push))
                .filteredOn(x -> x.getName().equals(listener))
                .hasSize(1)
                .allSatisfy(x -> assertThat(x.getTrafficDirection().name()).isEqualTo("INBOUND"));
        assertThat(chainsByPort(ListenerBuilder.virtualInbound(proxy, push))).doesNotContainKey(9080);
    }

    @Test
    void egressWithAPortGetsItsOwnListenerAndRouteConfigurationWithOnlyItsHosts() throws Exception {
        PushContext push = push(sidecar("""
                egress:
                - port: {number: 9080, protocol: HTTP, name: http}
                  hosts: [./ratings.default.svc.cluster.local]
                - hosts: ['./*']
                """));
        Proxy client = IstioRoutingTest.CLIENT;
        List<Listener> ls = ListenerBuilder.outbound(client, push);
        assertThat(ls).extracting(Listener::getName).containsExactly("0.0.0.0_9080");
        assertThat(ls.getFirst().getBindToPort().getValue()).isFalse();
        assertThat(target(ls.getFirst().getFilterChains(0))).isEqualTo("http:9080");
        assertThat(RouteBuilder.outbound(client, push, 9080).getVirtualHostsList())
                .extracting(VirtualHost::getName)
                .containsExactly("ratings.default.svc.cluster.local:9080", "allow_any");
    }

    @Test
    void withoutACatchAllEgressOnlyThePortListenersExist() throws Exception {
        PushContext push = push(sidecar("""
                egress:
                - port: {number: 9999, protocol: HTTP, name: http}
                  hosts: [./reviews.default.svc.cluster.local]
                """));
        Proxy client = IstioRoutingTest.CLIENT;
        assertThat(ListenerBuilder.outbound(client, push))
                .extracting(Listener::getName)
                .containsExactly("0.0.0.0_9999");
        // reviews has one port (9080): the listener port 9999 routes to it; nothing else is reachable on 9080.
        var vh = RouteBuilder.outbound(client, push, 9999).getVirtualHosts(0);
        assertThat(vh.getDomainsList()).contains("reviews", "reviews:9999");
        assertThat(vh.getRoutes(0).getRoute().getCluster())
                .isEqualTo("outbound|9080||reviews.default.svc.cluster.local");
        assertThat(RouteBuilder.outbound(client, push, 9080).getVirtualHostsList())
                .extracting(VirtualHost::getName)
                .containsExactly("allow_any");
    }

    @Test
    void egressWithCaptureModeNoneBindsLoopbackAndTcpGoesToTheService() throws Exception {
        PushContext push = push(sidecar("""
                egress:
                - port: {number: 9080, protocol: HTTP, name: http}
                  captureMode: NONE
                  hosts: ['./*']
                - port: {number: 3306, protocol: TCP, name: tcp}
                  captureMode: NONE
                  bind: 127.0.0.2
                  hosts: [./ratings.default.svc.cluster.local]
                """));
        List<Listener> ls = ListenerBuilder.outbound(IstioRoutingTest.CLIENT, push);
        assertThat(ls).extracting(Listener::getName).containsExactly("127.0.0.1_9080", "127.0.0.2_3306");
        assertThat(ls).allSatisfy(l -> assertThat(l.getBindToPort().getValue()).isTrue());
        // ratings has one port (9080): the egress port 3306 reaches it.
        assertThat(target(ls.get(1).getFilterChains(0)))
                .isEqualTo("tcp:outbound|9080||ratings.default.svc.cluster.local");
    }

    @Test
    void ingressFieldsThatAreNotAppliedAreReported() {
        PushContext push = push(sidecar("""
                ingress:
                - port: {number: 9080, protocol: HTTPS, name: https}
                  defaultEndpoint: 127.0.0.1:8080
                  tls: {mode: SIMPLE, credentialName: cert}
                  connectionPool: {tcp: {maxConnections: 5}}
                """));
        assertThat(push.errors()).singleElement().satisfies(e -> assertThat(e)
                .startsWith("Sidecar default/default")
                .contains("spec.ingress[0].tls:"));
    }

    @Test
    void connectionPoolsApplyToTheInboundClusters() {
        PushContext push = push(sidecar("""
                inboundConnectionPool: {tcp: {maxConnections: 50}}
                ingress:
                - port: {number: 9080, protocol: HTTP, name: http}
                  defaultEndpoint: 127.0.0.1:8080
                  connectionPool: {tcp: {maxConnections: 5, connectTimeout: 2s}}
                - port: {number: 9090, protocol: TCP, name: tcp}
                  defaultEndpoint: 127.0.0.1:8090
                """));
        assertThat(push.errors()).isEmpty();
        Map<String, Integer> max = new java.util.TreeMap<>();
        for (Cluster c : ClusterBuilder.inboundClusters(REVIEWS, push)) {
            max.put(
                    c.getName(),
                    c.getCircuitBreakers().getThresholds(0).getMaxConnections().getValue());
        }
        assertThat(max).containsExactlyInAnyOrderEntriesOf(Map.of("inbound|9080||", 5, "inbound|9090||", 50));
        // Without ingress the Sidecar's inbound pool applies to the service-port clusters.
        PushContext plain = push(sidecar("inboundConnectionPool: {tcp: {maxConnections: 7}}"));
        assertThat(ClusterBuilder.inboundClusters(REVIEWS, plain))
                .singleElement()
                .satisfies(c -> assertThat(c.getCircuitBreakers()
                                .getThresholds(0)
                                .getMaxConnections()
                                .getValue())
                        .isEqualTo(7));
    }
}
