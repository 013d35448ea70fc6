package dev.trellis.control.generate;

import dev.trellis.control.model.MeshSettings;
import dev.trellis.control.model.Service;
import dev.trellis.control.model.ServiceInstance;
import dev.trellis.control.push.PushContext;
import dev.trellis.control.push.RoutingConfig;
import dev.trellis.control.push.XdsCache;
import dev.trellis.xds.naming.ClusterName;
import java.util.List;
import java.util.Objects;

/**
 * The keys of what generators keep across pushes. Each holds exactly the inputs its builder reads, so equal keys mean
 * equal output, and a key stays current only while a new push holds the same inputs.
 */
final class CacheKeys {

    private CacheKeys() {}

    /**
     * One EDS resource for one proxy view. {@code EndpointBuilder} reads: the cluster name; the proxy's view of it
     * ({@link dev.trellis.control.networking.endpoint.EndpointBuilder#viewKey}: namespace, plus locality and labels when
     * locality load balancing applies); the service; its instances; the routing config (subset labels, locality
     * settings) and the mesh settings. A config change drops every entry (configs are compared by identity), an
     * endpoint change only the changed service's.
     */
    record Endpoints(
            Object view,
            String clusterName,
            String host,
            Service service,
            List<ServiceInstance> instances,
            RoutingConfig routing,
            MeshSettings mesh)
            implements XdsCache.Key {

        /** Null when the name is no outbound cluster (nothing worth keeping: the answer is "none", built at once). */
        static Endpoints of(Object view, String clusterName, PushContext push) {
            ClusterName cn = ClusterName.tryParse(clusterName);
            if (cn == null || cn.direction() != ClusterName.Direction.OUTBOUND) {
                return null;
            }
            return new Endpoints(
                    view,
                    clusterName,
                    cn.host(),
                    push.service(cn.host()),
                    push.instances(cn.host()),
                    push.routing(),
                    push.mesh());
        }

        @Override
        public boolean current(PushContext push) {
            return routing == push.routing()
                    && mesh.equals(push.mesh())
                    && Objects.equals(service, push.service(host))
                    && instances.equals(push.instances(host));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Endpoints k
                    && routing == k.routing
                    && clusterName.equals(k.clusterName)
                    && view.equals(k.view)
                    && mesh.equals(k.mesh)
                    && Objects.equals(service, k.service)
                    && instances.equals(k.instances);
        }

        @Override
        public int hashCode() {
            return Objects.hash(view, clusterName, System.identityHashCode(routing), service, instances);
        }
    }

    /**
     * The outbound clusters of one service for one proxy view. {@code ClusterBuilder.outboundClusters} reads: the
     * view (namespace, proxyless, labels when config selects by them), the routing config's DestinationRules, the mesh
     * settings (locality load balancing), the service, and its instances (DNS clusters carry them inline, TLS
     * settings name their service accounts).
     */
    record ServiceClusters(
            Object view, RoutingConfig routing, MeshSettings mesh, Service service, List<ServiceInstance> instances)
            implements XdsCache.Key {

        static ServiceClusters of(Object view, Service service, PushContext push) {
            return new ServiceClusters(view, push.routing(), push.mesh(), service, push.instances(service.hostname()));
        }

        @Override
        public boolean current(PushContext push) {
            return routing == push.routing()
                    && mesh.equals(push.mesh())
                    && service.equals(push.service(service.hostname()))
                    && instances.equals(push.instances(service.hostname()));
        }

        // The routing config is compared by identity: a new config is a new object, and it has no value equality.
        @Override
        public boolean equals(Object o) {
            return o instanceof ServiceClusters k
                    && routing == k.routing
                    && view.equals(k.view)
                    && mesh.equals(k.mesh)
                    && service.equals(k.service)
                    && instances.equals(k.instances);
        }

        @Override
        public int hashCode() {
            return Objects.hash(view, System.identityHashCode(routing), service, instances);
        }
    }
}
