package dev.trellis.control.networking.cluster;

import dev.trellis.control.model.Proxy;
import dev.trellis.control.model.Service;
import dev.trellis.control.model.ServicePort;
import dev.trellis.control.push.PushContext;
import dev.trellis.xds.naming.ClusterName;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import java.util.List;

/** What DestinationRules add to outbound clusters: subsets, and settings applied on top of the base cluster. */
public interface ClusterPolicy {

    ClusterPolicy NONE = new ClusterPolicy() {};

    /** The subset names of the DestinationRule that applies to {@code service} for this proxy, in order. */
    default List<String> subsets(Proxy proxy, PushContext push, Service service) {
        return List.of();
    }

    /**
     * What the DestinationRule says about a cluster's endpoints as a proxy sees them: its {@code localityLbSetting}
     * (null when it sets none) and whether outlier detection is on (failover needs it).
     */
    record EndpointPolicy(dev.trellis.control.model.LocalityLbSetting localityLb, boolean outlierDetection) {
        public static final EndpointPolicy NONE = new EndpointPolicy(null, false);
    }

    /**
     * Whether any DestinationRule could make endpoints depend on the calling proxy (outlier detection or a
     * {@code localityLbSetting} somewhere): false lets per-proxy checks stop early.
     */
    default boolean mayReorderEndpoints() {
        return false;
    }

    /** The endpoint policy for {@code service}'s port {@code port}, subset {@code subset} ("" for none). */
    default EndpointPolicy endpointPolicy(Proxy proxy, PushContext push, Service service, int port, String subset) {
        return EndpointPolicy.NONE;
    }

    /** The cluster with the DestinationRule's traffic policy applied (port-level and subset-level merged in). */
    default Cluster apply(Proxy proxy, PushContext push, Service s, ServicePort p, ClusterName name, Cluster base) {
        return base;
    }
}
