package dev.trellis.control.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.control.ControlPlane;
import dev.trellis.control.model.Health;
import dev.trellis.control.model.Locality;
import dev.trellis.control.model.MeshSettings;
import dev.trellis.control.model.ServicePort;
import dev.trellis.control.model.Workload;
import dev.trellis.control.push.Environment;
import dev.trellis.control.registry.AggregateRegistry;
import dev.trellis.control.registry.MemoryRegistry;
import dev.trellis.control.testing.Meshes;
import dev.trellis.control.xds.XdsConnection;
import dev.trellis.xds.TypeUrl;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * grpc-java's own xDS client (proxyless, {@code xds:///} target) against the control plane: it must accept the
 * listener, route, cluster and endpoints we generate (it NACKs anything it cannot use) and reach the workload.
 */
class GrpcXdsClientTest {

    private static Server upstream;
    private static ControlPlane cp;

    @BeforeAll
    static void start() throws Exception {
        HealthStatusManager health = new HealthStatusManager();
        upstream = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(health.getHealthService())
                .build()
                .start();
        MemoryRegistry registry = new MemoryRegistry("config");
        registry.putService(
                Meshes.svc("greeter", "default", "10.96.5.5", ServicePort.named("grpc", 7070)),
                List.of(new Workload(
                        "greeter-v1",
                        "default",
                        "127.0.0.1",
                        Map.of("grpc", upstream.getPort()),
                        Map.of("app", "greeter"),
                        Locality.NONE,
                        1,
                        "greeter",
                        Health.HEALTHY,
                        "")));
        AggregateRegistry agg = new AggregateRegistry();
        agg.add(registry);
        cp = new ControlPlane(new Environment(MeshSettings.DEFAULT, agg), Duration.ofMillis(10), Duration.ofMillis(50))
                .start(new InetSocketAddress("127.0.0.1", 0));
        System.setProperty("io.grpc.xds.bootstrapConfig", """
                {"xds_servers":[{"server_uri":"127.0.0.1:%d","channel_creds":[{"type":"insecure"}],
                  "server_features":["xds_v3"]}],
                 "node":{"id":"sidecar~127.0.0.1~client.default~default.svc.cluster.local",
                   "metadata":{"NAMESPACE":"default","GENERATOR":"grpc"}}}
                """.formatted(cp.port()));
    }

    @AfterAll
    static void stop() throws Exception {
        System.clearProperty("io.grpc.xds.bootstrapConfig");
        cp.close();
        upstream.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void proxylessClientReachesTheWorkloadThroughXds() throws Exception {
        List<ManagedChannel> channels = new java.util.ArrayList<>();
        try {
            for (String target : List.of("xds:///greeter.default.svc.cluster.local:7070", "xds:///greeter:7070")) {
                ManagedChannel ch = Grpc.newChannelBuilder(target, InsecureChannelCredentials.create())
                        .build();
                channels.add(ch);
                HealthCheckResponse r = HealthGrpc.newBlockingStub(ch)
                        .withDeadlineAfter(20, TimeUnit.SECONDS)
                        .withWaitForReady()
                        .check(HealthCheckRequest.getDefaultInstance());
                assertThat(r.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
            }
            // The xDS client lives as long as a channel uses it: check its ACKs while the channels are open.
            // grpc-java keeps one xDS client (one ADS stream) per target.
            java.util.Set<String> listeners = new java.util.HashSet<>();
            for (XdsConnection con : cp.discovery().connections()) {
                assertThat(con.proxy().proxyless()).isTrue();
                for (TypeUrl t : List.of(TypeUrl.LISTENER, TypeUrl.ROUTE, TypeUrl.CLUSTER, TypeUrl.ENDPOINT)) {
                    assertThat(con.status(t)).as(t.shortName()).isEqualTo(XdsConnection.SyncStatus.SYNCED);
                }
                listeners.addAll(con.watches().get(TypeUrl.LISTENER).names());
            }
            assertThat(listeners).containsExactlyInAnyOrder("greeter.default.svc.cluster.local:7070", "greeter:7070");
            assertThat(cp.discovery().metrics().rejects).isEmpty();
        } finally {
            for (ManagedChannel ch : channels) {
                ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }
}
