package dev.trellis.proxy.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trellis.proxy.testing.ProxyHarness;
import dev.trellis.testing.LeakCheck;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** grpc-java client -> proxy (h2c prior knowledge, codec AUTO) -> grpc-java server (HTTP/2 upstream). */
@ExtendWith(LeakCheck.class)
class GrpcProxyTest {
    static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    };

    static final MethodDescriptor<byte[], byte[]> UNARY = MethodDescriptor.newBuilder(BYTES, BYTES)
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName("test.Echo/Unary")
            .build();
    static final MethodDescriptor<byte[], byte[]> BIDI = MethodDescriptor.newBuilder(BYTES, BYTES)
            .setType(MethodDescriptor.MethodType.BIDI_STREAMING)
            .setFullMethodName("test.Echo/Bidi")
            .build();
    static final Metadata.Key<String> TRAILER = Metadata.Key.of("x-trailer", Metadata.ASCII_STRING_MARSHALLER);

    static final String BOOTSTRAP = """
            static_resources:
              listeners:
              - name: grpc
                address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
                filter_chains:
                - filters:
                  - name: hcm
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                      stat_prefix: grpc
                      codec_type: AUTO
                      route_config:
                        virtual_hosts:
                        - name: all
                          domains: ["*"]
                          routes:
                          - match: { prefix: "/", grpc: {} }
                            route: { cluster: grpc, timeout: 0s }
                      http_filters:
                      - name: envoy.filters.http.router
                        typed_config:
                          "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
              clusters:
              - name: grpc
                type: STATIC
                connect_timeout: 1s
                typed_extension_protocol_options:
                  envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
                    "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
                    explicit_http_config: { http2_protocol_options: {} }
                load_assignment:
                  cluster_name: grpc
                  endpoints:
                  - lb_endpoints:
                    - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${UP} } } }
            """;

    static Server server;
    static ProxyHarness proxy;
    static ManagedChannel channel;

    @BeforeAll
    static void start() throws Exception {
        ServerServiceDefinition svc = ServerServiceDefinition.builder("test.Echo")
                .addMethod(UNARY, ServerCalls.asyncUnaryCall((req, obs) -> {
                    String s = new String(req, StandardCharsets.UTF_8);
                    if (s.equals("fail")) {
                        Metadata t = new Metadata();
                        t.put(TRAILER, "failed");
                        obs.onError(Status.PERMISSION_DENIED
                                .withDescription("no way")
                                .asRuntimeException(t));
                        return;
                    }
                    obs.onNext(new StringBuilder(s).reverse().toString().getBytes(StandardCharsets.UTF_8));
                    obs.onCompleted();
                }))
                .addMethod(BIDI, ServerCalls.asyncBidiStreamingCall(obs -> new StreamObserver<byte[]>() {
                    @Override
                    public void onNext(byte[] value) {
                        obs.onNext(
                                ("echo:" + new String(value, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
                    }

                    @Override
                    public void onError(Throwable t) {}

                    @Override
                    public void onCompleted() {
                        obs.onCompleted();
                    }
                }))
                .build();
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(svc)
                .build()
                .start();
        proxy = ProxyHarness.start(BOOTSTRAP, Map.of("UP", server.getPort()));
        InetSocketAddress a = proxy.listener("grpc");
        channel = NettyChannelBuilder.forAddress("127.0.0.1", a.getPort())
                .usePlaintext()
                .build();
    }

    @AfterAll
    static void stop() throws Exception {
        channel.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
        proxy.close();
        server.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
    }

    @Test
    void unaryCallsPassThrough() {
        for (int i = 0; i < 20; i++) {
            byte[] r = ClientCalls.blockingUnaryCall(
                    channel,
                    UNARY,
                    CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS),
                    ("abc" + i).getBytes(StandardCharsets.UTF_8));
            assertThat(new String(r, StandardCharsets.UTF_8))
                    .isEqualTo(new StringBuilder("abc" + i).reverse().toString());
        }
    }

    @Test
    void errorStatusAndTrailersArePreserved() {
        AtomicReference<Metadata> trailers = new AtomicReference<>();
        var ch = io.grpc.ClientInterceptors.intercept(
                channel, MetadataUtils.newCaptureMetadataInterceptor(new AtomicReference<>(), trailers));
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(
                        ch,
                        UNARY,
                        CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS),
                        "fail".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
                    assertThat(e.getStatus().getDescription()).isEqualTo("no way");
                });
        assertThat(trailers.get().get(TRAILER)).isEqualTo("failed");
    }

    @Test
    void bidiStreamingInterleaves() throws Exception {
        List<String> got = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        CountDownLatch first = new CountDownLatch(1);
        ClientCall<byte[], byte[]> call =
                channel.newCall(BIDI, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS));
        StreamObserver<byte[]> out = ClientCalls.asyncBidiStreamingCall(call, new StreamObserver<>() {
            @Override
            public void onNext(byte[] value) {
                synchronized (got) {
                    got.add(new String(value, StandardCharsets.UTF_8));
                }
                first.countDown();
            }

            @Override
            public void onError(Throwable t) {
                synchronized (got) {
                    got.add("error:" + t);
                }
                done.countDown();
            }

            @Override
            public void onCompleted() {
                done.countDown();
            }
        });
        out.onNext("one".getBytes(StandardCharsets.UTF_8));
        // The reply to the first message arrives before the client finishes sending: a real stream.
        assertThat(first.await(5, TimeUnit.SECONDS)).isTrue();
        out.onNext("two".getBytes(StandardCharsets.UTF_8));
        out.onCompleted();
        assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(got).containsExactly("echo:one", "echo:two");
    }
}
