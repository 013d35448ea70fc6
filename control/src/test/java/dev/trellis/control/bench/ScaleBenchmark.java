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
import dev.trellis.xds.naming.ResourceNames;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The scale benchmark (not a test; skipped unless {@code -Dscale=true}): N services with 3 endpoints each and N
 * simulated ADS clients in one JVM. Each client behaves like a sidecar that ACKs at once: CDS and LDS by wildcard, RDS
 * for port 9080, EDS for 20 clusters (10 shared by all, 10 of its own). For each change it measures the time until
 * every client has ACKed a response that carries the change (checked in the response: the new endpoint address, the
 * new cluster, the new virtual host), p50/p99/max, and the control plane's heap.
 *
 * <p>Clients read responses with {@link LightResponse} (version, nonce, resource names; resource bodies only where a
 * check needs them) on the transport thread, so that the benchmark measures the control plane, not a thousand full
 * protobuf parses in the same JVM.
 *
 * <p>{@code ./mvnw -pl control -am verify -Dtest=ScaleBenchmark -Dscale=true -Dsurefire.failIfNoSpecifiedTests=false
 * [-Dscale.n=1000] [-Dscale.clients=N] [-Dscale.rounds=3] [-Dscale.warmup=1]}
 */
class ScaleBenchmark {

    static final int PORT = 9080;
    /** The name prefix of the simulated clients' threads. */
    static final String CLIENT_THREADS = "bench-client";

    static final AtomicLong errors = new AtomicLong();
    static volatile String lastError = "";

    static final MethodDescriptor<DiscoveryRequest, LightResponse> ADS =
            AggregatedDiscoveryServiceGrpc.getStreamAggregatedResourcesMethod().toBuilder(
                            ProtoUtils.marshaller(DiscoveryRequest.getDefaultInstance()), LightResponse.MARSHALLER)
                    .build();

    /** What a client must receive for a round to count as converged for it. */
    interface Check {
        boolean satisfiedBy(LightResponse r) throws IOException;
    }

    /** One simulated sidecar: ACKs every response at once, honestly (the version and nonce it read). */
    static final class Client {
        final StreamObserver<DiscoveryRequest> out;
        final AtomicLong responses = new AtomicLong();
        final AtomicLong bytes = new AtomicLong();
        /** This round's checks by type URL, and when each was first met (ACK sent). */
        final Map<String, Check> checks = new ConcurrentHashMap<>();

        final Map<String, Long> metNanos = new ConcurrentHashMap<>();
        /** The size of the last response of each type. */
        final Map<String, Integer> lastBytes = new ConcurrentHashMap<>();

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
            AtomicReference<StreamObserver<DiscoveryRequest>> self = new AtomicReference<>();
            out = ClientCalls.asyncBidiStreamingCall(ch.newCall(ADS, CallOptions.DEFAULT), new StreamObserver<>() {
                @Override
                public void onNext(LightResponse r) {
                    responses.incrementAndGet();
                    bytes.addAndGet(r.bytes());
                    lastBytes.put(r.typeUrl(), r.bytes());
                    synchronized (lock) {
                        self.get()
                                .onNext(DiscoveryRequest.newBuilder()
                                        .setTypeUrl(r.typeUrl())
                                        .addAllResourceNames(names.get(r.typeUrl()))
                                        .setVersionInfo(r.version())
                                        .setResponseNonce(r.nonce())
                                        .build());
                    }
                    long now = System.nanoTime();
                    Check c = checks.get(r.typeUrl());
                    try {
                        if (c != null && !metNanos.containsKey(r.typeUrl()) && c.satisfiedBy(r)) {
                            metNanos.put(r.typeUrl(), now);
                        }
                    } catch (IOException | RuntimeException e) {
                        errors.incrementAndGet();
                        lastError = e.toString();
                    }
                }

                @Override
                public void onError(Throwable t) {
                    errors.incrementAndGet();
                    lastError = t.toString();
                }

                @Override
                public void onCompleted() {}
            });
            self.set(out);
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

        void expect(Map<String, Check> round) {
            metNanos.clear();
            checks.clear();
            checks.putAll(round);
        }

        /** When the last check of the round was met, or -1 if one was not. */
        long convergedNanos() {
            long t = 0;
            for (String type : checks.keySet()) {
                Long met = metNanos.get(type);
                if (met == null) {
                    return -1;
                }
                t = Math.max(t, met);
            }
            return t;
        }
    }

    static String cluster(int i) {
        return "outbound|" + PORT + "||" + host(i);
    }

    static String host(int i) {
        return "svc-" + i + ".default.svc.cluster.local";
    }

    static Service service(int i) {
        return Service.internal(
                host(i),
                "default",
                List.of("10.96." + (i / 250) + "." + (i % 250)),
                List.of(ServicePort.named("http", PORT)));
    }

    static String endpointIp(int i, int generation) {
        return "10.2." + (i / 250) + "." + ((i % 250) + generation % 2);
    }

    static List<Workload> endpoints(int i, int generation) {
        List<Workload> w = new ArrayList<>();
        for (int e = 0; e < 3; e++) {
            w.add(Workload.of(
                    "svc-" + i + "-" + e + "-" + generation,
                    "default",
                    endpointIp(i, generation),
                    Map.of("app", "svc-" + i)));
        }
        return w;
    }

    /** The response carries {@code name}'s endpoints at {@code ip}. */
    static Check endpointAt(String name, String ip) {
        return r -> {
            var value = r.value(name);
            if (value == null) {
                return false;
            }
            ClusterLoadAssignment cla = ClusterLoadAssignment.parseFrom(value);
            return cla.getEndpointsList().stream()
                    .flatMap(l -> l.getLbEndpointsList().stream())
                    .anyMatch(e -> e.getEndpoint()
                            .getAddress()
                            .getSocketAddress()
                            .getAddress()
                            .equals(ip));
        };
    }

    static Check hasResource(String name) {
        return r -> r.names().contains(name);
    }

    /** The route configuration {@code route} has a virtual host named {@code vhost}. */
    static Check hasVirtualHost(String route, String vhost) {
        return r -> {
            var value = r.value(route);
            return value != null && LightResponse.nestedNames(value, 2).contains(vhost);
        };
    }

    @Test
    void run() throws Exception {
        Assumptions.assumeTrue(Boolean.getBoolean("scale"), "run with -Dscale=true");
        // Tests run Netty's leak detector at paranoid (a stack trace per buffer touch); a control plane runs with
        // Netty's default, and paranoid would make this measure the detector.
        ResourceLeakDetector.Level leakLevel = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
        try {
            measure();
        } finally {
            ResourceLeakDetector.setLevel(leakLevel);
        }
    }

    void measure() throws Exception {
        int n = Integer.getInteger("scale.n", 1000);
        int clientCount = Integer.getInteger("scale.clients", n);
        int rounds = Integer.getInteger("scale.rounds", 3);
        int warmup = Integer.getInteger("scale.warmup", 1);
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
        System.out.printf(
                "scale benchmark: %d services x 3 endpoints, %d clients, %d cores, load average %.2f, netty leak"
                        + " detection %s%n",
                n,
                clientCount,
                Runtime.getRuntime().availableProcessors(),
                java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                        .getSystemLoadAverage(),
                ResourceLeakDetector.getLevel());
        try (ControlPlane cp = new ControlPlane(
                        new Environment(MeshSettings.DEFAULT, agg), Duration.ofMillis(100), Duration.ofSeconds(1))
                .start(new InetSocketAddress("127.0.0.1", 0))) {
            // The clients get event loops of their own, so their CPU time can be told from the control plane's.
            EventLoopGroup clientLoops = new MultiThreadIoEventLoopGroup(
                    2, new DefaultThreadFactory(CLIENT_THREADS, true), EpollIoHandler.newFactory());
            List<ManagedChannel> channels = new ArrayList<>();
            for (int c = 0; c < 10; c++) {
                channels.add(NettyChannelBuilder.forAddress("127.0.0.1", cp.port())
                        .eventLoopGroup(clientLoops)
                        .channelType(EpollSocketChannel.class)
                        .usePlaintext()
                        .directExecutor() // clients ACK on the transport thread: no thread per callback
                        .flowControlWindow(8 << 20)
                        .maxInboundMessageSize(64 << 20)
                        .build());
            }
            List<Client> clients = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int i = 0; i < clientCount; i++) {
                List<String> eds = new ArrayList<>();
                for (int s = 0; s < 10; s++) {
                    eds.add(cluster(s));
                }
                for (int s = 0; s < 10; s++) {
                    eds.add(cluster((i * 7 + s * 13) % n));
                }
                clients.add(new Client(
                        channels.get(i % channels.size()), i, List.copyOf(new java.util.LinkedHashSet<>(eds))));
            }
            // Every client has its first response of each of the four types, then things settle.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (System.nanoTime() < deadline && clients.stream().anyMatch(c -> c.responses.get() < 4)) {
                Thread.sleep(100);
            }
            long connected = System.nanoTime() - t0;
            quiesce(clients);
            System.out.printf(
                    "connected %d clients with %d services: all had their first responses in %d ms (%d responses,"
                            + " %d MB, %d stream errors %s)%n",
                    clientCount,
                    n,
                    ms(connected),
                    clients.stream().mapToLong(c -> c.responses.get()).sum(),
                    clients.stream().mapToLong(c -> c.bytes.get()).sum() >> 20,
                    errors.get(),
                    lastError);
            Map<String, Integer> sizes = new java.util.TreeMap<>();
            clients.getFirst().lastBytes.forEach((t, b) -> sizes.put(t.substring(t.lastIndexOf('.') + 1), b / 1024));
            System.out.printf("response sizes of one client (KiB): %s%n", sizes);
            heap();

            int next = n;
            // Warm-up rounds first (reported, marked): the JIT compiles the push and client paths during the first
            // pushes, which otherwise measures the compiler.
            for (int round = 1; round <= warmup + rounds; round++) {
                String tag = round <= warmup ? "warm-up: " : "";
                // 1. An endpoint change of a service every client watches: EDS only.
                eps.put(host(0), endpoints(0, round));
                runRound(
                        tag + "endpoint change (EDS to all " + clientCount + " clients)",
                        clients,
                        Map.of(TypeUrl.ENDPOINT.url(), endpointAt(cluster(0), endpointIp(0, round))),
                        () -> registry.replaceServices(services, eps));

                // 2. A config change every client sees: a new service (CDS and RDS to all).
                int added = next++;
                services.add(service(added));
                eps.put(host(added), endpoints(added, 0));
                runRound(
                        tag + "service added (full push to all " + clientCount + " clients)",
                        clients,
                        Map.of(
                                TypeUrl.CLUSTER.url(),
                                hasResource(cluster(added)),
                                TypeUrl.ROUTE.url(),
                                hasVirtualHost(
                                        Integer.toString(PORT), ResourceNames.virtualHostName(host(added), PORT))),
                        () -> registry.replaceServices(services, eps));
            }

            // 3. A full push that changes nothing: nothing is sent.
            long[] before = snapshot(clients);
            cp.submit(PushRequest.full("bench"));
            Thread.sleep(3000);
            long sent = 0;
            for (int i = 0; i < clients.size(); i++) {
                sent += clients.get(i).responses.get() - before[i];
            }
            System.out.printf("no-op full push: %d responses sent%n", sent);
            System.out.printf(
                    "xds cache: %d entries, %d hits, %d misses; %d stream errors %s%n",
                    cp.environment().xdsCache().size(),
                    cp.environment().xdsCache().hits(),
                    cp.environment().xdsCache().misses(),
                    errors.get(),
                    lastError);
            heap();
            for (ManagedChannel ch : channels) {
                ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            clientLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        }
    }

    static void runRound(String what, List<Client> clients, Map<String, Check> checks, Runnable change)
            throws InterruptedException {
        for (Client c : clients) {
            c.expect(checks);
        }
        long[] before = snapshot(clients);
        long bytesBefore = clients.stream().mapToLong(c -> c.bytes.get()).sum();
        long cpuBefore = cpuNanos();
        Map<Long, long[]> threadsBefore = threadCpu();
        long start = System.nanoTime();
        change.run();
        long deadline = start + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && clients.stream().anyMatch(c -> c.convergedNanos() < 0)) {
            Thread.sleep(20);
        }
        long cpu = cpuNanos() - cpuBefore;
        long wall = System.nanoTime() - start;
        long[] split = split(threadsBefore, threadCpu());
        quiesce(clients);
        List<Long> times = new ArrayList<>();
        int missing = 0;
        long responses = 0;
        for (int i = 0; i < clients.size(); i++) {
            long t = clients.get(i).convergedNanos();
            responses += clients.get(i).responses.get() - before[i];
            if (t < 0) {
                missing++;
            } else {
                times.add(t - start);
            }
        }
        long mb = (clients.stream().mapToLong(c -> c.bytes.get()).sum() - bytesBefore) >> 20;
        long[] t = times.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(t);
        if (t.length == 0) {
            System.out.printf("%s: no client received the change%n", what);
            return;
        }
        System.out.printf(
                "%s: %d clients ACKed the change (%d did not); p50 %d ms, p99 %d ms, max %d ms (includes the 100 ms"
                        + " debounce); %d responses, %d MB; %d ms CPU in %d ms (Java threads: control plane %d ms,"
                        + " clients %d ms; the rest is JIT and GC)%n",
                what,
                t.length,
                missing,
                ms(t[t.length / 2]),
                ms(t[Math.min(t.length - 1, (int) Math.ceil(t.length * 0.99) - 1)]),
                ms(t[t.length - 1]),
                responses,
                mb,
                ms(cpu),
                ms(wall),
                ms(split[0]),
                ms(split[1]));
    }

    /** CPU time per live Java thread: id to {cpu nanos, 1 if a client thread}. */
    static Map<Long, long[]> threadCpu() {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        Map<Long, long[]> out = new HashMap<>();
        for (java.lang.management.ThreadInfo t : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (t == null) {
                continue;
            }
            long cpu = mx.getThreadCpuTime(t.getThreadId());
            if (cpu >= 0) {
                out.put(t.getThreadId(), new long[] {cpu, t.getThreadName().startsWith(CLIENT_THREADS) ? 1 : 0});
            }
        }
        return out;
    }

    /** CPU used between two samples by {control plane threads, client threads} (threads that ended are missed). */
    static long[] split(Map<Long, long[]> before, Map<Long, long[]> after) {
        long[] out = new long[2];
        after.forEach((id, a) -> {
            long[] b = before.get(id);
            out[(int) a[1]] += a[0] - (b == null ? 0 : b[0]);
        });
        return out;
    }

    /** CPU time of this JVM (control plane and clients together). */
    static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                        java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    static long[] snapshot(List<Client> clients) {
        long[] r = new long[clients.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = clients.get(i).responses.get();
        }
        return r;
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
