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
import java.util.function.Function;

/**
 * The generators for LDS, RDS, CDS and EDS. Work is shared at two levels, as Istio's XdsCache does:
 *
 * <ul>
 *   <li>within a push, the parts of a sidecar's config that depend only on its view of the mesh (namespace,
 *       proxyless, labels when config selects by them) are built, sorted and versioned once and shared by every proxy
 *       with that view ({@link PushContext#cached}); only the inbound parts, which depend on the proxy's own workload,
 *       are built per proxy (and shared when equal);
 *   <li>across pushes, one service's clusters and one cluster's endpoints are kept while their inputs are unchanged
 *       ({@link PushContext#cachedAcrossPushes}), so a push rebuilds only what its change touched.
 * </ul>
 *
 * Every resource is packed and digested once when built ({@link XdsResource}), so it is serialized once however many
 * proxies receive it.
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

    private static List<XdsResource> wrap(List<? extends Message> messages, Function<Message, String> name) {
        List<XdsResource> out = new ArrayList<>(messages.size());
        for (Message m : messages) {
            out.add(XdsResource.of(name.apply(m), m));
        }
        return out;
    }

    /** Marks "nothing for this name" in the caches, which cannot hold nulls. */
    enum Absent {
        INSTANCE
    }

    /** Listeners: every sidecar listener on a wildcard request; API listeners for named (proxyless) requests. */
    public static final class Lds implements Generator {
        @Override
        public TypeUrl type() {
            return TypeUrl.LISTENER;
        }

        @Override
        public Resources resources(Proxy proxy, PushContext push, Set<String> names) {
            Object view = push.viewKey(proxy);
            if (names.isEmpty() && !proxy.proxyless()) {
                boolean none = ListenerBuilder.interceptionNone(proxy);
                Resources outbound = push.cached(List.of("lds-outbound", view, none), () -> {
                    List<Message> ls = new ArrayList<>();
                    if (!none) {
                        ls.add(ListenerBuilder.virtualOutbound(push.mesh(proxy)));
                    }
                    ls.addAll(ListenerBuilder.outbound(proxy, push));
                    return Resources.of(wrap(ls, m -> ((Listener) m).getName()));
                });
                if (none) {
                    return outbound; // No redirection, so no virtual inbound listener (Istio's INTERCEPTION_MODE NONE).
                }
                Listener inbound = ListenerBuilder.virtualInbound(proxy, push);
                // Proxies whose inbound listeners are equal share one packed resource, and the merged set with it.
                Resources in = push.cached(
                        List.of("lds-inbound", inbound),
                        () -> Resources.of(List.of(XdsResource.of(inbound.getName(), inbound))));
                return push.cached(new Merge(outbound, in), () -> outbound.mergedWith(in));
            }
            List<XdsResource> out = new ArrayList<>(names.size());
            for (String name : names) {
                if (push.cached(List.of("lds-api", view, name), () -> {
                            Listener l = ListenerBuilder.proxyless(proxy, push, name);
                            return l == null ? Absent.INSTANCE : XdsResource.of(name, l);
                        })
                        instanceof XdsResource x) {
                    out.add(x);
                }
            }
            return Resources.of(out);
        }
    }

    /** A per-push cache key for the merge of two shared sets, by their identity (each is built once per push). */
    private record Merge(Resources first, Resources second) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Merge m && m.first == first && m.second == second;
        }

        @Override
        public int hashCode() {
            return 31 * System.identityHashCode(first) + System.identityHashCode(second);
        }
    }

    /** Route configurations: always by name. */
    public static final class Rds implements Generator {
        @Override
        public TypeUrl type() {
            return TypeUrl.ROUTE;
        }

        @Override
        public Resources resources(Proxy proxy, PushContext push, Set<String> names) {
            Object view = push.viewKey(proxy);
            // Proxies with the same view asking for the same routes share the set, so its encoding too.
            return push.cached(List.of("rds-set", view, names), () -> {
                List<XdsResource> out = new ArrayList<>(names.size());
                for (String name : names) {
                    if (push.cached(List.of("rds", view, name), () -> {
                                var rc = RouteBuilder.build(proxy, push, name);
                                return rc == null ? Absent.INSTANCE : XdsResource.of(name, rc);
                            })
                            instanceof XdsResource x) {
                        out.add(x);
                    }
                }
                return Resources.of(out);
            });
        }
    }

    /** Clusters: all a sidecar sees on a wildcard request, exactly the named ones otherwise. */
    public static final class Cds implements Generator {
        @Override
        public TypeUrl type() {
            return TypeUrl.CLUSTER;
        }

        @Override
        public Resources resources(Proxy proxy, PushContext push, Set<String> names) {
            Object view = push.viewKey(proxy);
            if (names.isEmpty()) {
                Resources outbound = push.cached(List.of("cds-outbound", view), () -> {
                    ClusterBuilder builder = new ClusterBuilder(push.routing().clusterPolicy());
                    List<XdsResource> cs = new ArrayList<>();
                    for (Service s : push.visibleServices(proxy)) {
                        cs.addAll(push.cachedAcrossPushes(CacheKeys.ServiceClusters.of(view, s, push), () -> {
                            List<Message> built = new ArrayList<>();
                            for (ServicePort p : s.ports()) {
                                built.addAll(builder.outboundClusters(proxy, push, s, p));
                            }
                            return List.copyOf(wrap(built, m -> ((Cluster) m).getName()));
                        }));
                    }
                    cs.add(Special.PASSTHROUGH);
                    cs.add(Special.BLACKHOLE);
                    if (!proxy.proxyless()) {
                        cs.add(Special.INBOUND_PASSTHROUGH);
                    }
                    return Resources.of(cs);
                });
                if (proxy.proxyless()) {
                    return outbound;
                }
                // Inbound clusters depend on the proxy's Sidecar ingress (defaultEndpoint, connection pool) and its
                // addresses: they are built per proxy (a few small messages) and shared by value.
                List<Cluster> built = ClusterBuilder.inboundClusters(proxy, push);
                if (built.isEmpty()) {
                    return outbound;
                }
                Resources in = push.cached(List.of("cds-inbound-set", built), () -> {
                    List<XdsResource> inbound = new ArrayList<>(built.size());
                    for (Cluster c : built) {
                        inbound.add(XdsResource.of(c.getName(), c));
                    }
                    return Resources.of(inbound);
                });
                return push.cached(new Merge(outbound, in), () -> outbound.mergedWith(in));
            }
            List<XdsResource> out = new ArrayList<>(names.size());
            for (String name : names) {
                if (push.cached(List.of("cds-named", view, name), () -> {
                            Cluster c = named(proxy, push, name);
                            return c == null ? Absent.INSTANCE : XdsResource.of(name, c);
                        })
                        instanceof XdsResource x) {
                    out.add(x);
                }
            }
            return Resources.of(out);
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

    /** The clusters every sidecar gets whatever the config: built and packed once. */
    private static final class Special {
        static final XdsResource PASSTHROUGH = of(ClusterBuilder.passthrough(ResourceNames.PASSTHROUGH_CLUSTER));
        static final XdsResource BLACKHOLE = of(ClusterBuilder.blackhole());
        static final XdsResource INBOUND_PASSTHROUGH =
                of(ClusterBuilder.passthrough(ResourceNames.INBOUND_PASSTHROUGH_CLUSTER));

        private static XdsResource of(Cluster c) {
            return XdsResource.of(c.getName(), c);
        }
    }

    /**
     * Endpoints: always by cluster name; the same for every proxy of a namespace, unless locality load balancing makes
     * them depend on the proxy's locality (and labels).
     */
    public static final class Eds implements Generator {
        @Override
        public TypeUrl type() {
            return TypeUrl.ENDPOINT;
        }

        @Override
        public Resources resources(Proxy proxy, PushContext push, Set<String> names) {
            // What a proxy's view of each cluster is (namespace, plus locality when locality load balancing reorders
            // its endpoints) decides what it shares; in name order, so equal subscriptions give equal keys.
            List<String> sorted = names.stream().sorted().toList();
            List<Object> views = new ArrayList<>(sorted.size());
            for (String name : sorted) {
                views.add(EndpointBuilder.viewKey(proxy, push, name));
            }
            return push.cached(List.of("eds-set", sorted, views), () -> {
                List<XdsResource> out = new ArrayList<>(sorted.size());
                for (int i = 0; i < sorted.size(); i++) {
                    String name = sorted.get(i);
                    Object view = views.get(i);
                    if (push.cached(List.of("eds", view, name), () -> {
                                CacheKeys.Endpoints key = CacheKeys.Endpoints.of(view, name, push);
                                return key == null
                                        ? Absent.INSTANCE
                                        : push.cachedAcrossPushes(key, () -> build(proxy, push, name));
                            })
                            instanceof XdsResource x) {
                        out.add(x);
                    }
                }
                return Resources.of(out);
            });
        }

        private static Object build(Proxy proxy, PushContext push, String name) {
            var cla = EndpointBuilder.build(proxy, push, name);
            return cla == null ? Absent.INSTANCE : XdsResource.of(name, cla);
        }
    }
}
