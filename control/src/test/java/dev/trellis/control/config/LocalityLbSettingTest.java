package dev.trellis.control.config;

import static dev.trellis.control.config.IstioRoutingTest.push;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.control.model.Locality;
import dev.trellis.control.model.LocalityLbSetting;
import dev.trellis.control.model.MeshSettings;
import dev.trellis.control.model.Proxy;
import dev.trellis.control.model.Service;
import dev.trellis.control.networking.cluster.ClusterBuilder;
import dev.trellis.control.networking.endpoint.EndpointBuilder;
import dev.trellis.control.push.PushContext;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * DestinationRule and mesh-wide {@code localityLbSetting} through the real config path: EDS per proxy locality, the
 * cluster's locality-weighted config, and the precedence of the two settings.
 */
class LocalityLbSettingTest {

    static final String CART = "cart.shop.svc.cluster.local";
    static final String CLUSTER = "outbound|8080||" + CART;

    static final String SERVICE = """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: cart, namespace: shop}
            spec:
              hosts: [cart.shop.svc.cluster.local]
              location: MESH_INTERNAL
              resolution: STATIC
              ports: [{number: 8080, name: http, protocol: HTTP}]
              endpoints:
              - {address: 10.1.0.1, locality: us-east/us-east-1a}
              - {address: 10.1.0.2, locality: us-east/us-east-1b}
              - {address: 10.2.0.1, locality: us-west/us-west-1a}
              - {address: 10.3.0.1, locality: eu-west/eu-west-1a}
            ---
            """;

    static String dr(String trafficPolicy) {
        return SERVICE + """
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: cart, namespace: shop}
                spec:
                  host: cart.shop.svc.cluster.local
                  trafficPolicy:
                %s
                """.formatted(trafficPolicy.indent(4).stripTrailing());
    }

    static Proxy in(String locality) {
        return Proxy.sidecar("sidecar~10.9.0.1~c.shop~shop.svc.cluster.local", "shop", List.of("10.9.0.1"), Map.of())
                .withLocality(Locality.parse(locality));
    }

    /** Locality (region/zone) to priority. */
    static Map<String, Integer> priorities(PushContext push, Proxy proxy) {
        ClusterLoadAssignment cla = EndpointBuilder.build(proxy, push, CLUSTER);
        Map<String, Integer> out = new TreeMap<>();
        for (LocalityLbEndpoints g : cla.getEndpointsList()) {
            out.put(g.getLocality().getRegion() + "/" + g.getLocality().getZone(), g.getPriority());
        }
        return out;
    }

    static Cluster cluster(PushContext push, Proxy proxy) {
        Service s = push.service(CART);
        return new ClusterBuilder(push.routing().clusterPolicy())
                .outboundClusters(proxy, push, s, s.ports().getFirst())
                .getFirst();
    }

    @Test
    void outlierDetectionTurnsOnFailoverByTheProxysLocality() {
        PushContext push = push(dr("outlierDetection: {consecutive5xxErrors: 5}"));
        assertThat(push.errors()).isEmpty();
        assertThat(priorities(push, in("us-east/us-east-1a")))
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        "us-east/us-east-1a", 0,
                        "us-east/us-east-1b", 1,
                        "us-west/us-west-1a", 2,
                        "eu-west/eu-west-1a", 2));
        assertThat(priorities(push, in("us-west/us-west-1a")))
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        "us-west/us-west-1a", 0,
                        "us-east/us-east-1a", 1,
                        "us-east/us-east-1b", 1,
                        "eu-west/eu-west-1a", 1));
        assertThat(EndpointBuilder.viewKey(in("us-east/us-east-1a"), push, CLUSTER))
                .isNotEqualTo(EndpointBuilder.viewKey(in("us-west/us-west-1a"), push, CLUSTER));
        // Default failover needs no locality-weighted config on the cluster (Istio sets it for explicit failover).
        assertThat(cluster(push, in("us-east/us-east-1a")).getCommonLbConfig().hasLocalityWeightedLbConfig())
                .isFalse();
    }

    @Test
    void withoutOutlierDetectionEveryProxyOfTheNamespaceSharesTheEndpoints() {
        PushContext push = push(dr("loadBalancer: {simple: ROUND_ROBIN}"));
        assertThat(priorities(push, in("us-east/us-east-1a")).values()).containsOnly(0);
        assertThat(EndpointBuilder.viewKey(in("us-east/us-east-1a"), push, CLUSTER))
                .isEqualTo(List.of("shop"));
    }

    @Test
    void explicitFailoverOrdersRegionsAndMarksTheCluster() {
        PushContext push = push(dr("""
                outlierDetection: {consecutive5xxErrors: 5}
                loadBalancer:
                  localityLbSetting:
                    failover: [{from: us-east, to: eu-west}]
                """));
        assertThat(priorities(push, in("us-east/us-east-1a")))
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        "us-east/us-east-1a", 0,
                        "us-east/us-east-1b", 1,
                        "eu-west/eu-west-1a", 2,
                        "us-west/us-west-1a", 3));
        assertThat(cluster(push, in("us-east/us-east-1a")).getCommonLbConfig().hasLocalityWeightedLbConfig())
                .isTrue();
    }

    @Test
    void distributeSetsWeightsAndTheClusterUsesThem() {
        PushContext push = push(dr("""
                loadBalancer:
                  localityLbSetting:
                    distribute:
                    - from: us-east/*
                      to: {us-east/*: 70, us-west/*: 30}
                """));
        ClusterLoadAssignment cla = EndpointBuilder.build(in("us-east/us-east-1a"), push, CLUSTER);
        Map<String, Integer> weights = new TreeMap<>();
        Map<String, Integer> counts = new TreeMap<>();
        for (LocalityLbEndpoints g : cla.getEndpointsList()) {
            String l = g.getLocality().getRegion() + "/" + g.getLocality().getZone();
            weights.put(l, g.getLoadBalancingWeight().getValue());
            counts.put(l, g.getLbEndpointsCount());
        }
        assertThat(weights).containsEntry("us-east/us-east-1a", 35).containsEntry("us-east/us-east-1b", 35);
        assertThat(weights).containsEntry("us-west/us-west-1a", 30);
        assertThat(counts).containsEntry("eu-west/eu-west-1a", 0);
        assertThat(cluster(push, in("us-east/us-east-1a")).getCommonLbConfig().hasLocalityWeightedLbConfig())
                .isTrue();
    }

    @Test
    void aDestinationRuleCanTurnItOffAndSoCanTheMesh() {
        PushContext off = push(dr("""
                outlierDetection: {consecutive5xxErrors: 5}
                loadBalancer: {localityLbSetting: {enabled: false}}
                """));
        assertThat(priorities(off, in("us-east/us-east-1a")).values()).containsOnly(0);

        MeshSettings meshOff =
                MeshSettings.DEFAULT.withLocalityLb(new LocalityLbSetting(false, List.of(), List.of(), List.of()));
        PushContext push = push(dr("outlierDetection: {consecutive5xxErrors: 5}"), meshOff);
        assertThat(priorities(push, in("us-east/us-east-1a")).values()).containsOnly(0);
    }

    @Test
    void aMeshWideDistributeAppliesWithoutADestinationRule() {
        MeshSettings mesh = MeshSettings.DEFAULT.withLocalityLb(new LocalityLbSetting(
                true,
                List.of(new LocalityLbSetting.Distribute("us-west/*", Map.of("us-west/*", 100))),
                List.of(),
                List.of()));
        PushContext push = push(SERVICE, mesh);
        ClusterLoadAssignment cla = EndpointBuilder.build(in("us-west/us-west-1a"), push, CLUSTER);
        assertThat(cla.getEndpointsList())
                .filteredOn(g -> g.getLbEndpointsCount() > 0)
                .extracting(g -> g.getLocality().getRegion())
                .containsExactly("us-west");
        assertThat(cluster(push, in("us-west/us-west-1a")).getCommonLbConfig().hasLocalityWeightedLbConfig())
                .isTrue();
        assertThat(EndpointBuilder.viewKey(in("us-west/us-west-1a"), push, CLUSTER))
                .isNotEqualTo(EndpointBuilder.viewKey(in("us-east/us-east-1a"), push, CLUSTER));
        // A proxy the rule does not name keeps every endpoint.
        assertThat(EndpointBuilder.build(in("us-east/us-east-1a"), push, CLUSTER)
                        .getEndpointsList())
                .allSatisfy(g -> assertThat(g.getLbEndpointsCount()).isEqualTo(1));
    }

    @Test
    void theProxyLocalityComesFromTheNodeOrItsLabels() {
        var node = io.envoyproxy.envoy.config.core.v3.Node.newBuilder()
                .setId("sidecar~10.0.0.1~a.ns~ns.svc.cluster.local")
                .setMetadata(com.google.protobuf.Struct.newBuilder()
                        .putFields(
                                "LABELS",
                                com.google.protobuf.Value.newBuilder()
                                        .setStructValue(com.google.protobuf.Struct.newBuilder()
                                                .putFields(
                                                        "istio-locality",
                                                        com.google.protobuf.Value.newBuilder()
                                                                .setStringValue("us-east.us-east-1a")
                                                                .build()))
                                        .build()))
                .build();
        assertThat(Proxy.fromNode(node).locality()).isEqualTo(Locality.parse("us-east/us-east-1a"));
        var withNode = node.toBuilder()
                .setLocality(io.envoyproxy.envoy.config.core.v3.Locality.newBuilder()
                        .setRegion("eu")
                        .setZone("eu-1"))
                .build();
        assertThat(Proxy.fromNode(withNode).locality()).isEqualTo(Locality.parse("eu/eu-1"));
    }
}
