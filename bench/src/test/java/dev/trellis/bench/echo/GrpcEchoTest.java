package dev.trellis.bench.echo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.testing.LeakCheck;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The echo server against grpc-java's own client: framing, streaming and trailers must interoperate. */
@ExtendWith(LeakCheck.class)
@Timeout(30)
class GrpcEchoTest {

    static EchoServer server;
    static ManagedChannel channel;

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
                throw new UncheckedIOException(e);
            }
        }
    };

    static MethodDescriptor<byte[], byte[]> method(MethodDescriptor.MethodType type, String name) {
        return MethodDescriptor.newBuilder(BYTES, BYTES)
                .setType(type)
                .setFullMethodName("trellis.echo.v1.Echo/" + name)
                .build();
    }

    @BeforeAll
    static void start() throws Exception {
        server = EchoServer.start("127.0.0.1", 0, EchoServer.Mode.HTTP, 1);
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port())
                .usePlaintext()
                .build();
    }

    @AfterAll
    static void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.close();
    }

    @Test
    void unaryEchoesTheMessage() {
        byte[] reply = ClientCalls.blockingUnaryCall(
                channel,
                method(MethodDescriptor.MethodType.UNARY, "Echo"),
                CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS),
                "ping".getBytes(StandardCharsets.UTF_8));
        assertThat(new String(reply, StandardCharsets.UTF_8)).isEqualTo("ping");
    }

    @Test
    void bidiStreamEchoesEachMessageAsItArrivesThenTrailers() throws Exception {
        ClientCall<byte[], byte[]> call = channel.newCall(
                method(MethodDescriptor.MethodType.BIDI_STREAMING, "EchoStream"),
                CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS));
        List<String> replies = new CopyOnWriteArrayList<>();
        CompletableFuture<String> first = new CompletableFuture<>();
        CompletableFuture<Metadata> trailers = new CompletableFuture<>();
        CompletableFuture<Status> status = new CompletableFuture<>();
        call.start(
                new ClientCall.Listener<>() {
                    @Override
                    public void onMessage(byte[] message) {
                        String s = new String(message, StandardCharsets.UTF_8);
                        replies.add(s);
                        first.complete(s);
                        call.request(1);
                    }

                    @Override
                    public void onClose(Status s, Metadata t) {
                        trailers.complete(t);
                        status.complete(s);
                    }
                },
                new Metadata());
        call.request(1);
        call.sendMessage("one".getBytes(StandardCharsets.UTF_8));
        // The reply comes before the client half-closes: the server streams, it does not buffer the call.
        assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo("one");
        call.sendMessage("two".getBytes(StandardCharsets.UTF_8));
        call.sendMessage(new byte[100_000]);
        call.halfClose();
        assertThat(status.get(5, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.OK);
        assertThat(replies).hasSize(3).startsWith("one", "two");
        assertThat(trailers.get().get(Metadata.Key.of("x-echo-messages", Metadata.ASCII_STRING_MARSHALLER)))
                .isEqualTo("3");
    }

    @Test
    void statusFromMetadataArrivesInTrailers() {
        Metadata md = new Metadata();
        md.put(Metadata.Key.of("x-echo-grpc-status", Metadata.ASCII_STRING_MARSHALLER), "14");
        io.grpc.Channel stub =
                io.grpc.ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(md));
        StatusHolder holder = new StatusHolder();
        try {
            ClientCalls.blockingUnaryCall(
                    stub,
                    method(MethodDescriptor.MethodType.UNARY, "Echo"),
                    CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS),
                    "x".getBytes(StandardCharsets.UTF_8));
        } catch (io.grpc.StatusRuntimeException e) {
            holder.status = e.getStatus();
        }
        assertThat(holder.status).isNotNull();
        assertThat(holder.status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(holder.status.getDescription()).contains("14");
    }

    @Test
    void serverStreamingWithManyMessages() throws Exception {
        // Client streaming with half-close immediately after: the server still answers every message.
        CompletableFuture<Integer> count = new CompletableFuture<>();
        List<byte[]> got = new CopyOnWriteArrayList<>();
        StreamObserver<byte[]> requests = ClientCalls.asyncBidiStreamingCall(
                channel.newCall(
                        method(MethodDescriptor.MethodType.BIDI_STREAMING, "EchoStream"),
                        CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS)),
                new StreamObserver<>() {
                    @Override
                    public void onNext(byte[] value) {
                        got.add(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        count.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        count.complete(got.size());
                    }
                });
        for (int i = 0; i < 500; i++) {
            requests.onNext(("m" + i).getBytes(StandardCharsets.UTF_8));
        }
        requests.onCompleted();
        assertThat(count.get(10, TimeUnit.SECONDS)).isEqualTo(500);
        // Every message intact and in order (a reply that still shared the server's input buffer got corrupted).
        for (int i = 0; i < 500; i++) {
            assertThat(new String(got.get(i), StandardCharsets.UTF_8)).isEqualTo("m" + i);
        }
    }

    static final class StatusHolder {
        Status status;
    }
}
