package dev.trellis.proxy.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.trellis.proxy.bootstrap.ExtensionTypes;
import dev.trellis.proxy.server.ProxyServer;
import dev.trellis.proxy.testing.FakeAdsServer;
import dev.trellis.proxy.testing.ProxyHarness;
import dev.trellis.proxy.testing.RawHttp;
import dev.trellis.proxy.testing.TestUpstream;
import dev.trellis.testing.LeakCheck;
import dev.trellis.xds.TypeUrl;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The proxy driven over ADS by an in-test xDS server: warming, ACK/NACK, live updates, removal, reconnect. */
@ExtendWith(LeakCheck.class)
class ProxyXdsTest {
    static final String BOOTSTRAP = """
            node: { id: sidecar~127.0.0.1~app.default~default.svc.cluster.local, cluster: app }
            admin:
              address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
            dynamic_resources:
              ads_config:
                api_type: GRPC
                transport_api_version: V3
                grpc_services: [ { envoy_grpc: { cluster_name: xds-grpc } } ]
              lds_config: { ads: {}, resource_api_version: V3, initial_fetch_timeout: 10s }
              cds_config: { ads: {}, resource_api_version: V3, initial_fetch_timeout: 10s }
            static_resources:
              clusters:
              - name: xds-grpc
                type: STATIC
                connect_timeout: 1s
                typed_extension_protocol_options:
                  envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
                    "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
                    explicit_http_config: { http2_protocol_options: {} }
                load_assignment:
                  cluster_name: xds-grpc
                  endpoints:
                  - lb_endpoints:
                    - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${XDS} } } }
            """;

    FakeAdsServer ads;
    TestUpstream a;
    TestUpstream b;
    ProxyHarness proxy;
    int port;
    HttpClient client =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    static <T extends Message.Builder> T json(String json, T b) {
        try {
            JsonFormat.parser().usingTypeRegistry(ExtensionTypes.registry()).merge(json, b);
            return b;
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    static Cluster edsCluster(String name) {
        return json(
                        "{\"name\":\"" + name + "\",\"type\":\"EDS\",\"connect_timeout\":\"1s\","
                                + "\"eds_cluster_config\":{\"eds_config\":{\"ads\":{},\"resource_api_version\":\"V3\"}}}",
                        Cluster.newBuilder())
                .build();
    }

    static ClusterLoadAssignment cla(String name, int port) {
        return json(
                        "{\"cluster_name\":\"" + name
                                + "\",\"endpoints\":[{\"lb_endpoints\":[{\"endpoint\":{\"address\":"
                                + "{\"socket_address\":{\"address\":\"127.0.0.1\",\"port_value\":" + port + "}}}}]}]}",
                        ClusterLoadAssignment.newBuilder())
                .build();
    }

    Listener listener(String routeName) {
        return listener(port, routeName);
    }

    static Listener listener(int port, String routeName) {
        return json("""
                {"name":"http","address":{"socket_address":{"address":"127.0.0.1","port_value":%d}},
                 "filter_chains":[{"filters":[{"name":"hcm","typed_config":{
                   "@type":"type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
                   "stat_prefix":"http","rds":{"route_config_name":"%s","config_source":{"ads":{},"resource_api_version":"V3"}},
                   "http_filters":[{"name":"router","typed_config":{"@type":"type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"}}]}}]}]}
                """.formatted(port, routeName), Listener.newBuilder()).build();
    }

    static RouteConfiguration route(String name, String cluster) {
        return json(
                        "{\"name\":\"" + name
                                + "\",\"virtual_hosts\":[{\"name\":\"all\",\"domains\":[\"*\"],\"routes\":"
                                + "[{\"match\":{\"prefix\":\"/\"},\"route\":{\"cluster\":\"" + cluster + "\"}}]}]}",
                        RouteConfiguration.newBuilder())
                .build();
    }

    static void await(BooleanSupplier cond, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (!cond.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    String get() {
        return get(client, port);
    }

    /** GET /x on the proxy's listener: {@code "<status> <body>"}, or {@code "error ..."} when it failed. */
    static String get(HttpClient client, int port) {
        try {
            HttpResponse<String> r = client.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/x"))
                            .timeout(Duration.ofSeconds(3))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() + " " + r.body();
        } catch (Exception e) {
            return "error " + e;
        }
    }

    @BeforeEach
    void start() throws Exception {
        ads = new FakeAdsServer(0);
        a = new TestUpstream("a");
        b = new TestUpstream("b");
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        proxy = ProxyHarness.start(BOOTSTRAP, Map.of("XDS", ads.port()), new ProxyServer.Options(1, 300));
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        ads.close();
        a.close();
        b.close();
    }

    List<DiscoveryRequest> requestsFor(TypeUrl t) {
        return ads.requests.stream().filter(r -> r.getTypeUrl().equals(t.url())).toList();
    }

    void pushAll(String v) {
        ads.push(TypeUrl.CLUSTER.url(), v, List.of(edsCluster("backend")));
        ads.push(TypeUrl.ENDPOINT.url(), v, List.of(cla("backend", a.port())));
        ads.push(TypeUrl.LISTENER.url(), v, List.of(listener("local")));
        ads.push(TypeUrl.ROUTE.url(), v, List.of(route("local", "backend")));
    }

    @Test
    void aDrainedIdleKeepAliveConnectionStillAnswersTheRequestItWasSent() throws Exception {
        pushAll("1");
        await(() -> get().startsWith("200"), "traffic");
        try (RawHttp c = new RawHttp(new InetSocketAddress("127.0.0.1", port))) {
            c.send("GET /first HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(c.read().status()).isEqualTo(200);
            // The listener changes: its old connections drain. This one is idle, and its client (like any keep-alive
            // client) may send its next request at this very moment; closing it now would drop that request.
            Listener changed = listener("local").toBuilder()
                    .setPerConnectionBufferLimitBytes(com.google.protobuf.UInt32Value.of(65536))
                    .build();
            ads.push(TypeUrl.LISTENER.url(), "2", List.of(changed));
            await(
                    () -> requestsFor(TypeUrl.LISTENER).stream()
                            .anyMatch(r -> r.getVersionInfo().equals("2")),
                    "the listener update applied and ACKed");
            c.send("GET /second HTTP/1.1\r\nHost: x\r\n\r\n");
            RawHttp.Response second = c.read();
            assertThat(second.status()).isEqualTo(200);
            assertThat(second.header("connection")).isEqualToIgnoringCase("close");
            assertThat(c.closedByPeer()).isTrue();
        }
    }

    @Test
    void warmsThenServesAndAcks() throws Exception {
        assertThat(proxy.server.initialized()).isFalse();
        // The listener waits (warming) for its route configuration.
        ads.push(TypeUrl.CLUSTER.url(), "1", List.of(edsCluster("backend")));
        ads.push(TypeUrl.ENDPOINT.url(), "1", List.of(cla("backend", a.port())));
        ads.push(TypeUrl.LISTENER.url(), "1", List.of(listener("local")));
        await(() -> proxy.server.listeners().warming().containsKey("http"), "listener warming");
        assertThat(proxy.server.listeners().active()).doesNotContainKey("http");
        ads.push(TypeUrl.ROUTE.url(), "1", List.of(route("local", "backend")));
        await(() -> get().startsWith("200"), "traffic through the xDS listener");
        assertThat(get()).contains("upstream=a");
        await(() -> proxy.server.initialized(), "initialized");
        // Every type was ACKed with the version and the nonce of the response.
        for (TypeUrl t : List.of(TypeUrl.CLUSTER, TypeUrl.ENDPOINT, TypeUrl.LISTENER, TypeUrl.ROUTE)) {
            await(
                    () -> requestsFor(t).stream()
                            .anyMatch(r -> r.getVersionInfo().equals("1")
                                    && !r.getResponseNonce().isEmpty()
                                    && !r.hasErrorDetail()),
                    "ACK of " + t);
        }
        assertThat(requestsFor(TypeUrl.ROUTE).getLast().getResourceNamesList()).containsExactly("local");
        assertThat(requestsFor(TypeUrl.ENDPOINT).getLast().getResourceNamesList())
                .containsExactly("backend");
        assertThat(ads.requests.getFirst().getNode().getId()).startsWith("sidecar~");
    }

    @Test
    void nackKeepsLastGoodConfig() throws Exception {
        pushAll("1");
        await(() -> get().startsWith("200"), "traffic");
        RouteConfiguration bad = json(
                        "{\"name\":\"local\",\"virtual_hosts\":[{\"name\":\"all\",\"domains\":[\"*\"],"
                                + "\"routes\":[{\"match\":{\"safe_regex\":{\"regex\":\"(\"}},\"route\":{\"cluster\":\"backend\"}}]}]}",
                        RouteConfiguration.newBuilder())
                .build();
        ads.push(TypeUrl.ROUTE.url(), "2", List.of(bad));
        await(() -> requestsFor(TypeUrl.ROUTE).stream().anyMatch(DiscoveryRequest::hasErrorDetail), "NACK");
        DiscoveryRequest nack = requestsFor(TypeUrl.ROUTE).stream()
                .filter(DiscoveryRequest::hasErrorDetail)
                .findFirst()
                .orElseThrow();
        assertThat(nack.getVersionInfo()).isEqualTo("1");
        assertThat(nack.getErrorDetail().getMessage())
                .contains("route configuration \"local\"")
                .contains("invalid regex");
        assertThat(get()).startsWith("200").contains("upstream=a");
        // A bad cluster is rejected the same way.
        Cluster badCluster = json(
                        "{\"name\":\"backend\",\"type\":\"EDS\",\"lb_policy\":\"LOAD_BALANCING_POLICY_CONFIG\"}",
                        Cluster.newBuilder())
                .build();
        ads.push(TypeUrl.CLUSTER.url(), "2", List.of(badCluster));
        await(() -> requestsFor(TypeUrl.CLUSTER).stream().anyMatch(DiscoveryRequest::hasErrorDetail), "CDS NACK");
        assertThat(requestsFor(TypeUrl.CLUSTER).stream()
                        .filter(DiscoveryRequest::hasErrorDetail)
                        .findFirst()
                        .orElseThrow()
                        .getErrorDetail()
                        .getMessage())
                .contains("cluster \"backend\"")
                .contains("lb_policy");
        assertThat(get()).startsWith("200");
    }

    @Test
    void liveUpdatesWithoutFailedRequests() throws Exception {
        pushAll("1");
        await(() -> get().startsWith("200"), "traffic");
        AtomicBoolean run = new AtomicBoolean(true);
        AtomicInteger ok = new AtomicInteger();
        List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread load = new Thread(() -> {
            long end = System.currentTimeMillis() + 8000;
            while (run.get() && System.currentTimeMillis() < end) {
                String r = get();
                if (r.startsWith("200")) {
                    ok.incrementAndGet();
                } else {
                    failures.add(r);
                }
            }
        });
        load.start();
        Thread.sleep(200);
        // Move traffic to b through EDS, then through a new cluster and a route change, then a listener change.
        ads.push(TypeUrl.ENDPOINT.url(), "2", List.of(cla("backend", b.port())));
        await(() -> get().contains("upstream=b"), "EDS update");
        ads.push(TypeUrl.CLUSTER.url(), "3", List.of(edsCluster("backend"), edsCluster("other")));
        ads.push(TypeUrl.ENDPOINT.url(), "3", List.of(cla("backend", b.port()), cla("other", a.port())));
        ads.push(TypeUrl.ROUTE.url(), "3", List.of(route("local", "other")));
        await(() -> get().contains("upstream=a"), "route update");
        Listener changed = listener("local").toBuilder()
                .setPerConnectionBufferLimitBytes(com.google.protobuf.UInt32Value.of(65536))
                .build();
        ads.push(TypeUrl.LISTENER.url(), "4", List.of(changed));
        Thread.sleep(500);
        run.set(false);
        load.join();
        assertThat(failures).isEmpty();
        assertThat(ok.get()).isGreaterThan(10);
    }

    @Test
    void poolsToARemovedHostOrReplacedClusterDrain() throws Exception {
        pushAll("1");
        await(() -> get().contains("upstream=a"), "traffic to a");
        assertThat(a.open.get()).isEqualTo(1); // the pooled keep-alive connection
        // a leaves the cluster: its idle pooled connection closes now, not after the hour-long idle timeout.
        ads.push(TypeUrl.ENDPOINT.url(), "2", List.of(cla("backend", b.port())));
        await(() -> get().contains("upstream=b"), "traffic to b");
        await(() -> a.open.get() == 0, "the connection to the removed host to close");
        // The cluster itself is replaced (a new connect timeout): the old version's pool drains too.
        ads.push(
                TypeUrl.CLUSTER.url(),
                "3",
                List.of(edsCluster("backend").toBuilder()
                        .setConnectTimeout(
                                com.google.protobuf.Duration.newBuilder().setSeconds(2))
                        .build()));
        await(() -> b.open.get() == 0, "the replaced cluster's connection to close");
        assertThat(get()).contains("upstream=b");
        assertThat(b.open.get()).isEqualTo(1);
    }

    @Test
    void http2PoolsToARemovedHostDrain() throws Exception {
        try (var h2 = new dev.trellis.proxy.http2.H2Upstream(null, 0);
                var other = new dev.trellis.proxy.http2.H2Upstream(null, 0)) {
            Cluster h2Cluster = edsCluster("backend").toBuilder()
                    .putTypedExtensionProtocolOptions(
                            "envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
                            com.google.protobuf.Any.pack(
                                    io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.newBuilder()
                                            .setExplicitHttpConfig(io.envoyproxy.envoy.extensions.upstreams.http.v3
                                                    .HttpProtocolOptions.ExplicitHttpConfig.newBuilder()
                                                    .setHttp2ProtocolOptions(io.envoyproxy.envoy.config.core.v3
                                                            .Http2ProtocolOptions.getDefaultInstance()))
                                            .build()))
                    .build();
            ads.push(TypeUrl.CLUSTER.url(), "1", List.of(h2Cluster));
            ads.push(TypeUrl.ENDPOINT.url(), "1", List.of(cla("backend", h2.port())));
            ads.push(TypeUrl.LISTENER.url(), "1", List.of(listener("local")));
            ads.push(TypeUrl.ROUTE.url(), "1", List.of(route("local", "backend")));
            await(() -> get().startsWith("200 /x conn="), "traffic over h2");
            assertThat(h2.openConnections()).isEqualTo(1);
            // The h2 host leaves the cluster: its idle multiplexed connection closes now.
            ads.push(TypeUrl.ENDPOINT.url(), "2", List.of(cla("backend", other.port())));
            await(() -> get().startsWith("200") && other.openConnections() == 1, "traffic to the other h2 host");
            await(() -> h2.openConnections() == 0, "the connection to the removed h2 host to close");
        }
    }

    @Test
    void removedListenerStopsAccepting() throws Exception {
        pushAll("1");
        await(() -> get().startsWith("200"), "traffic");
        ads.push(TypeUrl.LISTENER.url(), "2", List.of());
        await(() -> get().startsWith("error"), "listener removed");
        assertThat(proxy.server.listeners().active()).doesNotContainKey("http");
    }

    @Test
    void reconnectsAndResubscribesWithAcceptedVersions() throws Exception {
        pushAll("1");
        await(() -> get().startsWith("200"), "traffic");
        int xdsPort = ads.port();
        ads.close();
        ads = new FakeAdsServer(xdsPort);
        await(
                () -> requestsFor(TypeUrl.CLUSTER).stream()
                        .anyMatch(r -> r.getVersionInfo().equals("1")),
                "resubscription");
        // Serving never stopped.
        assertThat(get()).startsWith("200");
        pushAll("5");
        await(
                () -> requestsFor(TypeUrl.ROUTE).stream()
                        .anyMatch(r -> r.getVersionInfo().equals("5")),
                "ACK after reconnect");
    }
}
