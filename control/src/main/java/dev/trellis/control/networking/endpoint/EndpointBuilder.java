package dev.trellis.control.networking.endpoint;

import com.google.protobuf.Struct;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.Value;
import dev.trellis.control.model.Locality;
import dev.trellis.control.model.Proxy;
import dev.trellis.control.model.Resolution;
import dev.trellis.control.model.Service;
import dev.trellis.control.model.ServiceInstance;
import dev.trellis.control.model.Workload;
import dev.trellis.control.networking.Envoy;
import dev.trellis.control.push.PushContext;
import dev.trellis.xds.naming.ClusterName;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Builds ClusterLoadAssignments. */
public final class EndpointBuilder {

    private EndpointBuilder() {}

    /**
     * The assignment for {@code clusterName} as {@code proxy} sees it, or null when the name is not an EDS cluster
     * this proxy can see (unknown service, not visible, not EDS, unknown subset): such names are left out of the
     * response, which Envoy and grpc-java treat as "does not exist".
     */
    public static ClusterLoadAssignment build(Proxy proxy, PushContext push, String clusterName) {
        ClusterName name = ClusterName.tryParse(clusterName);
        if (name == null || name.direction() != ClusterName.Direction.OUTBOUND) {
            return null;
        }
        Service s = push.service(name.host());
        if (s == null
                || s.resolution() != Resolution.STATIC
                || s.port(name.port()).isEmpty()
                || !s.visibleTo(proxy.namespace())) {
            return null;
        }
        Map<String, String> selector = Map.of();
        if (name.hasSubset()) {
            selector = push.routing().subsetLabels(proxy.namespace(), s.hostname(), name.subset());
            if (selector == null) {
                return null;
            }
        }
        return assignment(clusterName, push.instances(s.hostname(), name.port()), selector);
    }

    /** Groups instances matching {@code selector} by locality, sorted, so equal inputs give equal protos. */
    public static ClusterLoadAssignment assignment(
            String clusterName, List<ServiceInstance> instances, Map<String, String> selector) {
        TreeMap<Locality, LocalityLbEndpoints.Builder> groups = new TreeMap<>();
        TreeMap<Locality, Integer> weights = new TreeMap<>();
        List<ServiceInstance> sorted = instances.stream()
                .filter(i -> i.workload().matches(selector))
                .sorted(java.util.Comparator.comparing(
                                (ServiceInstance i) -> i.workload().address())
                        .thenComparingInt(ServiceInstance::endpointPort))
                .toList();
        for (ServiceInstance i : sorted) {
            Workload w = i.workload();
            LocalityLbEndpoints.Builder g = groups.computeIfAbsent(w.locality(), l -> {
                LocalityLbEndpoints.Builder b = LocalityLbEndpoints.newBuilder();
                if (!l.equals(Locality.NONE)) {
                    b.setLocality(io.envoyproxy.envoy.config.core.v3.Locality.newBuilder()
                            .setRegion(l.region())
                            .setZone(l.zone())
                            .setSubZone(l.subZone()));
                }
                return b;
            });
            g.addLbEndpoints(LbEndpoint.newBuilder()
                    .setEndpoint(Endpoint.newBuilder().setAddress(Envoy.address(w.address(), i.endpointPort())))
                    .setHealthStatus(health(w))
                    .setLoadBalancingWeight(UInt32Value.of(w.weight()))
                    .setMetadata(metadata(w)));
            weights.merge(w.locality(), w.weight(), Integer::sum);
        }
        ClusterLoadAssignment.Builder cla = ClusterLoadAssignment.newBuilder().setClusterName(clusterName);
        groups.forEach((l, g) -> cla.addEndpoints(g.setLoadBalancingWeight(UInt32Value.of(weights.get(l)))));
        return cla.build();
    }

    private static HealthStatus health(Workload w) {
        return switch (w.health()) {
            case HEALTHY -> HealthStatus.HEALTHY;
            case UNHEALTHY -> HealthStatus.UNHEALTHY;
            case DRAINING -> HealthStatus.DRAINING;
            case UNKNOWN -> HealthStatus.UNKNOWN;
        };
    }

    /** Istio's endpoint metadata: workload identity under {@code istio}, labels for subset load balancing. */
    private static Metadata metadata(Workload w) {
        Struct.Builder labels = Struct.newBuilder();
        w.labels()
                .forEach((k, v) ->
                        labels.putFields(k, Value.newBuilder().setStringValue(v).build()));
        Struct.Builder istio = Struct.newBuilder()
                .putFields(
                        "workload",
                        Value.newBuilder()
                                .setStringValue(w.name() + ";" + w.namespace())
                                .build());
        if (!w.serviceAccount().isEmpty()) {
            istio.putFields(
                    "service_account",
                    Value.newBuilder().setStringValue(w.serviceAccount()).build());
        }
        return Metadata.newBuilder()
                .putFilterMetadata("istio", istio.build())
                .putFilterMetadata("envoy.lb", labels.build())
                .build();
    }
}
