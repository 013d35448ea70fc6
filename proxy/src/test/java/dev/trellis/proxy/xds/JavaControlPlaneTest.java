package dev.trellis.proxy.xds;

import static dev.trellis.proxy.xds.ProxyXdsTest.await;
import static dev.trellis.proxy.xds.ProxyXdsTest.cla;
import static dev.trellis.proxy.xds.ProxyXdsTest.edsCluster;
import static dev.trellis.proxy.xds.ProxyXdsTest.listener;
import static dev.trellis.proxy.xds.ProxyXdsTest.route;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.proxy.server.ProxyServer;
import dev.trellis.proxy.testing.ProxyHarness;
import dev.trellis.proxy.testing.TestUpstream;
import dev.trellis.testing.LeakCheck;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The proxy driven by java-control-plane ({@code SimpleCache} + {@code V3DiscoveryServer}), the Envoy project's own
 * xDS server, rather than by our test server: snapshots change endpoints, clusters, routes and the listener while
 * requests flow, and not one request fails.
 */
@ExtendWith(LeakCheck.class)
class JavaControlPlaneTest {
    SimpleCache<String> cache;
    Server xds;
    TestUpstream a;
    TestUpstream b;
    ProxyHarness proxy;
    int port;
    final HttpClient client =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void start() throws Exception {
        cache = new SimpleCache<>(node -> "mesh");
        xds = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new V3DiscoveryServer(cache).getAggregatedDiscoveryServiceImpl())
                .build()
                .start();
        a = new TestUpstream("a");
        b = new TestUpstream("b");
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        snapshot(
                "1",
                List.of(edsCluster("backend")),
                List.of(cla("backend", a.port())),
                listener(port, "local"),
                "backend");
        proxy = ProxyHarness.start(
                ProxyXdsTest.BOOTSTRAP, Map.of("XDS", xds.getPort()), new ProxyServer.Options(1, 300));
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        xds.shutdownNow().awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
        a.close();
        b.close();
    }

    void snapshot(
            String version,
            List<Cluster> clusters,
            List<ClusterLoadAssignment> endpoints,
            Listener listener,
            String routeTo) {
        List<RouteConfiguration> routes = List.of(route("local", routeTo));
        cache.setSnapshot("mesh", Snapshot.create(clusters, endpoints, List.of(listener), routes, List.of(), version));
    }

    String get() {
        return ProxyXdsTest.get(client, port);
    }

    String admin(String path) {
        try {
            var admin = proxy.server.adminAddress();
            return client.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.getPort() + path))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
        } catch (Exception e) {
            return "";
        }
    }

    @Test
    void snapshotsChangeTrafficWhileRequestsFlowAndNoneFails() throws Exception {
        await(() -> get().contains("upstream=a"), "the first snapshot to serve");
        AtomicBoolean run = new AtomicBoolean(true);
        AtomicInteger ok = new AtomicInteger();
        List<String> failures = new CopyOnWriteArrayList<>();
        Thread load = Thread.ofPlatform().start(() -> {
            long end = System.currentTimeMillis() + 15_000;
            while (run.get() && System.currentTimeMillis() < end) {
                String r = get();
                if (r.startsWith("200")) {
                    ok.incrementAndGet();
                } else {
                    failures.add(r);
                }
            }
        });
        // Endpoints move to b (EDS only).
        snapshot(
                "2",
                List.of(edsCluster("backend")),
                List.of(cla("backend", b.port())),
                listener(port, "local"),
                "backend");
        await(() -> get().contains("upstream=b"), "the endpoint change");
        // A new cluster, then the route moves to it. Make before break, as the xDS protocol asks of servers:
        // SimpleCache answers each type's watch on its own, so a route sent in the same snapshot as its cluster can
        // arrive first, and Envoy (like us) answers 503 NC until the cluster exists and has warmed.
        snapshot(
                "3",
                List.of(edsCluster("backend"), edsCluster("other")),
                List.of(cla("backend", b.port()), cla("other", a.port())),
                listener(port, "local"),
                "backend");
        await(() -> admin("/clusters").contains("other::"), "the new cluster to warm");
        snapshot(
                "3b",
                List.of(edsCluster("backend"), edsCluster("other")),
                List.of(cla("backend", b.port()), cla("other", a.port())),
                listener(port, "local"),
                "other");
        await(() -> get().contains("upstream=a"), "the route change");
        // The listener itself changes: the old one drains, the new one takes the connections.
        Listener changed = listener(port, "local").toBuilder()
                .setPerConnectionBufferLimitBytes(com.google.protobuf.UInt32Value.of(65536))
                .build();
        snapshot(
                "4",
                List.of(edsCluster("backend"), edsCluster("other")),
                List.of(cla("backend", b.port()), cla("other", a.port())),
                changed,
                "other");
        await(
                () -> admin("/config_dump").matches("(?s).*\"version_info\":\\s*\"4\".*"),
                "the listener change (version 4)");
        Thread.sleep(300);
        run.set(false);
        load.join();
        assertThat(failures).isEmpty();
        assertThat(ok.get()).isGreaterThan(10);
    }
}
