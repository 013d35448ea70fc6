package dev.trellis.control.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trellis.control.cli.ControlPlaneCommand;
import dev.trellis.control.xds.XdsConnection;
import dev.trellis.xds.TypeUrl;
import io.grpc.ClientInterceptors;
import io.grpc.ForwardingServerCall;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.MetadataUtils;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * grpc-java's own xDS client (proxyless, {@code xds:///} targets) against the control plane as the command runs it,
 * driven by Istio YAML in a watched directory: two grpc-java servers registered as v1 and v2 WorkloadEntries, a
 * VirtualService sending {@code x-canary: yes} to v2 and splitting the rest 80/20. grpc-java NACKs anything it cannot
 * use, so every type ending SYNCED proves the generated config is acceptable to it.
 *
 * <p>grpc-java reads its bootstrap once per JVM, so the whole class shares one control plane.
 */
class GrpcXdsClientTest {

    static final Metadata.Key<String> VERSION = Metadata.Key.of("x-version", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> CANARY = Metadata.Key.of("x-canary", Metadata.ASCII_STRING_MARSHALLER);

    @TempDir
    static Path dir;

    private static Server v1;
    private static Server v2;
    private static ControlPlaneCommand.Running cp;

    static Server server(String version) throws Exception {
        HealthStatusManager health = new HealthStatusManager();
        ServerInterceptor tag = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(
                    ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                return next.startCall(
                        new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
                            @Override
                            public void sendHeaders(Metadata h) {
                                h.put(VERSION, version);
                                super.sendHeaders(h);
                            }
                        },
                        headers);
            }
        };
        return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(ServerInterceptors.intercept(health.getHealthService(), tag))
                .build()
                .start();
    }

    @BeforeAll
    static void start() throws Exception {
        v1 = server("v1");
        v2 = server("v2");
        Files.writeString(dir.resolve("mesh.yaml"), """
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: greeter, namespace: default}
                spec:
                  hosts: [greeter.default.svc.cluster.local]
                  addresses: [10.96.7.7]
                  location: MESH_INTERNAL
                  resolution: STATIC
                  ports: [{number: 7070, name: grpc, protocol: GRPC}]
                  workloadSelector: {labels: {app: greeter}}
                ---
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: plain, namespace: default}
                spec:
                  hosts: [plain.default.svc.cluster.local]
                  addresses: [10.96.7.8]
                  location: MESH_INTERNAL
                  resolution: STATIC
                  ports: [{number: 7070, name: grpc, protocol: GRPC}]
                  endpoints: [{address: 127.0.0.1, ports: {grpc: %d}}]
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: greeter-v1, namespace: default}
                spec: {address: 127.0.0.1, ports: {grpc: %d}, labels: {app: greeter, version: v1}}
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: greeter-v2, namespace: default}
                spec: {address: 127.0.0.1, ports: {grpc: %d}, labels: {app: greeter, version: v2}}
                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: greeter, namespace: default}
                spec:
                  host: greeter
                  subsets:
                  - {name: v1, labels: {version: v1}}
                  - {name: v2, labels: {version: v2}}
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: greeter, namespace: default}
                spec:
                  hosts: [greeter]
                  http:
                  - match: [{headers: {x-canary: {exact: "yes"}}}]
                    route: [{destination: {host: greeter, subset: v2}}]
                  - route:
                    - {destination: {host: greeter, subset: v1}, weight: 80}
                    - {destination: {host: greeter, subset: v2}, weight: 20}
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: plain, namespace: default}
                spec:
                  hosts: [plain]
                  http:
                  - match: [{headers: {x-fault: {exact: "abort"}}}]
                    fault: {abort: {httpStatus: 503, percentage: {value: 100}}}
                    corsPolicy: {allowOrigins: [{exact: "https://example.com"}]}
                    route: [{destination: {host: plain}}]
                  - route: [{destination: {host: plain}}]
                """.formatted(v1.getPort(), v1.getPort(), v2.getPort()));
        ControlPlaneCommand cmd = new ControlPlaneCommand();
        new CommandLine(cmd)
                .parseArgs(
                        "--config",
                        dir.toString(),
                        "--xds-port",
                        "0",
                        "--monitoring-port",
                        "0",
                        "--debounce-after",
                        "10ms",
                        "--debounce-max",
                        "100ms");
        cp = cmd.start();
        System.setProperty(
                "io.grpc.xds.bootstrapConfig", """
                {"xds_servers":[{"server_uri":"127.0.0.1:%d","channel_creds":[{"type":"insecure"}],
                  "server_features":["xds_v3"]}],
                 "node":{"id":"sidecar~127.0.0.1~client.default~default.svc.cluster.local",
                   "metadata":{"NAMESPACE":"default","GENERATOR":"grpc"}}}
                """.formatted(cp.controlPlane().port()));
    }

    @AfterAll
    static void stop() throws Exception {
        System.clearProperty("io.grpc.xds.bootstrapConfig");
        cp.close();
        v1.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        v2.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void reachesTheWorkloadByEveryNameAndAcksEveryType() throws Exception {
        List<ManagedChannel> channels = new ArrayList<>();
        try {
            for (String target : List.of("xds:///plain.default.svc.cluster.local:7070", "xds:///plain:7070")) {
                ManagedChannel ch = Grpc.newChannelBuilder(target, InsecureChannelCredentials.create())
                        .build();
                channels.add(ch);
                assertThat(call(ch, false)).isEqualTo("v1");
            }
            // The xDS client lives as long as a channel uses it: check its ACKs while the channels are open.
            // grpc-java keeps one xDS client (one ADS stream) per target.
            // ACKs travel asynchronously to the RPCs: wait (bounded) until every stream is recorded as SYNCED.
            for (int i = 0; i < 100 && !allSynced(); i++) {
                Thread.sleep(20);
            }
            Set<String> listeners = new HashSet<>();
            for (XdsConnection con : cp.controlPlane().discovery().connections()) {
                assertThat(con.proxy().proxyless()).isTrue();
                for (TypeUrl t : List.of(TypeUrl.LISTENER, TypeUrl.ROUTE, TypeUrl.CLUSTER, TypeUrl.ENDPOINT)) {
                    assertThat(con.status(t)).as(t.shortName()).isEqualTo(XdsConnection.SyncStatus.SYNCED);
                }
                listeners.addAll(con.watches().get(TypeUrl.LISTENER).names());
            }
            assertThat(listeners).contains("plain.default.svc.cluster.local:7070", "plain:7070");
            assertThat(cp.controlPlane().discovery().metrics().rejects).isEmpty();
        } finally {
            for (ManagedChannel ch : channels) {
                ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void faultInjectionAbortsMatchingCalls() throws Exception {
        ManagedChannel ch = Grpc.newChannelBuilder("xds:///plain:7070", InsecureChannelCredentials.create())
                .build();
        try {
            assertThat(call(ch, false)).isEqualTo("v1");
            Metadata fault = new Metadata();
            fault.put(Metadata.Key.of("x-fault", Metadata.ASCII_STRING_MARSHALLER), "abort");
            var stub = HealthGrpc.newBlockingStub(
                            ClientInterceptors.intercept(ch, MetadataUtils.newAttachHeadersInterceptor(fault)))
                    .withDeadlineAfter(20, TimeUnit.SECONDS);
            assertThatThrownBy(() -> stub.check(HealthCheckRequest.getDefaultInstance()))
                    .isInstanceOf(io.grpc.StatusRuntimeException.class)
                    .satisfies(e -> assertThat(((io.grpc.StatusRuntimeException) e)
                                    .getStatus()
                                    .getCode())
                            .isEqualTo(io.grpc.Status.Code.UNAVAILABLE));
        } finally {
            ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static boolean allSynced() {
        for (XdsConnection con : cp.controlPlane().discovery().connections()) {
            for (TypeUrl t : List.of(TypeUrl.LISTENER, TypeUrl.ROUTE, TypeUrl.CLUSTER, TypeUrl.ENDPOINT)) {
                if (con.status(t) != XdsConnection.SyncStatus.SYNCED) {
                    return false;
                }
            }
        }
        return true;
    }

    @Test
    void headerMatchAndWeightedSplit() throws Exception {
        ManagedChannel ch = Grpc.newChannelBuilder("xds:///greeter:7070", InsecureChannelCredentials.create())
                .build();
        try {
            Map<String, Integer> counts = new HashMap<>();
            for (int i = 0; i < 200; i++) {
                counts.merge(call(ch, false), 1, Integer::sum);
            }
            // 80/20 within a tolerance: 200 calls, binomial sd ~5.7, so ±25 is over 4 sd.
            assertThat(counts.getOrDefault("v1", 0)).isBetween(135, 185);
            assertThat(counts.getOrDefault("v2", 0)).isBetween(15, 65);
            for (int i = 0; i < 20; i++) {
                assertThat(call(ch, true)).isEqualTo("v2");
            }
        } finally {
            ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static String call(ManagedChannel ch, boolean canary) {
        AtomicReference<Metadata> headers = new AtomicReference<>();
        AtomicReference<Metadata> trailers = new AtomicReference<>();
        Metadata extra = new Metadata();
        if (canary) {
            extra.put(CANARY, "yes");
        }
        var channel = ClientInterceptors.intercept(
                ch,
                MetadataUtils.newAttachHeadersInterceptor(extra),
                MetadataUtils.newCaptureMetadataInterceptor(headers, trailers));
        HealthGrpc.newBlockingStub(channel)
                .withDeadlineAfter(20, TimeUnit.SECONDS)
                .withWaitForReady()
                .check(HealthCheckRequest.getDefaultInstance());
        return headers.get().get(VERSION);
    }
}
