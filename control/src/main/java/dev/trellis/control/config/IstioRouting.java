package dev.trellis.control.config;

import dev.trellis.api.model.Resource;
import dev.trellis.api.model.networking.DestinationRule;
import dev.trellis.api.model.networking.HTTPRoute;
import dev.trellis.api.model.networking.IstioEgressListener;
import dev.trellis.api.model.networking.Sidecar;
import dev.trellis.api.model.networking.Subset;
import dev.trellis.api.model.networking.VirtualService;
import dev.trellis.control.model.MeshSettings;
import dev.trellis.control.model.Proxy;
import dev.trellis.control.model.Service;
import dev.trellis.control.model.ServicePort;
import dev.trellis.control.networking.cluster.ClusterPolicy;
import dev.trellis.control.networking.listener.HttpFilters;
import dev.trellis.control.networking.listener.SidecarListeners;
import dev.trellis.control.push.PushContext;
import dev.trellis.control.push.RoutingConfig;
import dev.trellis.xds.naming.ClusterName;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.route.v3.Route;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * VirtualService, DestinationRule and Sidecar resources, indexed once per config change, answering the builders'
 * routing questions for each proxy.
 *
 * <ul>
 *   <li>VirtualService: the oldest one (then namespace/name) that names a host and is exported to the proxy's
 *       namespace wins for that host; later ones are reported. Only VirtualServices bound to {@code mesh} (no
 *       {@code gateways}, or {@code mesh} among them) shape sidecar routes. A route with {@code delegate} is replaced
 *       by the delegate VirtualService's routes, each with the root route's match merged into its own (the
 *       delegate's fields win, maps are combined); a missing delegate is reported and its route skipped.
 *   <li>DestinationRule: Istio's lookup order: the proxy's namespace (a rule with a matching workload selector
 *       first), then the service's namespace, then the root namespace; within each, the exact host before the
 *       most specific wildcard.
 *   <li>Sidecar: the proxy's namespace (selector match first, then the namespace default), else the root
 *       namespace's; its egress hosts ({@code ns/host}, {@code ./*}, {@code *}{@code /*}, {@code ~/*}) narrow what the
 *       proxy sees.
 * </ul>
 */
public final class IstioRouting extends RoutingConfig implements SidecarListeners {

    private final MeshSettings mesh;
    private final List<Resource<VirtualService>> virtualServices;
    private final List<Resource<DestinationRule>> destinationRules;
    private final List<Resource<Sidecar>> sidecars;
    private final List<String> errors = new ArrayList<>();
    private final boolean needsFault;
    private final boolean needsCors;
    private final boolean labelSensitive;
    /** Whether some DestinationRule selects workloads by label (then lookups depend on the proxy's labels). */
    private final boolean selectorRules;

    private final java.util.concurrent.ConcurrentHashMap<List<Object>, java.util.Optional<Resource<DestinationRule>>>
            drLookups = new java.util.concurrent.ConcurrentHashMap<>();

    private final ClusterPolicy clusterPolicy;

    public IstioRouting(List<Resource<?>> resources, MeshSettings mesh) {
        this.mesh = mesh;
        this.virtualServices = Resources.ofType(resources, VirtualService.class);
        this.destinationRules = Resources.ofType(resources, DestinationRule.class);
        this.sidecars = Resources.ofType(resources, Sidecar.class);
        boolean fault = false;
        boolean cors = false;
        Map<String, String> hostOwners = new LinkedHashMap<>();
        for (Resource<VirtualService> vs : virtualServices) {
            if (!boundToMesh(vs.spec().gatewaysOrDefault())) {
                continue;
            }
            for (String h : vs.spec().hostsOrDefault()) {
                String fqdn = mesh.fqdn(h, Resources.namespace(vs));
                String prev = hostOwners.putIfAbsent(fqdn, Resources.describe(vs));
                if (prev != null) {
                    errors.add(Resources.describe(vs) + ": host " + fqdn + " is already routed by " + prev
                            + " (the oldest wins)");
                }
            }
            int i = 0;
            for (HTTPRoute r : vs.spec().httpOrDefault()) {
                fault |= r.fault() != null;
                cors |= r.corsPolicy() != null;
                for (String w : HttpRoutes.unsupportedRetryFields(r.retries())) {
                    errors.add(Resources.describe(vs) + ": spec.http[" + i + "]." + w);
                }
                if (r.delegate() != null && delegate(r, Resources.namespace(vs)) == null) {
                    errors.add(Resources.describe(vs) + ": spec.http[" + i + "].delegate: no VirtualService "
                            + delegateName(r, Resources.namespace(vs)) + " without hosts; the route is skipped");
                }
                i++;
            }
        }
        for (Resource<DestinationRule> dr : destinationRules) {
            tlsProblems(dr);
        }
        for (Resource<Sidecar> sc : sidecars) {
            sidecarProblems(sc);
        }
        this.needsFault = fault;
        this.needsCors = cors;
        this.labelSensitive = computeLabelSensitive();
        this.clusterPolicy = newClusterPolicy();
        this.selectorRules = destinationRules.stream()
                .anyMatch(dr -> dr.spec().workloadSelector() != null
                        && !dr.spec().workloadSelector().matchLabelsOrDefault().isEmpty());
    }

    /** Reports TLS settings of a DestinationRule that cannot be applied, naming the field. */
    private void tlsProblems(Resource<DestinationRule> dr) {
        Map<String, dev.trellis.api.model.networking.ClientTLSSettings> all = new LinkedHashMap<>();
        collectTls("spec.trafficPolicy", dr.spec().trafficPolicy(), all);
        int i = 0;
        for (Subset s : dr.spec().subsetsOrDefault()) {
            collectTls("spec.subsets[" + i++ + "].trafficPolicy", s.trafficPolicy(), all);
        }
        all.forEach((path, tls) -> {
            for (String p : UpstreamTls.problems(tls)) {
                errors.add(Resources.describe(dr) + ": " + path + ".tls: " + p);
            }
        });
    }

    private static void collectTls(
            String path,
            dev.trellis.api.model.networking.TrafficPolicy tp,
            Map<String, dev.trellis.api.model.networking.ClientTLSSettings> out) {
        if (tp == null) {
            return;
        }
        if (tp.tls() != null) {
            out.put(path, tp.tls());
        }
        int i = 0;
        for (var p : tp.portLevelSettingsOrDefault()) {
            if (p.tls() != null) {
                out.put(path + ".portLevelSettings[" + i + "]", p.tls());
            }
            i++;
        }
    }

    @Override
    public boolean labelSensitive() {
        return labelSensitive;
    }

    private boolean computeLabelSensitive() {
        for (Resource<VirtualService> vs : virtualServices) {
            for (HTTPRoute r : vs.spec().httpOrDefault()) {
                for (var m : r.matchOrDefault()) {
                    if (!m.sourceLabelsOrDefault().isEmpty()) {
                        return true;
                    }
                }
            }
        }
        for (Resource<DestinationRule> dr : destinationRules) {
            if (dr.spec().workloadSelector() != null
                    && !dr.spec().workloadSelector().matchLabelsOrDefault().isEmpty()) {
                return true;
            }
        }
        for (Resource<Sidecar> sc : sidecars) {
            if (sc.spec().workloadSelector() != null
                    && !sc.spec().workloadSelector().labelsOrDefault().isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /** Conflicts and unsupported fields found while indexing. */
    public List<String> errors() {
        return List.copyOf(errors);
    }

    private static boolean boundToMesh(List<String> gateways) {
        return gateways.isEmpty() || gateways.contains("mesh");
    }

    @Override
    public List<String> httpFilters() {
        List<String> f = new ArrayList<>();
        if (needsFault) {
            f.add(HttpFilters.FAULT);
        }
        if (needsCors) {
            f.add(HttpFilters.CORS);
        }
        return f;
    }

    /** The VirtualService that routes {@code host} for a proxy in {@code namespace}, if any. */
    Resource<VirtualService> virtualService(String host, String namespace) {
        for (Resource<VirtualService> vs : virtualServices) {
            if (!boundToMesh(vs.spec().gatewaysOrDefault())
                    || !Resources.exported(vs.spec().exportToOrDefault(), Resources.namespace(vs), namespace)) {
                continue;
            }
            for (String h : vs.spec().hostsOrDefault()) {
                if (mesh.fqdn(h, Resources.namespace(vs)).equals(host)) {
                    return vs;
                }
            }
        }
        return null;
    }

    @Override
    public List<Route> httpRoutes(Proxy proxy, PushContext push, Service service, int port) {
        Resource<VirtualService> vs = virtualService(service.hostname(), proxy.namespace());
        if (vs == null) {
            return null;
        }
        String ns = Resources.namespace(vs);
        List<Route> out = new ArrayList<>();
        List<HTTPRoute> plain = new ArrayList<>();
        for (HTTPRoute r : vs.spec().httpOrDefault()) {
            if (r.delegate() == null) {
                plain.add(r);
                continue;
            }
            // Keep order: translate what came before the delegate, then the delegate's merged routes.
            out.addAll(HttpRoutes.translate(plain, ns, proxy, push, service, port));
            plain.clear();
            Resource<VirtualService> child = delegate(r, ns);
            if (child == null) {
                continue;
            }
            List<HTTPRoute> merged = new ArrayList<>();
            for (HTTPRoute c : child.spec().httpOrDefault()) {
                merged.add(mergeDelegate(r, c));
            }
            out.addAll(HttpRoutes.translate(merged, Resources.namespace(child), proxy, push, service, port));
        }
        out.addAll(HttpRoutes.translate(plain, ns, proxy, push, service, port));
        return out;
    }

    private static String delegateName(HTTPRoute r, String rootNamespace) {
        String ns =
                r.delegate().namespace() == null ? rootNamespace : r.delegate().namespace();
        return ns + "/" + r.delegate().name();
    }

    /** The delegate VirtualService a root route names: same namespace unless given, and without hosts. */
    Resource<VirtualService> delegate(HTTPRoute r, String rootNamespace) {
        String ns =
                r.delegate().namespace() == null ? rootNamespace : r.delegate().namespace();
        for (Resource<VirtualService> vs : virtualServices) {
            if (Resources.namespace(vs).equals(ns)
                    && r.delegate().name() != null
                    && r.delegate().name().equals(vs.name())
                    && vs.spec().hostsOrDefault().isEmpty()) {
                return vs;
            }
        }
        return null;
    }

    /** A delegate's route with the root route's match folded into each of its matches. */
    static HTTPRoute mergeDelegate(HTTPRoute root, HTTPRoute child) {
        List<dev.trellis.api.model.networking.HTTPMatchRequest> matches = new ArrayList<>();
        if (root.matchOrDefault().isEmpty()) {
            matches.addAll(child.matchOrDefault());
        } else if (child.matchOrDefault().isEmpty()) {
            matches.addAll(root.matchOrDefault());
        } else {
            for (var rm : root.matchOrDefault()) {
                for (var cm : child.matchOrDefault()) {
                    matches.add(mergeMatch(rm, cm));
                }
            }
        }
        return new HTTPRoute(
                child.corsPolicy(),
                null,
                child.directResponse(),
                child.fault(),
                child.headers(),
                matches.isEmpty() ? null : matches,
                child.mirror(),
                child.mirrorPercentLegacy(),
                child.mirrorPercent(),
                child.mirrorPercentage(),
                child.mirrors(),
                child.name() != null ? child.name() : root.name(),
                child.redirect(),
                child.retries(),
                child.rewrite(),
                child.route(),
                child.timeout());
    }

    private static dev.trellis.api.model.networking.HTTPMatchRequest mergeMatch(
            dev.trellis.api.model.networking.HTTPMatchRequest root,
            dev.trellis.api.model.networking.HTTPMatchRequest c) {
        return new dev.trellis.api.model.networking.HTTPMatchRequest(
                c.authority() != null ? c.authority() : root.authority(),
                c.gateways() != null ? c.gateways() : root.gateways(),
                union(root.headersOrDefault(), c.headersOrDefault()),
                c.ignoreUriCase() != null ? c.ignoreUriCase() : root.ignoreUriCase(),
                c.method() != null ? c.method() : root.method(),
                c.name() != null ? c.name() : root.name(),
                c.port() != null ? c.port() : root.port(),
                union(root.queryParamsOrDefault(), c.queryParamsOrDefault()),
                c.scheme() != null ? c.scheme() : root.scheme(),
                union(root.sourceLabelsOrDefault(), c.sourceLabelsOrDefault()),
                c.sourceNamespace() != null ? c.sourceNamespace() : root.sourceNamespace(),
                c.statPrefix() != null ? c.statPrefix() : root.statPrefix(),
                c.uri() != null ? c.uri() : root.uri(),
                union(root.withoutHeadersOrDefault(), c.withoutHeadersOrDefault()));
    }

    private static <V> Map<String, V> union(Map<String, V> a, Map<String, V> b) {
        if (a.isEmpty() && b.isEmpty()) {
            return null;
        }
        Map<String, V> m = new LinkedHashMap<>(a);
        m.putAll(b);
        return m;
    }

    @Override
    public List<TcpTarget> tcpRoute(Proxy proxy, PushContext push, Service service, int port) {
        Resource<VirtualService> vs = virtualService(service.hostname(), proxy.namespace());
        if (vs == null) {
            return null;
        }
        for (var tcp : vs.spec().tcpOrDefault()) {
            boolean matches = tcp.matchOrDefault().isEmpty();
            for (var m : tcp.matchOrDefault()) {
                boolean ok = (m.port() == null || m.port() == port)
                        && (m.gatewaysOrDefault().isEmpty()
                                || m.gatewaysOrDefault().contains("mesh"))
                        && (m.sourceNamespace() == null || m.sourceNamespace().equals(proxy.namespace()))
                        && proxy.labels()
                                .entrySet()
                                .containsAll(m.sourceLabelsOrDefault().entrySet());
                matches |= ok;
            }
            if (!matches || tcp.routeOrDefault().isEmpty()) {
                continue;
            }
            List<TcpTarget> out = new ArrayList<>();
            for (var d : tcp.routeOrDefault()) {
                int w = d.weight() == null ? (tcp.routeOrDefault().size() == 1 ? 100 : 0) : d.weight();
                if (w > 0 || tcp.routeOrDefault().size() == 1) {
                    out.add(new TcpTarget(
                            HttpRoutes.cluster(d.destination(), Resources.namespace(vs), mesh, push, port), w));
                }
            }
            return out;
        }
        // TLS routes: the first whose SNI hosts name this service (the client sends that SNI through the proxy).
        for (var tls : vs.spec().tlsOrDefault()) {
            boolean matches = false;
            for (var m : tls.matchOrDefault()) {
                boolean sni = m.sniHostsOrDefault().stream()
                        .anyMatch(
                                h -> Resources.hostMatches(mesh.fqdn(h, Resources.namespace(vs)), service.hostname()));
                matches |= sni
                        && (m.port() == null || m.port() == port)
                        && (m.gatewaysOrDefault().isEmpty()
                                || m.gatewaysOrDefault().contains("mesh"))
                        && (m.sourceNamespace() == null || m.sourceNamespace().equals(proxy.namespace()))
                        && proxy.labels()
                                .entrySet()
                                .containsAll(m.sourceLabelsOrDefault().entrySet());
            }
            if (!matches || tls.routeOrDefault().isEmpty()) {
                continue;
            }
            List<TcpTarget> out = new ArrayList<>();
            for (var d : tls.routeOrDefault()) {
                int w = d.weight() == null ? (tls.routeOrDefault().size() == 1 ? 100 : 0) : d.weight();
                if (w > 0 || tls.routeOrDefault().size() == 1) {
                    out.add(new TcpTarget(
                            HttpRoutes.cluster(d.destination(), Resources.namespace(vs), mesh, push, port), w));
                }
            }
            return out;
        }
        return null;
    }

    /** The DestinationRule for {@code service} as a proxy in {@code proxyNamespace} with {@code labels} sees it. */
    Resource<DestinationRule> destinationRule(String proxyNamespace, Map<String, String> labels, Service service) {
        if (destinationRules.isEmpty()) {
            return null;
        }
        // Every cluster and endpoint build asks; the answer depends only on these, and this index never changes.
        List<Object> key =
                List.of(proxyNamespace, selectorRules ? labels : Map.of(), service.hostname(), service.namespace());
        return drLookups
                .computeIfAbsent(
                        key, k -> java.util.Optional.ofNullable(lookupDestinationRule(proxyNamespace, labels, service)))
                .orElse(null);
    }

    private Resource<DestinationRule> lookupDestinationRule(
            String proxyNamespace, Map<String, String> labels, Service service) {
        for (String ns : new LinkedHashSet<>(List.of(proxyNamespace, service.namespace(), mesh.rootNamespace()))) {
            Resource<DestinationRule> withSelector = null;
            Resource<DestinationRule> plain = null;
            int plainScore = -1;
            for (Resource<DestinationRule> dr : destinationRules) {
                if (!Resources.namespace(dr).equals(ns)
                        || !Resources.exported(dr.spec().exportToOrDefault(), ns, proxyNamespace)
                        || dr.spec().host() == null) {
                    continue;
                }
                String host = mesh.fqdn(dr.spec().host(), ns);
                if (!Resources.hostMatches(host, service.hostname())) {
                    continue;
                }
                int score = host.equals(service.hostname()) ? Integer.MAX_VALUE : host.length();
                var sel = dr.spec().workloadSelector();
                if (sel != null && !sel.matchLabelsOrDefault().isEmpty()) {
                    if (ns.equals(proxyNamespace)
                            && labels.entrySet()
                                    .containsAll(sel.matchLabelsOrDefault().entrySet())
                            && withSelector == null) {
                        withSelector = dr;
                    }
                    continue;
                }
                if (score > plainScore) {
                    plain = dr;
                    plainScore = score;
                }
            }
            if (withSelector != null) {
                return withSelector;
            }
            if (plain != null) {
                return plain;
            }
        }
        return null;
    }

    @Override
    public Map<String, String> subsetLabels(String proxyNamespace, String hostname, String subset) {
        // EDS requests carry no proxy labels; subsets come from the namespace-level rule.
        Service probe =
                Service.internal(hostname, namespaceOf(hostname), List.of(), List.of(ServicePort.named("x", 1)));
        Resource<DestinationRule> dr = destinationRule(proxyNamespace, Map.of(), probe);
        if (dr == null) {
            return null;
        }
        for (Subset s : dr.spec().subsetsOrDefault()) {
            if (subset.equals(s.name())) {
                return s.labelsOrDefault();
            }
        }
        return null;
    }

    private String namespaceOf(String hostname) {
        String suffix = ".svc." + mesh.domainSuffix();
        if (hostname.endsWith(suffix)) {
            String rest = hostname.substring(0, hostname.length() - suffix.length());
            int dot = rest.lastIndexOf('.');
            return dot < 0 ? "" : rest.substring(dot + 1);
        }
        return "";
    }

    @Override
    public ClusterPolicy clusterPolicy() {
        return clusterPolicy;
    }

    /** Whether some DestinationRule sets outlier detection or a locality setting at any level. */
    private static boolean reordersEndpoints(Resource<DestinationRule> dr) {
        List<dev.trellis.api.model.networking.TrafficPolicy> policies = new ArrayList<>();
        policies.add(dr.spec().trafficPolicy());
        dr.spec().subsetsOrDefault().forEach(s -> policies.add(s.trafficPolicy()));
        for (var tp : policies) {
            if (tp == null) {
                continue;
            }
            if (tp.outlierDetection() != null
                    || (tp.loadBalancer() != null && tp.loadBalancer().localityLbSetting() != null)) {
                return true;
            }
            for (var p : tp.portLevelSettingsOrDefault()) {
                if (p.outlierDetection() != null
                        || (p.loadBalancer() != null && p.loadBalancer().localityLbSetting() != null)) {
                    return true;
                }
            }
        }
        return false;
    }

    private ClusterPolicy newClusterPolicy() {
        boolean reorders = destinationRules.stream().anyMatch(IstioRouting::reordersEndpoints);
        return new ClusterPolicy() {
            @Override
            public boolean mayReorderEndpoints() {
                return reorders;
            }

            @Override
            public List<String> subsets(Proxy proxy, PushContext push, Service service) {
                Resource<DestinationRule> dr = destinationRule(proxy.namespace(), proxy.labels(), service);
                if (dr == null) {
                    return List.of();
                }
                List<String> names = new ArrayList<>();
                for (Subset s : dr.spec().subsetsOrDefault()) {
                    if (s.name() != null) {
                        names.add(s.name());
                    }
                }
                return names;
            }

            @Override
            public Cluster apply(
                    Proxy proxy, PushContext push, Service s, ServicePort p, ClusterName name, Cluster base) {
                var eff = effectivePolicy(proxy, s, p.port(), name.subset());
                if (eff == null) {
                    // No DestinationRule: only a mesh-wide locality setting can shape the cluster.
                    eff = ClusterSettings.effective(null, null, p.port());
                }
                return ClusterSettings.apply(
                        base,
                        eff,
                        tlsContext(push, s, p, name, proxy.proxyless()),
                        push.mesh().localityLb());
            }

            @Override
            public EndpointPolicy endpointPolicy(
                    Proxy proxy, PushContext push, Service service, int port, String subset) {
                var eff = effectivePolicy(proxy, service, port, subset);
                if (eff == null) {
                    return EndpointPolicy.NONE;
                }
                return new EndpointPolicy(ClusterSettings.locality(eff.lb()), eff.outlier() != null);
            }
        };
    }

    /**
     * The DestinationRule policy for a proxy's view of {@code service} port {@code port}, subset {@code subset} ("" for
     * the service-level cluster): top level, port level, subset and its port level merged as Istio; null without a
     * rule.
     */
    private ClusterSettings.Effective effectivePolicy(Proxy proxy, Service service, int port, String subset) {
        Resource<DestinationRule> dr = destinationRule(proxy.namespace(), proxy.labels(), service);
        if (dr == null) {
            return null;
        }
        var subsetPolicy = subset.isEmpty()
                ? null
                : dr.spec().subsetsOrDefault().stream()
                        .filter(x -> subset.equals(x.name()))
                        .findFirst()
                        .map(Subset::trafficPolicy)
                        .orElse(null);
        return ClusterSettings.effective(dr.spec().trafficPolicy(), subsetPolicy, port);
    }

    /** What an upstream TLS context for this cluster needs: Istio's SNI and the endpoints' SPIFFE ids. */
    private UpstreamTls.Context tlsContext(
            PushContext push, Service s, ServicePort p, ClusterName name, boolean proxyless) {
        // Istio's ServiceAccounts(host): what the ServiceEntry declares, then its endpoints' SPIFFE ids.
        java.util.TreeSet<String> accounts = new java.util.TreeSet<>(s.subjectAltNames());
        for (var i : push.instances(s.hostname(), p.port())) {
            var w = i.workload();
            if (!w.serviceAccount().isEmpty()) {
                accounts.add(
                        mesh.spiffeId(w.namespace().isEmpty() ? s.namespace() : w.namespace(), w.serviceAccount()));
            }
        }
        return new UpstreamTls.Context(
                UpstreamTls.sni(p.port(), name.subset(), s.hostname()),
                List.copyOf(accounts),
                p.protocol().isHttp(),
                proxyless,
                s.subjectAltNames());
    }

    @Override
    public List<io.envoyproxy.envoy.config.route.v3.RouteAction.HashPolicy> hashPolicies(
            Proxy proxy, Service service, int port) {
        Resource<DestinationRule> dr = destinationRule(proxy.namespace(), proxy.labels(), service);
        if (dr == null) {
            return List.of();
        }
        var lb =
                ClusterSettings.effective(dr.spec().trafficPolicy(), null, port).lb();
        if (lb == null || lb.consistentHash() == null) {
            return List.of();
        }
        var ch = lb.consistentHash();
        var h = io.envoyproxy.envoy.config.route.v3.RouteAction.HashPolicy.newBuilder();
        if (ch.httpHeaderName() != null) {
            h.setHeader(io.envoyproxy.envoy.config.route.v3.RouteAction.HashPolicy.Header.newBuilder()
                    .setHeaderName(ch.httpHeaderName()));
        } else if (ch.httpCookie() != null) {
            var c = io.envoyproxy.envoy.config.route.v3.RouteAction.HashPolicy.Cookie.newBuilder()
                    .setName(
                            ch.httpCookie().name() == null
                                    ? ""
                                    : ch.httpCookie().name());
            if (ch.httpCookie().path() != null) {
                c.setPath(ch.httpCookie().path());
            }
            if (ch.httpCookie().ttl() != null) {
                c.setTtl(dev.trellis.control.networking.Envoy.millis(
                        ch.httpCookie().ttl().nanos() / 1_000_000));
            }
            h.setCookie(c);
        } else if (ch.httpQueryParameterName() != null) {
            h.setQueryParameter(io.envoyproxy.envoy.config.route.v3.RouteAction.HashPolicy.QueryParameter.newBuilder()
                    .setName(ch.httpQueryParameterName()));
        } else if (Boolean.TRUE.equals(ch.useSourceIp())) {
            h.setConnectionProperties(
                    io.envoyproxy.envoy.config.route.v3.RouteAction.HashPolicy.ConnectionProperties.newBuilder()
                            .setSourceIp(true));
        } else {
            return List.of();
        }
        return List.of(h.build());
    }

    @Override
    public boolean sidecarAllows(Proxy proxy, Service service, MeshSettings mesh) {
        Resource<Sidecar> sc = sidecarFor(proxy);
        if (sc == null || sc.spec().egressOrDefault().isEmpty()) {
            return true;
        }
        for (IstioEgressListener egress : sc.spec().egressOrDefault()) {
            if (hostsSelect(egress.hostsOrDefault(), service, Resources.namespace(sc))) {
                return true;
            }
        }
        return false;
    }

    /** Whether Sidecar egress {@code hosts} ({@code ns/host}, {@code ./*}, {@code *}{@code /*}, {@code ~/*}) match. */
    private static boolean hostsSelect(List<String> hosts, Service service, String sidecarNamespace) {
        for (String h : hosts) {
            int slash = h.indexOf('/');
            String ns = slash < 0 ? "*" : h.substring(0, slash);
            String host = slash < 0 ? h : h.substring(slash + 1);
            boolean nsOk = ns.equals("*")
                    || (ns.equals(".") && service.namespace().equals(sidecarNamespace))
                    || ns.equals(service.namespace());
            if (ns.equals("~")) {
                nsOk = false;
            }
            if (nsOk && Resources.hostMatches(host, service.hostname())) {
                return true;
            }
        }
        return false;
    }

    @Override
    public List<SidecarListeners.Ingress> ingress(Proxy proxy) {
        Resource<Sidecar> sc = sidecarFor(proxy);
        if (sc == null) {
            return List.of();
        }
        List<SidecarListeners.Ingress> out = new ArrayList<>();
        for (var i : sc.spec().ingressOrDefault()) {
            if (i.port() == null || i.port().number() == null) {
                continue;
            }
            out.add(new SidecarListeners.Ingress(
                    i.port().number().intValue(),
                    dev.trellis.control.model.Protocol.of(
                            i.port().name(), i.port().protocol()),
                    i.bind(),
                    capture(i.captureMode()),
                    i.defaultEndpoint()));
        }
        return out;
    }

    @Override
    public List<SidecarListeners.Egress> egressWithPort(Proxy proxy) {
        Resource<Sidecar> sc = sidecarFor(proxy);
        if (sc == null) {
            return List.of();
        }
        List<SidecarListeners.Egress> out = new ArrayList<>();
        for (IstioEgressListener e : sc.spec().egressOrDefault()) {
            if (e.port() == null || e.port().number() == null) {
                continue;
            }
            out.add(new SidecarListeners.Egress(
                    e.port().number().intValue(),
                    dev.trellis.control.model.Protocol.of(
                            e.port().name(), e.port().protocol()),
                    e.bind(),
                    capture(e.captureMode()),
                    e.hostsOrDefault()));
        }
        return out;
    }

    @Override
    public boolean catchAllSelects(Proxy proxy, Service service) {
        Resource<Sidecar> sc = sidecarFor(proxy);
        if (sc == null || sc.spec().egressOrDefault().isEmpty()) {
            return true;
        }
        for (IstioEgressListener e : sc.spec().egressOrDefault()) {
            if (e.port() == null || e.port().number() == null) {
                return hostsSelect(e.hostsOrDefault(), service, Resources.namespace(sc));
            }
        }
        return false;
    }

    @Override
    public boolean egressSelects(Proxy proxy, SidecarListeners.Egress egress, Service service) {
        Resource<Sidecar> sc = sidecarFor(proxy);
        return sc != null && hostsSelect(egress.hosts(), service, Resources.namespace(sc));
    }

    private static SidecarListeners.Capture capture(dev.trellis.api.model.networking.CaptureMode m) {
        if (m == null) {
            return SidecarListeners.Capture.DEFAULT;
        }
        return switch (m) {
            case DEFAULT -> SidecarListeners.Capture.DEFAULT;
            case IPTABLES -> SidecarListeners.Capture.IPTABLES;
            case NONE -> SidecarListeners.Capture.NONE;
        };
    }

    /** Sidecar fields the translation does not apply, reported once per resource with the field's path. */
    private void sidecarProblems(Resource<Sidecar> sc) {
        int i = 0;
        for (var in : sc.spec().ingressOrDefault()) {
            String at = Resources.describe(sc) + ": spec.ingress[" + i++ + "].";
            if (in.tls() != null) {
                errors.add(at + "tls: TLS termination on sidecar ingress is not supported yet (Istio also ignores it"
                        + " unless ENABLE_TLS_ON_SIDECAR_INGRESS is set); the port is served in plaintext");
            }
        }
    }

    @Override
    public Cluster inboundPolicy(Proxy proxy, int port, Cluster cluster) {
        Resource<Sidecar> sc = sidecarFor(proxy);
        if (sc == null) {
            return cluster;
        }
        var pool = sc.spec().inboundConnectionPool();
        for (var i : sc.spec().ingressOrDefault()) {
            if (i.port() != null
                    && i.port().number() != null
                    && i.port().number() == port
                    && i.connectionPool() != null) {
                pool = i.connectionPool();
                break;
            }
        }
        if (pool == null) {
            return cluster;
        }
        Cluster.Builder c = cluster.toBuilder();
        ClusterSettings.pool(c, pool);
        return c.build();
    }

    @Override
    public MeshSettings.OutboundTrafficPolicy outboundPolicy(Proxy proxy, MeshSettings mesh) {
        Resource<Sidecar> sc = sidecarFor(proxy);
        if (sc == null
                || sc.spec().outboundTrafficPolicy() == null
                || sc.spec().outboundTrafficPolicy().mode() == null) {
            return mesh.outboundPolicy();
        }
        return switch (sc.spec().outboundTrafficPolicy().mode()) {
            case ALLOW_ANY -> MeshSettings.OutboundTrafficPolicy.ALLOW_ANY;
            case REGISTRY_ONLY -> MeshSettings.OutboundTrafficPolicy.REGISTRY_ONLY;
        };
    }

    /** The Sidecar that applies to a proxy: its namespace's (selector match first), else the root namespace's. */
    Resource<Sidecar> sidecarFor(Proxy proxy) {
        Resource<Sidecar> nsDefault = null;
        Resource<Sidecar> root = null;
        for (Resource<Sidecar> sc : sidecars) {
            String ns = Resources.namespace(sc);
            var sel = sc.spec().workloadSelector();
            boolean hasSelector = sel != null && !sel.labelsOrDefault().isEmpty();
            if (ns.equals(proxy.namespace())) {
                if (hasSelector) {
                    if (proxy.labels()
                            .entrySet()
                            .containsAll(sel.labelsOrDefault().entrySet())) {
                        return sc;
                    }
                } else if (nsDefault == null) {
                    nsDefault = sc;
                }
            } else if (ns.equals(mesh.rootNamespace()) && !hasSelector && root == null) {
                root = sc;
            }
        }
        return nsDefault != null ? nsDefault : root;
    }

    public Set<String> virtualServiceHosts() {
        Set<String> out = new LinkedHashSet<>();
        for (Resource<VirtualService> vs : virtualServices) {
            for (String h : vs.spec().hostsOrDefault()) {
                out.add(mesh.fqdn(h, Resources.namespace(vs)));
            }
        }
        return out;
    }
}
