package dev.trellis.control.networking.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.control.model.Health;
import dev.trellis.control.model.Locality;
import dev.trellis.control.model.LocalityLbSetting;
import dev.trellis.control.model.Service;
import dev.trellis.control.model.ServiceInstance;
import dev.trellis.control.model.ServicePort;
import dev.trellis.control.model.Workload;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Locality load balancing as Istio's {@code ApplyLocalityLoadBalancer} computes it, one table row per setting: the
 * expected outcome is each locality group as {@code locality=priority/weight/endpoint-count}.
 */
class LocalityLbTest {

    static final ServicePort PORT = ServicePort.named("http", 9080);
    static final Service SVC = Service.internal("svc.ns.svc.cluster.local", "ns", List.of(), List.of(PORT));
    static final Locality PROXY = Locality.parse("region1/zone1/subzone1");

    static ServiceInstance at(String ip, String locality, Map<String, String> labels) {
        Workload w =
                new Workload(ip, "ns", ip, Map.of(), labels, Locality.parse(locality), 1, "sa", Health.HEALTHY, "");
        return ServiceInstance.of(SVC, PORT, w);
    }

    /** Five localities at increasing distance from the proxy, one endpoint each. */
    static final List<ServiceInstance> SPREAD = List.of(
            at("10.0.0.1", "region1/zone1/subzone1", Map.of()),
            at("10.0.0.2", "region1/zone1/subzone2", Map.of()),
            at("10.0.0.3", "region1/zone2/subzone1", Map.of()),
            at("10.0.0.4", "region2/zone1/subzone1", Map.of()),
            at("10.0.0.5", "region3/zone1/subzone1", Map.of()));

    static LocalityLbSetting failover(List<LocalityLbSetting.Failover> f, List<String> priority) {
        return new LocalityLbSetting(true, List.of(), f, priority);
    }

    static LocalityLbSetting distribute(String from, Map<String, Integer> to) {
        return new LocalityLbSetting(true, List.of(new LocalityLbSetting.Distribute(from, to)), List.of(), List.of());
    }

    static Map<String, Integer> ordered(Object... kv) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], (Integer) kv[i + 1]);
        }
        return m;
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(
                        "default failover: subzone 0, zone 1, region 2, elsewhere 3",
                        SPREAD,
                        PROXY,
                        Map.of(),
                        failover(List.of(), List.of()),
                        true,
                        List.of(
                                "region1/zone1/subzone1=0/1/1",
                                "region1/zone1/subzone2=1/1/1",
                                "region1/zone2/subzone1=2/1/1",
                                "region2/zone1/subzone1=3/1/1",
                                "region3/zone1/subzone1=3/1/1")),
                Arguments.of(
                        "without outlier detection failover changes nothing",
                        SPREAD,
                        PROXY,
                        Map.of(),
                        failover(List.of(), List.of()),
                        false,
                        List.of(
                                "region1/zone1/subzone1=0/1/1",
                                "region1/zone1/subzone2=0/1/1",
                                "region1/zone2/subzone1=0/1/1",
                                "region2/zone1/subzone1=0/1/1",
                                "region3/zone1/subzone1=0/1/1")),
                Arguments.of(
                        "failover region1 -> region2 puts region3 last",
                        SPREAD,
                        PROXY,
                        Map.of(),
                        failover(List.of(new LocalityLbSetting.Failover("region1", "region2")), List.of()),
                        true,
                        List.of(
                                "region1/zone1/subzone1=0/1/1",
                                "region1/zone1/subzone2=1/1/1",
                                "region1/zone2/subzone1=2/1/1",
                                "region2/zone1/subzone1=3/1/1",
                                "region3/zone1/subzone1=4/1/1")),
                Arguments.of(
                        "priorities are renumbered without gaps",
                        List.of(SPREAD.get(1), SPREAD.get(3)),
                        PROXY,
                        Map.of(),
                        failover(List.of(), List.of()),
                        true,
                        List.of("region1/zone1/subzone2=0/1/1", "region2/zone1/subzone1=1/1/1")),
                Arguments.of(
                        "distribute: a wildcard shares its weight, unnamed localities are emptied",
                        SPREAD,
                        PROXY,
                        Map.of(),
                        distribute("region1/zone1/*", ordered("region1/zone1/*", 80, "region2/*", 20)),
                        false,
                        List.of(
                                "region1/zone1/subzone1=0/40/1",
                                "region1/zone1/subzone2=0/40/1",
                                "region1/zone2/subzone1=0/1/0",
                                "region2/zone1/subzone1=0/20/1",
                                "region3/zone1/subzone1=0/1/0")),
                Arguments.of(
                        "distribute for another source locality does nothing",
                        SPREAD,
                        Locality.parse("region9/zone1"),
                        Map.of(),
                        distribute("region1/*", ordered("region2/*", 100)),
                        true,
                        List.of(
                                "region1/zone1/subzone1=0/1/1",
                                "region1/zone1/subzone2=0/1/1",
                                "region1/zone2/subzone1=0/1/1",
                                "region2/zone1/subzone1=0/1/1",
                                "region3/zone1/subzone1=0/1/1")),
                Arguments.of(
                        "failoverPriority splits by leading labels matched (topology labels from the locality)",
                        List.of(
                                at("10.0.1.1", "region1/zone1", Map.of("track", "a")),
                                at("10.0.1.2", "region1/zone1", Map.of("track", "b")),
                                at("10.0.1.3", "region2/zone1", Map.of("track", "a"))),
                        Locality.parse("region1/zone1"),
                        Map.of("track", "a"),
                        failover(List.of(), List.of("track", LocalityLb.REGION_LABEL)),
                        true,
                        List.of("region1/zone1=0/1/1", "region1/zone1=2/1/1", "region2/zone1=1/1/1")),
                Arguments.of(
                        "failoverPriority with a value override",
                        List.of(
                                at("10.0.1.1", "region1/zone1", Map.of("track", "a")),
                                at("10.0.1.2", "region1/zone1", Map.of("track", "b"))),
                        Locality.parse("region1/zone1"),
                        Map.of("track", "a"),
                        failover(List.of(), List.of("track=b")),
                        true,
                        List.of("region1/zone1=0/1/1", "region1/zone1=1/1/1")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void localityLoadBalancingAsIstio(
            String name,
            List<ServiceInstance> instances,
            Locality proxy,
            Map<String, String> proxyLabels,
            LocalityLbSetting setting,
            boolean outlier,
            List<String> expected) {
        ClusterLoadAssignment cla =
                EndpointBuilder.assignment("c", instances, Map.of(), proxy, proxyLabels, setting, outlier);
        List<String> got = new ArrayList<>();
        for (LocalityLbEndpoints g : cla.getEndpointsList()) {
            var l = g.getLocality();
            String loc = l.getRegion() + "/" + l.getZone() + (l.getSubZone().isEmpty() ? "" : "/" + l.getSubZone());
            got.add(loc + "=" + g.getPriority() + "/"
                    + g.getLoadBalancingWeight().getValue() + "/" + g.getLbEndpointsCount());
        }
        // failoverPriority splits groups; compare order-independently within a locality.
        assertThat(got).containsExactlyInAnyOrderElementsOf(expected);
    }
}
