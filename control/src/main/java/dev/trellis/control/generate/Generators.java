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
import dev.trellis.xds.naming.ResourceNames;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The generators for LDS, RDS, CDS and EDS. The parts of a sidecar's config that depend only on its view of the mesh
 * (namespace, proxyless, labels when config selects by them) are generated once per push and shared; only the
 * inbound parts, which depend on the proxy's own workload, are generated per proxy.
 */
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

    private static void put(SortedMap<String, XdsResource> out, XdsResource r) {
        out.put(r.name(), r);
    }

    private static List<XdsResource> wrap(
            List<? extends Message> messages, java.util.function.Function<Message, String> name) {
        List<XdsResource> out = new ArrayList<>(messages.size());
        for (Message m : messages) {
            out.add(XdsResource.of(name.apply(m), m));
        }
        return out;
    }

    /** Listeners: every sidecar listener on a wildcard request; API listeners for named (proxyless) requests. */
    public static final class Lds implements Generator {
        @Override
        public TypeUrl type() {
            return TypeUrl.LISTENER;
        }

        @Override
        public SortedMap<String, XdsResource> generate(Proxy proxy, PushContext push, Set<String> names) {
            SortedMap<String, XdsResource> out = new TreeMap<>();
            if (names.isEmpty() && !proxy.proxyless()) {
                boolean none = ListenerBuilder.interceptionNone(proxy);
                List<XdsResource> outbound = push.cached(List.of("lds-outbound", push.viewKey(proxy), none), () -> {
                    List<Message> ls = new ArrayList<>();
                    if (!none) {
                        ls.add(ListenerBuilder.virtualOutbound(push.mesh(proxy)));
                    }
                    ls.addAll(ListenerBuilder.outbound(proxy, push));
                    return wrap(ls, m -> ((Listener) m).getName());
                });
                outbound.forEach(r -> put(out, r));
                if (none) {
                    return out; // No redirection, so no virtual inbound listener (Istio's INTERCEPTION_MODE NONE).
                }
                Listener inbound = ListenerBuilder.virtualInbound(proxy, push);
                put(
                        out,
                        push.cached(List.of("lds-inbound", inbound), () -> XdsResource.of(inbound.getName(), inbound)));
                return out;
            }
            for (String name : names) {
                XdsResource r = push.cached(List.of("lds-api", push.viewKey(proxy), name), () -> {
                                    Listener l = ListenerBuilder.proxyless(proxy, push, name);
                                    return l == null ? Absent.INSTANCE : XdsResource.of(name, l);
                                })
                                instanceof XdsResource x
                        ? x
                        : null;
                if (r != null) {
                    put(out, r);
                }
            }
            return out;
        }
    }

    /** Marks "nothing for this name" in the cache, which cannot hold nulls. */
    enum Absent {
        INSTANCE
    }

    /** Route configurations: always by name. */
    public static final class Rds implements Generator {
        @Override
        public TypeUrl type() {
            return TypeUrl.ROUTE;
        }

        @Override
        public SortedMap<String, XdsResource> generate(Proxy proxy, PushContext push, Set<String> names) {
            SortedMap<String, XdsResource> out = new TreeMap<>();
            for (String name : names) {
                Object r = push.cached(List.of("rds", push.viewKey(proxy), name), () -> {
                    var rc = RouteBuilder.build(proxy, push, name);
                    return rc == null ? Absent.INSTANCE : XdsResource.of(name, rc);
                });
                if (r instanceof XdsResource x) {
                    put(out, x);
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
        public SortedMap<String, XdsResource> generate(Proxy proxy, PushContext push, Set<String> names) {
            SortedMap<String, XdsResource> out = new TreeMap<>();
            if (names.isEmpty()) {
                List<XdsResource> outbound = push.cached(List.of("cds-outbound", push.viewKey(proxy)), () -> {
                    ClusterBuilder builder = new ClusterBuilder(push.routing().clusterPolicy());
                    List<Message> cs = new ArrayList<>();
                    for (Service s : push.visibleServices(proxy)) {
                        for (ServicePort p : s.ports()) {
                            cs.addAll(builder.outboundClusters(proxy, push, s, p));
                        }
                    }
                    cs.add(ClusterBuilder.passthrough(ResourceNames.PASSTHROUGH_CLUSTER));
                    cs.add(ClusterBuilder.blackhole());
                    if (!proxy.proxyless()) {
                        cs.add(ClusterBuilder.passthrough(ResourceNames.INBOUND_PASSTHROUGH_CLUSTER));
                    }
                    return wrap(cs, m -> ((Cluster) m).getName());
                });
                outbound.forEach(r -> put(out, r));
                if (!proxy.proxyless()) {
                    for (int port : ClusterBuilder.inboundPorts(proxy, push)) {
                        put(out, push.cached(List.of("cds-inbound", port), () -> {
                            Cluster c = ClusterBuilder.inbound(port);
                            return XdsResource.of(c.getName(), c);
                        }));
                    }
                }
                return out;
            }
            for (String name : names) {
                Object r = push.cached(List.of("cds-named", push.viewKey(proxy), name), () -> {
                    Cluster c = named(proxy, push, name);
                    return c == null ? Absent.INSTANCE : XdsResource.of(name, c);
                });
                if (r instanceof XdsResource x) {
                    put(out, x);
                }
            }
            return out;
        }

        private static Cluster named(Proxy proxy, PushContext push, String name) {
            ClusterName cn = ClusterName.tryParse(name);
            if (cn == null || cn.direction() != ClusterName.Direction.OUTBOUND) {
                return null;
            }
            Service s = push.service(cn.host());
            ServicePort p = s == null ? null : s.port(cn.port()).orElse(null);
            if (p == null || !s.visibleTo(proxy.namespace())) {
                return null;
            }
            ClusterBuilder builder = new ClusterBuilder(push.routing().clusterPolicy());
            for (Cluster c : builder.outboundClusters(proxy, push, s, p)) {
                if (c.getName().equals(name)) {
                    return c;
                }
            }
            return null;
        }
    }

    /** Endpoints: always by cluster name; the same for every proxy of a namespace. */
    public static final class Eds implements Generator {
        @Override
        public TypeUrl type() {
            return TypeUrl.ENDPOINT;
        }

        @Override
        public SortedMap<String, XdsResource> generate(Proxy proxy, PushContext push, Set<String> names) {
            SortedMap<String, XdsResource> out = new TreeMap<>();
            for (String name : names) {
                Object r = push.cached(List.of("eds", proxy.namespace(), name), () -> {
                    var cla = EndpointBuilder.build(proxy, push, name);
                    return cla == null ? Absent.INSTANCE : XdsResource.of(name, cla);
                });
                if (r instanceof XdsResource x) {
                    put(out, x);
                }
            }
            return out;
        }
    }
}
