package dev.trellis.control.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.trellis.control.ControlPlane;
import dev.trellis.control.model.MeshSettings;
import dev.trellis.control.model.Service;
import dev.trellis.control.model.ServicePort;
import dev.trellis.control.model.Workload;
import dev.trellis.control.push.Environment;
import dev.trellis.control.registry.AggregateRegistry;
import dev.trellis.control.registry.MemoryRegistry;
import dev.trellis.xds.TypeUrl;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** A proxy that stops reading does not make the server queue every push: pushes wait, merged, until it reads. */
class BackpressureTest {

    @Test
    void aClientThatDoesNotReadGetsOneMergedPushWhenItResumes() throws Exception {
        MemoryRegistry registry = new MemoryRegistry("test");
        List<Service> services = new ArrayList<>();
        Map<String, List<Workload>> eps = new HashMap<>();
        for (int i = 0; i < 300; i++) {
            Service s = Service.internal(
                    "service-with-a-long-name-" + i + ".default.svc.cluster.local",
                    "default",
                    List.of("10.96.1." + (i % 250)),
                    List.of(ServicePort.named("http", 8000 + i)));
            services.add(s);
            eps.put(s.hostname(), List.of());
        }
        registry.replaceServices(services, eps);
        AggregateRegistry agg = new AggregateRegistry();
        agg.add(registry);
        try (ControlPlane cp = new ControlPlane(
                        new Environment(MeshSettings.DEFAULT, agg), Duration.ofMillis(5), Duration.ofMillis(20))
                .start(new InetSocketAddress("127.0.0.1", 0))) {
            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", cp.port())
                    .usePlaintext()
                    .flowControlWindow(65_535)
                    .build();
            LinkedBlockingQueue<DiscoveryResponse> received = new LinkedBlockingQueue<>();
            AtomicReference<ClientCallStreamObserver<DiscoveryRequest>> stream = new AtomicReference<>();
            AggregatedDiscoveryServiceGrpc.newStub(ch)
                    .streamAggregatedResources(new ClientResponseObserver<DiscoveryRequest, DiscoveryResponse>() {
                        @Override
                        public void beforeStart(ClientCallStreamObserver<DiscoveryRequest> s) {
                            s.disableAutoRequestWithInitial(1);
                            stream.set(s);
                        }

                        @Override
                        public void onNext(DiscoveryResponse r) {
                            received.add(r);
                        }

                        @Override
                        public void onError(Throwable t) {}

                        @Override
                        public void onCompleted() {}
                    });
            stream.get()
                    .onNext(DiscoveryRequest.newBuilder()
                            .setNode(Node.newBuilder()
                                    .setId("sidecar~10.0.0.1~slow.default~default.svc.cluster.local")
                                    .setMetadata(Struct.newBuilder()
                                            .putFields(
                                                    "NAMESPACE",
                                                    Value.newBuilder()
                                                            .setStringValue("default")
                                                            .build())))
                            .setTypeUrl(TypeUrl.CLUSTER.url())
                            .build());
            DiscoveryResponse first = received.poll(5, TimeUnit.SECONDS);
            assertThat(first).isNotNull();
            // The client neither ACKs nor reads further. Twenty config changes, each a different CDS response.
            for (int i = 0; i < 20; i++) {
                Service s = Service.internal(
                        "added-" + i + ".default.svc.cluster.local",
                        "default",
                        List.of(),
                        List.of(ServicePort.named("http", 80)));
                services.add(s);
                eps.put(s.hostname(), List.of());
                registry.replaceServices(services, eps);
                Thread.sleep(60);
            }
            Thread.sleep(300);
            assertThat(cp.discovery().metrics().triggers.get("deferred"))
                    .as("pushes deferred")
                    .isNotNull();
            stream.get().request(100);
            List<DiscoveryResponse> after = new ArrayList<>();
            DiscoveryResponse r;
            while ((r = received.poll(1, TimeUnit.SECONDS)) != null) {
                after.add(r);
            }
            assertThat(after)
                    .as("merged, not one response per change")
                    .hasSizeLessThan(6)
                    .isNotEmpty();
            assertThat(after.getLast().getResourcesCount())
                    .as("the last response has every change")
                    .isEqualTo(300 + 20 + 3);
            ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
