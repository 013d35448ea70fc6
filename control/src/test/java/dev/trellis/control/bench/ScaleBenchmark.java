package dev.trellis.control.bench;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.trellis.control.ControlPlane;
import dev.trellis.control.model.MeshSettings;
import dev.trellis.control.model.Service;
import dev.trellis.control.model.ServicePort;
import dev.trellis.control.model.Workload;
import dev.trellis.control.push.Environment;
import dev.trellis.control.push.PushRequest;
import dev.trellis.control.registry.AggregateRegistry;
import dev.trellis.control.registry.MemoryRegistry;
import dev.trellis.xds.TypeUrl;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The scale benchmark (not a test; skipped unless {@code -Dscale=true}): N services with 3 endpoints each and N
 * simulated ADS clients in one JVM. Each client behaves like a sidecar that ACKs at once: CDS and LDS by wildcard, RDS
 * for port 9080, EDS for 20 clusters (10 shared by all, 10 of its own). Measures the time from a change to every
 * affected client having ACKed the result (p50/p99/max), and the control plane's heap.
 *
 * <p>{@code ./mvnw -pl control verify -Dtest=ScaleBenchmark -Dscale=true [-Dscale.n=1000]}
 */
class ScaleBenchmark {

    static final int PORT = 9080;
    static final AtomicLong errors = new AtomicLong();
    static volatile String lastError = "";

    /** One simulated sidecar: ACKs every response at once and remembers when it last did. */
    static final class Client {
        final StreamObserver<DiscoveryRequest> out;
        final AtomicLong lastAckNanos = new AtomicLong();
        final AtomicLong responses = new AtomicLong();

        Client(ManagedChannel ch, int i, List<String> eds) {
            Node node = Node.newBuilder()
                    .setId("sidecar~10.1." + (i / 250) + "." + (i % 250) + "~client-" + i
                            + ".default~default.svc.cluster.local")
                    .setMetadata(Struct.newBuilder()
                            .putFields(
                                    "NAMESPACE",
                                    Value.newBuilder().setStringValue("default").build()))
                    .build();
            Map<String, List<String>> names = new HashMap<>();
            names.put(TypeUrl.CLUSTER.url(), List.of());
            names.put(TypeUrl.LISTENER.url(), List.of());
            names.put(TypeUrl.ROUTE.url(), List.of(Integer.toString(PORT)));
            names.put(TypeUrl.ENDPOINT.url(), eds);
            Object lock = new Object();
            out = AggregatedDiscoveryServiceGrpc.newStub(ch).streamAggregatedResources(new StreamObserver<>() {
                @Override
                public void onNext(DiscoveryResponse r) {
                    responses.incrementAndGet();
                    synchronized (lock) {
                        out.onNext(DiscoveryRequest.newBuilder()
                                .setTypeUrl(r.getTypeUrl())
                                .addAllResourceNames(names.get(r.getTypeUrl()))
                                .setVersionInfo(r.getVersionInfo())
                                .setResponseNonce(r.getNonce())
                                .build());
                    }
                    lastAckNanos.set(System.nanoTime());
                }

                @Override
                public void onError(Throwable t) {
                    errors.incrementAndGet();
                    lastError = t.toString();
                }

                @Override
                public void onCompleted() {}
            });
            synchronized (lock) {
                boolean first = true;
                for (TypeUrl t : List.of(TypeUrl.CLUSTER, TypeUrl.ENDPOINT, TypeUrl.LISTENER, TypeUrl.ROUTE)) {
                    DiscoveryRequest.Builder b =
                            DiscoveryRequest.newBuilder().setTypeUrl(t.url()).addAllResourceNames(names.get(t.url()));
                    if (first) {
                        b.setNode(node);
                        first = false;
                    }
                    out.onNext(b.build());
                }
            }
        }
    }

    static Service service(int i) {
        return Service.internal(
                "svc-" + i + ".default.svc.cluster.local",
                "default",
                List.of("10.96." + (i / 250) + "." + (i % 250)),
                List.of(ServicePort.named("http", PORT)));
    }

    static List<Workload> endpoints(int i, int generation) {
        List<Workload> w = new ArrayList<>();
        for (int e = 0; e < 3; e++) {
            w.add(Workload.of(
                    "svc-" + i + "-" + e + "-" + generation,
                    "default",
                    "10.2." + (i / 250) + "." + ((i % 250) + e * 0 + generation % 2),
                    Map.of("app", "svc-" + i)));
        }
        return w;
    }

    @Test
    void run() throws Exception {
        Assumptions.assumeTrue(Boolean.getBoolean("scale"), "run with -Dscale=true");
        int n = Integer.getInteger("scale.n", 1000);
        MemoryRegistry registry = new MemoryRegistry("bench");
        List<Service> services = new ArrayList<>();
        Map<String, List<Workload>> eps = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            services.add(service(i));
            eps.put(service(i).hostname(), endpoints(i, 0));
        }
        registry.replaceServices(services, eps);
        AggregateRegistry agg = new AggregateRegistry();
        agg.add(registry);
        try (ControlPlane cp = new ControlPlane(
                        new Environment(MeshSettings.DEFAULT, agg), Duration.ofMillis(100), Duration.ofSeconds(1))
                .start(new InetSocketAddress("127.0.0.1", 0))) {
            List<ManagedChannel> channels = new ArrayList<>();
            for (int c = 0; c < 10; c++) {
                channels.add(NettyChannelBuilder.forAddress("127.0.0.1", cp.port())
                        .usePlaintext()
                        .flowControlWindow(8 << 20)
                        .maxInboundMessageSize(64 << 20)
                        .build());
            }
            List<Client> clients = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                List<String> eds = new ArrayList<>();
                for (int s = 0; s < 10; s++) {
                    eds.add("outbound|" + PORT + "||svc-" + s + ".default.svc.cluster.local");
                }
                for (int s = 0; s < 10; s++) {
                    eds.add("outbound|" + PORT + "||svc-" + ((i * 7 + s * 13) % n) + ".default.svc.cluster.local");
                }
                clients.add(new Client(
                        channels.get(i % channels.size()), i, List.copyOf(new java.util.LinkedHashSet<>(eds))));
            }
            // Every client has its first response of each of the four types, then things settle.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (System.nanoTime() < deadline && clients.stream().anyMatch(c -> c.responses.get() < 4)) {
                Thread.sleep(100);
            }
            quiesce(clients);
            System.out.printf(
                    "connected %d clients with %d services in %d ms (%d responses, %d stream errors %s)%n",
                    n,
                    n,
                    ms(System.nanoTime() - t0),
                    clients.stream().mapToLong(c -> c.responses.get()).sum(),
                    errors.get(),
                    lastError);
            heap();

            // 1. An endpoint change of a service every client watches: EDS only.
            eps.put(service(0).hostname(), endpoints(0, 1));
            long start = System.nanoTime();
            long[] before = snapshot(clients);
            registry.replaceServices(services, eps);
            report("endpoint change (EDS to all " + n + " clients)", clients, before, start);

            // 2. A config change every client sees: a new service (CDS, LDS, RDS to all).
            services.add(service(n));
            eps.put(service(n).hostname(), endpoints(n, 0));
            start = System.nanoTime();
            before = snapshot(clients);
            registry.replaceServices(services, eps);
            report("service added (full push to all " + n + " clients)", clients, before, start);

            // 3. A full push that changes nothing: nothing is sent.
            start = System.nanoTime();
            before = snapshot(clients);
            cp.submit(PushRequest.full("bench"));
            Thread.sleep(3000);
            long sent = 0;
            for (int i = 0; i < clients.size(); i++) {
                sent += clients.get(i).responses.get() - before[i];
            }
            System.out.printf("no-op full push: %d responses sent%n", sent);
            heap();
            for (ManagedChannel ch : channels) {
                ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    static long[] snapshot(List<Client> clients) {
        long[] r = new long[clients.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = clients.get(i).responses.get();
        }
        return r;
    }

    static void report(String what, List<Client> clients, long[] before, long start) throws InterruptedException {
        quiesce(clients);
        List<Long> times = new ArrayList<>();
        for (int i = 0; i < clients.size(); i++) {
            if (clients.get(i).responses.get() > before[i]) {
                times.add(clients.get(i).lastAckNanos.get() - start);
            }
        }
        long[] t = times.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(t);
        if (t.length == 0) {
            System.out.printf("%s: no client received anything%n", what);
            return;
        }
        System.out.printf(
                "%s: %d clients ACKed; p50 %d ms, p99 %d ms, max %d ms (includes the 100 ms debounce)%n",
                what,
                t.length,
                ms(t[t.length / 2]),
                ms(t[Math.min(t.length - 1, (int) Math.ceil(t.length * 0.99) - 1)]),
                ms(t[t.length - 1]));
    }

    /** Waits until no client has received anything for a second (bounded at 60 s). */
    static void quiesce(List<Client> clients) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        long last = -1;
        int stable = 0;
        while (System.nanoTime() < deadline && stable < 10) {
            long total = clients.stream().mapToLong(c -> c.responses.get()).sum();
            stable = total == last ? stable + 1 : 0;
            last = total;
            Thread.sleep(100);
        }
    }

    static void heap() {
        System.gc();
        Runtime rt = Runtime.getRuntime();
        System.out.printf("heap used after GC: %d MB%n", (rt.totalMemory() - rt.freeMemory()) >> 20);
    }

    static long ms(long nanos) {
        return nanos / 1_000_000;
    }
}
