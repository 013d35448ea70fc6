package dev.trellis.control.testing;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A raw ADS stream for tests: send requests by hand, read responses with a bounded wait. */
public final class AdsClient implements AutoCloseable {

    private final ManagedChannel channel;
    private final StreamObserver<DiscoveryRequest> requests;
    private final LinkedBlockingQueue<DiscoveryResponse> responses = new LinkedBlockingQueue<>();
    private final Node node;
    private boolean first = true;

    public AdsClient(int port, String nodeId, String namespace) {
        this(
                port,
                Node.newBuilder()
                        .setId(nodeId)
                        .setMetadata(Struct.newBuilder()
                                .putFields(
                                        "NAMESPACE",
                                        Value.newBuilder()
                                                .setStringValue(namespace)
                                                .build()))
                        .build());
    }

    public AdsClient(int port, Node node) {
        channel =
                NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        this.node = node;
        requests = AggregatedDiscoveryServiceGrpc.newStub(channel).streamAggregatedResources(new StreamObserver<>() {
            @Override
            public void onNext(DiscoveryResponse r) {
                responses.add(r);
            }

            @Override
            public void onError(Throwable t) {}

            @Override
            public void onCompleted() {}
        });
    }

    public void request(String typeUrl, List<String> names, String version, String nonce) {
        DiscoveryRequest.Builder b = DiscoveryRequest.newBuilder()
                .setTypeUrl(typeUrl)
                .addAllResourceNames(names)
                .setVersionInfo(version)
                .setResponseNonce(nonce);
        if (first) {
            b.setNode(node);
            first = false;
        }
        requests.onNext(b.build());
    }

    public void ack(DiscoveryResponse r, List<String> names) {
        request(r.getTypeUrl(), names, r.getVersionInfo(), r.getNonce());
    }

    public void nack(DiscoveryResponse r, List<String> names, String message) {
        requests.onNext(DiscoveryRequest.newBuilder()
                .setTypeUrl(r.getTypeUrl())
                .addAllResourceNames(names)
                .setVersionInfo("")
                .setResponseNonce(r.getNonce())
                .setErrorDetail(com.google.rpc.Status.newBuilder().setCode(3).setMessage(message))
                .build());
    }

    public DiscoveryResponse next(Duration timeout) throws InterruptedException {
        DiscoveryResponse r = responses.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (r == null) {
            throw new AssertionError("no response within " + timeout);
        }
        return r;
    }

    /** Null if nothing arrives within {@code wait}. */
    public DiscoveryResponse poll(Duration wait) throws InterruptedException {
        return responses.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        requests.onCompleted();
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
