package dev.trellis.control.generate;

import com.google.protobuf.Message;
import dev.trellis.control.model.Proxy;
import dev.trellis.control.model.Service;
import dev.trellis.control.model.ServicePort;
import dev.trellis.control.networking.cluster.ClusterBuilder;
import dev.trellis.control.networking.endpoint.EndpointBuilder;
import dev.trellis.control.networking.listener.ListenerBuilder;
import dev.trellis.control.networking.route.RouteBuilder;
import dev.trellis.control.push.PushContext;
import dev.trellis.xds.TypeUrl;
import dev.trellis.xds.naming.ClusterName;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/** The generators for LDS, RDS, CDS and EDS. */
public final class Generators {

    private Generators() {}

    /** All generators by type. */
    public static Map<TypeUrl, Generator> all() {
        Map<TypeUrl, Generator> m = new EnumMap<>(TypeUrl.class);
        for (Generator g : new Generator[] {new Lds(), new Rds(), new Cds(), new Eds()}) {
            m.put(g.type(), g);
        }
        return m;
    }

    /** Listeners: every sidecar listener on a wildcard request; API listeners for named (proxyless) requests. */
    public static final class Lds implements Generator {
        @Override
        public TypeUrl type() {
            return TypeUrl.LISTENER;
        }

        @Override
        public SortedMap<String, Message> generate(Proxy proxy, PushContext push, Set<String> names) {
            SortedMap<String, Message> out = new TreeMap<>();
            if (names.isEmpty() && !proxy.proxyless()) {
                for (Listener l : ListenerBuilder.sidecar(proxy, push)) {
                    out.put(l.getName(), l);
                }
                return out;
            }
            for (String name : names) {
                Listener l = ListenerBuilder.proxyless(proxy, push, name);
                if (l != null) {
                    out.put(name, l);
                }
            }
            return out;
        }
    }

    /** Route configurations: always by name. */
    public static final class Rds implements Generator {
        @Override
        public TypeUrl type() {
            return TypeUrl.ROUTE;
        }

        @Override
        public SortedMap<String, Message> generate(Proxy proxy, PushContext push, Set<String> names) {
            SortedMap<String, Message> out = new TreeMap<>();
            for (String name : names) {
                var rc = RouteBuilder.build(proxy, push, name);
                if (rc != null) {
                    out.put(name, rc);
                }
            }
            return out;
        }
    }

    /** Clusters: all a sidecar sees on a wildcard request, exactly the named ones otherwise. */
    public static final class Cds implements Generator {
        @Override
        public TypeUrl type() {
            return TypeUrl.CLUSTER;
        }

        @Override
        public SortedMap<String, Message> generate(Proxy proxy, PushContext push, Set<String> names) {
            ClusterBuilder builder = new ClusterBuilder(push.routing().clusterPolicy());
            SortedMap<String, Message> out = new TreeMap<>();
            if (names.isEmpty()) {
                for (Cluster c : builder.sidecarClusters(proxy, push)) {
                    out.put(c.getName(), c);
                }
                return out;
            }
            for (String name : names) {
                ClusterName cn = ClusterName.tryParse(name);
                if (cn == null || cn.direction() != ClusterName.Direction.OUTBOUND) {
                    continue;
                }
                Service s = push.service(cn.host());
                ServicePort p = s == null ? null : s.port(cn.port()).orElse(null);
                if (p == null || !s.visibleTo(proxy.namespace())) {
                    continue;
                }
                for (Cluster c : builder.outboundClusters(proxy, push, s, p)) {
                    if (c.getName().equals(name)) {
                        out.put(name, c);
                    }
                }
            }
            return out;
        }
    }

    /** Endpoints: always by cluster name. */
    public static final class Eds implements Generator {
        @Override
        public TypeUrl type() {
            return TypeUrl.ENDPOINT;
        }

        @Override
        public SortedMap<String, Message> generate(Proxy proxy, PushContext push, Set<String> names) {
            SortedMap<String, Message> out = new TreeMap<>();
            for (String name : names) {
                var cla = EndpointBuilder.build(proxy, push, name);
                if (cla != null) {
                    out.put(name, cla);
                }
            }
            return out;
        }
    }
}
