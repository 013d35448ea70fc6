package dev.trellis.control.networking.endpoint;

import com.google.protobuf.Struct;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.Value;
import dev.trellis.control.model.Locality;
import dev.trellis.control.model.LocalityLbSetting;
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
import java.util.ArrayList;
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
        List<ServiceInstance> instances = push.instances(s.hostname(), name.port());
        var policy = push.routing().clusterPolicy().endpointPolicy(proxy, push, s, name.port(), name.subset());
        LocalityLbSetting locality = localitySetting(push, policy);
        if (locality == null) {
            return assignment(clusterName, instances, selector);
        }
        return assignment(
                clusterName,
                instances,
                selector,
                proxy.locality(),
                proxy.labels(),
                locality,
                policy.outlierDetection());
    }

    /**
     * The locality setting that changes this cluster's endpoints for {@code proxy}: the DestinationRule's or the
     * mesh's (Istio's precedence), and only when it does something (distribute, or failover with outlier
     * detection); null otherwise, when every proxy of the namespace sees the same endpoints.
     */
    static LocalityLbSetting localitySetting(
            PushContext push, dev.trellis.control.networking.cluster.ClusterPolicy.EndpointPolicy policy) {
        LocalityLbSetting eff = LocalityLbSetting.effective(push.mesh().localityLb(), policy.localityLb());
        return eff != null && eff.appliesWith(policy.outlierDetection()) ? eff : null;
    }

    /**
     * What about {@code proxy} its assignment for {@code clusterName} depends on, for caching: the namespace, plus
     * the proxy's locality when locality load balancing reorders the endpoints, plus its labels when
     * {@code failoverPriority} compares them.
     */
    public static Object viewKey(Proxy proxy, PushContext push, String clusterName) {
        LocalityLbSetting mesh = push.mesh().localityLb();
        boolean meshDistributes = mesh != null && !mesh.distribute().isEmpty() && !Boolean.FALSE.equals(mesh.enabled());
        if (!meshDistributes && !push.routing().clusterPolicy().mayReorderEndpoints()) {
            // Asked for every proxy and cluster on each push: answer the common case without a rule lookup.
            return List.of(proxy.namespace());
        }
        ClusterName name = ClusterName.tryParse(clusterName);
        Service s = name == null ? null : push.service(name.host());
        if (s == null || name.direction() != ClusterName.Direction.OUTBOUND) {
            return List.of(proxy.namespace());
        }
        LocalityLbSetting l = localitySetting(
                push, push.routing().clusterPolicy().endpointPolicy(proxy, push, s, name.port(), name.subset()));
        if (l == null) {
            return List.of(proxy.namespace());
        }
        return List.of(
                proxy.namespace(),
                proxy.locality().toString(),
                l.failoverPriority().isEmpty() ? Map.of() : proxy.labels());
    }

    /** Groups instances matching {@code selector} by locality, sorted, so equal inputs give equal protos. */
    public static ClusterLoadAssignment assignment(
            String clusterName, List<ServiceInstance> instances, Map<String, String> selector) {
        return assignment(clusterName, instances, selector, Locality.NONE, Map.of(), null, false);
    }

    /**
     * Groups instances matching {@code selector} by locality, sorted, then applies locality load balancing for a
     * proxy in {@code proxyLocality} (see {@link LocalityLb}); {@code locality} null leaves the groups as they are.
     */
    public static ClusterLoadAssignment assignment(
            String clusterName,
            List<ServiceInstance> instances,
            Map<String, String> selector,
            Locality proxyLocality,
            Map<String, String> proxyLabels,
            LocalityLbSetting locality,
            boolean outlierDetection) {
        TreeMap<Locality, List<LbEndpoint>> groups = new TreeMap<>();
        TreeMap<Locality, List<Map<String, String>>> labels = new TreeMap<>();
        TreeMap<Locality, Integer> weights = new TreeMap<>();
        List<ServiceInstance> sorted = instances.stream()
                .filter(i -> i.workload().matches(selector))
                .sorted(java.util.Comparator.comparing(
                                (ServiceInstance i) -> i.workload().address())
                        .thenComparingInt(ServiceInstance::endpointPort))
                .toList();
        for (ServiceInstance i : sorted) {
            Workload w = i.workload();
            groups.computeIfAbsent(w.locality(), l -> new ArrayList<>())
                    .add(LbEndpoint.newBuilder()
                            .setEndpoint(Endpoint.newBuilder().setAddress(Envoy.address(w.address(), i.endpointPort())))
                            .setHealthStatus(health(w))
                            .setLoadBalancingWeight(UInt32Value.of(w.weight()))
                            .setMetadata(metadata(w))
                            .build());
            labels.computeIfAbsent(w.locality(), l -> new ArrayList<>())
                    .add(LocalityLb.withTopology(w.labels(), w.locality()));
            weights.merge(w.locality(), w.weight(), Integer::sum);
        }
        List<LocalityLb.Group> out = new ArrayList<>();
        groups.forEach((l, eps) -> out.add(new LocalityLb.Group(l, eps, labels.get(l), weights.get(l))));
        List<LocalityLb.Group> applied =
                LocalityLb.apply(out, proxyLocality, proxyLabels, locality, outlierDetection && locality != null);
        ClusterLoadAssignment.Builder cla = ClusterLoadAssignment.newBuilder().setClusterName(clusterName);
        for (LocalityLb.Group g : applied) {
            LocalityLbEndpoints.Builder b = LocalityLbEndpoints.newBuilder()
                    .addAllLbEndpoints(g.endpoints())
                    .setLoadBalancingWeight(UInt32Value.of(g.weight()))
                    .setPriority(g.priority());
            if (!g.locality().equals(Locality.NONE)) {
                b.setLocality(io.envoyproxy.envoy.config.core.v3.Locality.newBuilder()
                        .setRegion(g.locality().region())
                        .setZone(g.locality().zone())
                        .setSubZone(g.locality().subZone()));
            }
            cla.addEndpoints(b);
        }
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
