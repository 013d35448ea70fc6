package dev.trellis.control.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.api.codec.ConfigLoader;
import dev.trellis.api.codec.LoadResult;
import dev.trellis.api.model.Resource;
import dev.trellis.control.model.MeshSettings;
import dev.trellis.control.model.Proxy;
import dev.trellis.control.model.Service;
import dev.trellis.control.model.Workload;
import dev.trellis.control.networking.route.RouteBuilder;
import dev.trellis.control.push.Environment;
import dev.trellis.control.push.PushContext;
import dev.trellis.control.registry.AggregateRegistry;
import dev.trellis.control.registry.MemoryRegistry;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Table-driven checks of the Istio-to-Envoy translation, each input YAML as a user would write it. */
class IstioRoutingTest {

    static final String SERVICES = """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: reviews, namespace: default}
            spec:
              hosts: [reviews.default.svc.cluster.local]
              addresses: [10.96.0.12]
              location: MESH_INTERNAL
              resolution: STATIC
              ports: [{number: 9080, name: http, protocol: HTTP}]
              endpoints:
              - {address: 10.0.0.21, labels: {version: v1}}
              - {address: 10.0.0.22, labels: {version: v2}}
            ---
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: ratings, namespace: default}
            spec:
              hosts: [ratings.default.svc.cluster.local]
              location: MESH_INTERNAL
              resolution: STATIC
              ports: [{number: 9080, name: http, protocol: HTTP}]
              endpoints: [{address: 10.0.0.31}]
            """;

    static final Proxy CLIENT = Proxy.sidecar(
            "sidecar~10.0.0.10~pp.default~default.svc.cluster.local",
            "default",
            List.of("10.0.0.10"),
            Map.of("app", "productpage"));

    static List<Resource<?>> yaml(String text) {
        LoadResult r = ConfigLoader.loadString("test.yaml", text);
        assertThat(r.failures()).isEmpty();
        assertThat(r.diagnostics()).isEmpty();
        return r.resources();
    }

    static PushContext push(String config) {
        return push(config, MeshSettings.DEFAULT);
    }

    static PushContext push(String config, MeshSettings mesh) {
        List<Resource<?>> all = yaml(SERVICES + "---\n" + config);
        MemoryRegistry reg = new MemoryRegistry("config");
        ConfigController c = new ConfigController(mesh, reg, () -> {}, Map::of);
        c.apply(all);
        AggregateRegistry agg = new AggregateRegistry();
        agg.add(reg);
        return new Environment(mesh, agg, c::routing, c::errors).snapshot();
    }

    static List<Route> reviewsRoutes(PushContext push, Proxy proxy) {
        RouteConfiguration rc = RouteBuilder.outbound(proxy, push, 9080);
        for (VirtualHost vh : rc.getVirtualHostsList()) {
            if (vh.getName().equals("reviews.default.svc.cluster.local:9080")) {
                return vh.getRoutesList();
            }
        }
        throw new AssertionError("no reviews virtual host in " + rc);
    }

    static String vs(String http) {
        return """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: reviews, namespace: default}
                spec:
                  hosts: [reviews]
                  http:
                """ + http.indent(2);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "uri exact|- match: [{uri: {exact: /a}}]\\n  route: [{destination: {host: reviews}}]|path: \"/a\"",
                "uri prefix|- match: [{uri: {prefix: /api}}]\\n  route: [{destination: {host: reviews}}]|prefix: \"/api\"",
                "uri regex|- match: [{uri: {regex: '/v[0-9]+'}}]\\n  route: [{destination: {host: reviews}}]|regex: \"/v[0-9]+\"",
                "ignore case|- match: [{uri: {prefix: /A}, ignoreUriCase: true}]\\n  route: [{destination: {host: reviews}}]|case_sensitive",
                "header|- match: [{headers: {x-user: {prefix: ja}}}]\\n  route: [{destination: {host: reviews}}]|name: \"x-user\"",
                "without header|- match: [{withoutHeaders: {x-test: {exact: 'on'}}}]\\n  route: [{destination: {host: reviews}}]|invert_match: true",
                "query|- match: [{queryParams: {debug: {exact: '1'}}}]\\n  route: [{destination: {host: reviews}}]|query_parameters",
                "method|- match: [{method: {exact: GET}}]\\n  route: [{destination: {host: reviews}}]|name: \":method\"",
                "authority|- match: [{authority: {exact: reviews}}]\\n  route: [{destination: {host: reviews}}]|name: \":authority\"",
                "subset and port|- route: [{destination: {host: reviews, subset: v2, port: {number: 9080}}}]|outbound|9080|v2|reviews.default.svc.cluster.local",
                "weights|- route: [{destination: {host: reviews}, weight: 90}, {destination: {host: ratings}, weight: 10}]|weighted_clusters",
                "rewrite|- rewrite: {uri: /v2, authority: new-host}\\n  route: [{destination: {host: reviews}}]|prefix_rewrite: \"/v2\"",
                "redirect|- redirect: {uri: /moved, authority: elsewhere, redirectCode: 302}|path_redirect: \"/moved\"",
                "direct response|- directResponse: {status: 418, body: {string: teapot}}|status: 418",
                "headers|- headers: {request: {set: {x-a: b}, remove: [x-c]}, response: {add: {x-d: e}}}\\n  route: [{destination: {host: reviews}}]|request_headers_to_remove: \"x-c\"",
                "timeout|- timeout: 1.5s\\n  route: [{destination: {host: reviews}}]|nanos: 500000000",
                "retries|- retries: {attempts: 4, perTryTimeout: 1s, retryOn: 5xx}\\n  route: [{destination: {host: reviews}}]|retry_on: \"5xx\"",
                "fault|- fault: {abort: {httpStatus: 503, percentage: {value: 25}}}\\n  route: [{destination: {host: reviews}}]|envoy.filters.http.fault",
                "mirror|- mirror: {host: ratings}\\n  mirrorPercentage: {value: 5}\\n  route: [{destination: {host: reviews}}]|request_mirror_policies",
                "cors|- corsPolicy: {allowOrigins: [{exact: 'https://a.example'}], allowMethods: [GET]}\\n  route: [{destination: {host: reviews}}]|envoy.filters.http.cors",
            })
    void httpRouteFieldsTranslate(String name, String http, String expected) {
        PushContext push = push(vs(http.replace("\\n", "\n")));
        assertThat(push.errors()).isEmpty();
        assertThat(reviewsRoutes(push, CLIENT).toString()).contains(expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "other source labels|- match: [{sourceLabels: {app: other}}]",
                "other source namespace|- match: [{sourceNamespace: other}]",
                "other port|- match: [{port: 8080}]",
                "gateway only|- match: [{gateways: [my-gateway]}]",
            })
    void matchesThatCannotHoldForThisProxyAreDropped(String name, String match) {
        PushContext push = push(vs(match + "\n  route: [{destination: {host: reviews, subset: v2}}]\n"
                + "- route: [{destination: {host: reviews, subset: v1}}]"));
        List<Route> routes = reviewsRoutes(push, CLIENT);
        assertThat(routes).hasSize(1);
        assertThat(routes.getFirst().getRoute().getCluster())
                .isEqualTo("outbound|9080|v1|reviews.default.svc.cluster.local");
    }

    @Test
    void firstMatchWinsInOrderAndMatchesOfOneRouteBecomeSeparateRoutes() {
        PushContext push = push(vs("""
                - name: a
                  match: [{uri: {prefix: /a}}, {uri: {prefix: /b}}]
                  route: [{destination: {host: reviews, subset: v1}}]
                - name: rest
                  route: [{destination: {host: reviews, subset: v2}}]
                """));
        List<Route> routes = reviewsRoutes(push, CLIENT);
        assertThat(routes).extracting(Route::getName).containsExactly("a", "a", "rest");
        assertThat(routes.get(2).getMatch().getPrefix()).isEqualTo("/");
    }

    @Test
    void theOldestVirtualServiceForAHostWinsAndTheOtherIsReported() {
        PushContext push = push(vs("- route: [{destination: {host: reviews, subset: v1}}]") + """
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: reviews-late, namespace: default, creationTimestamp: "2030-01-01T00:00:00Z"}
                spec:
                  hosts: [reviews]
                  http: [{route: [{destination: {host: reviews, subset: v2}}]}]
                """);
        assertThat(reviewsRoutes(push, CLIENT).getFirst().getRoute().getCluster())
                .contains("|v1|");
        assertThat(push.errors())
                .anySatisfy(e -> assertThat(e).contains("reviews-late").contains("already routed"));
    }

    @Test
    void destinationRuleLookupPrefersTheProxyNamespaceThenServiceThenRoot() {
        String dr = """
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: %s, namespace: %s}
                spec:
                  host: reviews.default.svc.cluster.local
                  trafficPolicy: {loadBalancer: {simple: %s}}
                """;
        String config = dr.formatted("root", "istio-system", "RANDOM") + "---\n"
                + dr.formatted("svc", "default", "ROUND_ROBIN") + "---\n"
                + dr.formatted("client", "other", "LEAST_REQUEST");
        PushContext push = push(config);
        Service reviews = push.service("reviews.default.svc.cluster.local");
        Proxy inOther = Proxy.sidecar("o", "other", List.of("10.1.1.1"), Map.of());
        Proxy inDefault = Proxy.sidecar("d", "default", List.of("10.1.1.2"), Map.of());
        Proxy inThird = Proxy.sidecar("t", "third", List.of("10.1.1.3"), Map.of());
        var builder = new dev.trellis.control.networking.cluster.ClusterBuilder(
                push.routing().clusterPolicy());
        var port = reviews.ports().getFirst();
        assertThat(builder.outboundClusters(inOther, push, reviews, port)
                        .getFirst()
                        .getLbPolicy()
                        .name())
                .isEqualTo("LEAST_REQUEST");
        assertThat(builder.outboundClusters(inDefault, push, reviews, port)
                        .getFirst()
                        .getLbPolicy()
                        .name())
                .isEqualTo("ROUND_ROBIN");
        assertThat(builder.outboundClusters(inThird, push, reviews, port)
                        .getFirst()
                        .getLbPolicy()
                        .name())
                .isEqualTo("ROUND_ROBIN");
    }

    @Test
    void subsetPolicyOverridesTopLevelAndSubsetEndpointsAreFiltered() {
        PushContext push = push("""
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: reviews, namespace: default}
                spec:
                  host: reviews
                  trafficPolicy:
                    loadBalancer: {simple: RANDOM}
                    connectionPool: {tcp: {maxConnections: 7}}
                    outlierDetection: {consecutive5xxErrors: 3}
                  subsets:
                  - name: v2
                    labels: {version: v2}
                    trafficPolicy: {loadBalancer: {simple: ROUND_ROBIN}}
                """);
        Service reviews = push.service("reviews.default.svc.cluster.local");
        var clusters = new dev.trellis.control.networking.cluster.ClusterBuilder(
                        push.routing().clusterPolicy())
                .outboundClusters(CLIENT, push, reviews, reviews.ports().getFirst());
        assertThat(clusters)
                .extracting(c -> c.getName())
                .containsExactly(
                        "outbound|9080||reviews.default.svc.cluster.local",
                        "outbound|9080|v2|reviews.default.svc.cluster.local");
        assertThat(clusters.get(0).getLbPolicy().name()).isEqualTo("RANDOM");
        assertThat(clusters.get(1).getLbPolicy().name()).isEqualTo("ROUND_ROBIN");
        assertThat(clusters.get(1)
                        .getCircuitBreakers()
                        .getThresholds(0)
                        .getMaxConnections()
                        .getValue())
                .isEqualTo(7);
        assertThat(clusters.get(1).getOutlierDetection().getConsecutive5Xx().getValue())
                .isEqualTo(3);
        var cla = dev.trellis.control.networking.endpoint.EndpointBuilder.build(
                CLIENT, push, "outbound|9080|v2|reviews.default.svc.cluster.local");
        assertThat(cla.getEndpoints(0).getLbEndpointsList())
                .extracting(e -> e.getEndpoint().getAddress().getSocketAddress().getAddress())
                .containsExactly("10.0.0.22");
        assertThat(dev.trellis.control.networking.endpoint.EndpointBuilder.build(
                        CLIENT, push, "outbound|9080|nope|reviews.default.svc.cluster.local"))
                .isNull();
    }

    @ParameterizedTest(name = "egress {0}: sees reviews={1}")
    @CsvSource({
        "'*/*',true",
        "'./*',true",
        "'default/reviews.default.svc.cluster.local',true",
        "'other/*',false",
        "'~/*',false",
        "'*/ratings.default.svc.cluster.local',false"
    })
    void sidecarEgressHostsScopeWhatAProxySees(String host, boolean visible) {
        PushContext push = push("""
                apiVersion: networking.istio.io/v1
                kind: Sidecar
                metadata: {name: default, namespace: default}
                spec:
                  egress: [{hosts: ["%s"]}]
                """.formatted(host));
        assertThat(push.visibleServices(CLIENT))
                .extracting(Service::hostname)
                .as("visible services")
                .matches(l -> l.contains("reviews.default.svc.cluster.local") == visible);
    }

    @Test
    void serviceEntriesResolveShortHostsAndReportDuplicates() {
        List<Resource<?>> all = yaml(SERVICES + """
                ---
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: dup, namespace: default, creationTimestamp: "2030-01-01T00:00:00Z"}
                spec:
                  hosts: [reviews]
                  resolution: DNS
                  ports: [{number: 80, name: http}]
                """);
        ServiceEntries.Translation t = ServiceEntries.translate(all, MeshSettings.DEFAULT);
        assertThat(t.services())
                .extracting(Service::hostname)
                .containsExactlyInAnyOrder("reviews.default.svc.cluster.local", "ratings.default.svc.cluster.local");
        assertThat(t.errors()).singleElement().asString().contains("dup").contains("already defined");
        assertThat(t.endpoints().get("reviews.default.svc.cluster.local"))
                .extracting(Workload::address)
                .containsExactly("10.0.0.21", "10.0.0.22");
    }

    @Test
    void tcpRoutesSplitConnectionsByWeight() throws Exception {
        PushContext push = push("""
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: db, namespace: default}
                spec:
                  hosts: [db.default.svc.cluster.local]
                  addresses: [10.96.9.9]
                  location: MESH_INTERNAL
                  resolution: STATIC
                  ports: [{number: 5432, name: tcp-pg, protocol: TCP}]
                  endpoints: [{address: 10.0.9.1, labels: {role: primary}}, {address: 10.0.9.2, labels: {role: replica}}]
                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: db, namespace: default}
                spec:
                  host: db
                  subsets: [{name: primary, labels: {role: primary}}, {name: replica, labels: {role: replica}}]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: db, namespace: default}
                spec:
                  hosts: [db]
                  tcp:
                  - match: [{port: 5432}]
                    route:
                    - {destination: {host: db, subset: primary}, weight: 70}
                    - {destination: {host: db, subset: replica}, weight: 30}
                """);
        var listener = dev.trellis.control.networking.listener.ListenerBuilder.outbound(CLIENT, push).stream()
                .filter(l -> l.getName().equals("10.96.9.9_5432"))
                .findFirst()
                .orElseThrow();
        var tcp = listener.getFilterChains(0)
                .getFilters(0)
                .getTypedConfig()
                .unpack(io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy.class);
        assertThat(tcp.getWeightedClusters().getClustersList())
                .extracting(c -> c.getName() + "=" + c.getWeight())
                .containsExactly(
                        "outbound|5432|primary|db.default.svc.cluster.local=70",
                        "outbound|5432|replica|db.default.svc.cluster.local=30");
    }

    @Test
    void aSidecarCanSetItsOwnOutboundTrafficPolicy() {
        PushContext push = push("""
                apiVersion: networking.istio.io/v1
                kind: Sidecar
                metadata: {name: default, namespace: default}
                spec:
                  outboundTrafficPolicy: {mode: REGISTRY_ONLY}
                """);
        RouteConfiguration rc = RouteBuilder.outbound(CLIENT, push, 9080);
        assertThat(rc.getVirtualHosts(rc.getVirtualHostsCount() - 1).getName()).isEqualTo("block_all");
        var vo = dev.trellis.control.networking.listener.ListenerBuilder.sidecar(CLIENT, push).stream()
                .filter(l -> l.getName().equals("virtualOutbound"))
                .findFirst()
                .orElseThrow();
        assertThat(vo.getFilterChains(0).getName()).isEqualTo("BlackHoleCluster");
        Proxy elsewhere = Proxy.sidecar("e", "other", List.of("10.9.9.9"), Map.of());
        RouteConfiguration other = RouteBuilder.outbound(elsewhere, push, 9080);
        assertThat(other.getVirtualHosts(other.getVirtualHostsCount() - 1).getName())
                .isEqualTo("allow_any");
    }

    @Test
    void delegateVirtualServicesAreMergedInPlace() {
        PushContext push = push("""
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: reviews, namespace: default}
                spec:
                  hosts: [reviews]
                  http:
                  - name: first
                    match: [{headers: {x-first: {exact: "1"}}}]
                    route: [{destination: {host: reviews, subset: v1}}]
                  - match: [{uri: {prefix: /api}}]
                    delegate: {name: reviews-api, namespace: team}
                  - name: rest
                    route: [{destination: {host: reviews, subset: v1}}]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: reviews-api, namespace: team}
                spec:
                  http:
                  - name: api-v2
                    match: [{headers: {x-user: {exact: jason}}}]
                    route: [{destination: {host: reviews.default.svc.cluster.local, subset: v2}}]
                  - name: api-rest
                    route: [{destination: {host: reviews.default.svc.cluster.local, subset: v1}}]
                """);
        assertThat(push.errors()).isEmpty();
        List<Route> routes = reviewsRoutes(push, CLIENT);
        assertThat(routes).extracting(Route::getName).containsExactly("first", "api-v2", "api-rest", "rest");
        Route v2 = routes.get(1);
        assertThat(v2.getMatch().getPrefix()).isEqualTo("/api");
        assertThat(v2.getMatch().getHeadersList()).extracting(h -> h.getName()).containsExactly("x-user");
        assertThat(v2.getRoute().getCluster()).isEqualTo("outbound|9080|v2|reviews.default.svc.cluster.local");
        assertThat(routes.get(2).getMatch().getPrefix()).isEqualTo("/api");
    }

    @Test
    void aMissingDelegateIsReported() {
        PushContext push = push(vs("- delegate: {name: nowhere}\n- route: [{destination: {host: reviews}}]"));
        assertThat(push.errors()).anySatisfy(e -> assertThat(e).contains("default/nowhere"));
        assertThat(reviewsRoutes(push, CLIENT)).hasSize(1);
    }

    @Test
    void tlsRoutesBySniPickTheDestination() throws Exception {
        PushContext push = push("""
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: secure, namespace: default}
                spec:
                  hosts: [secure.example.com]
                  addresses: [10.96.8.8]
                  location: MESH_EXTERNAL
                  resolution: DNS
                  ports: [{number: 443, name: tls, protocol: TLS}]
                ---
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: secure-mirror, namespace: default}
                spec:
                  hosts: [mirror.example.com]
                  location: MESH_EXTERNAL
                  resolution: DNS
                  ports: [{number: 443, name: tls, protocol: TLS}]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: secure, namespace: default}
                spec:
                  hosts: [secure.example.com]
                  tls:
                  - match: [{sniHosts: [secure.example.com], port: 443}]
                    route: [{destination: {host: mirror.example.com}}]
                """);
        var listener = dev.trellis.control.networking.listener.ListenerBuilder.outbound(CLIENT, push).stream()
                .filter(l -> l.getName().equals("10.96.8.8_443"))
                .findFirst()
                .orElseThrow();
        var tcp = listener.getFilterChains(0)
                .getFilters(0)
                .getTypedConfig()
                .unpack(io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy.class);
        assertThat(tcp.getCluster()).isEqualTo("outbound|443||mirror.example.com");
    }

    @Test
    void registryOnlyAnswers502ForUnknownHosts() {
        PushContext push =
                push("", MeshSettings.DEFAULT.withOutboundPolicy(MeshSettings.OutboundTrafficPolicy.REGISTRY_ONLY));
        RouteConfiguration rc = RouteBuilder.outbound(CLIENT, push, 9080);
        VirtualHost last = rc.getVirtualHosts(rc.getVirtualHostsCount() - 1);
        assertThat(last.getName()).isEqualTo("block_all");
        assertThat(last.getRoutes(0).getDirectResponse().getStatus()).isEqualTo(502);
    }
}
