package dev.trellis.proxy.testing;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A minimal state-of-the-world ADS server for tests: holds one snapshot (version + resources) per type, sends it to
 * every stream that subscribed to the type and has not been sent that version yet, and records every request (so
 * tests can check ACKs and NACKs). Like a well-behaved server, it never re-sends a version after a NACK.
 */
public final class FakeAdsServer implements AutoCloseable {
    record Snapshot(String version, List<Any> resources) {}

    private final Map<String, Snapshot> snapshots = new ConcurrentHashMap<>();
    private final List<Conn> conns = new CopyOnWriteArrayList<>();
    public final List<DiscoveryRequest> requests = new CopyOnWriteArrayList<>();
    private final Server server;
    private int nonce;

    private final class Conn {
        final StreamObserver<DiscoveryResponse> out;
        final Map<String, String> sent = new HashMap<>();
        final Map<String, Boolean> subscribed = new HashMap<>();

        Conn(StreamObserver<DiscoveryResponse> out) {
            this.out = out;
        }

        synchronized void maybeSend(String typeUrl) {
            Snapshot s = snapshots.get(typeUrl);
            if (s == null
                    || !subscribed.getOrDefault(typeUrl, false)
                    || s.version().equals(sent.get(typeUrl))) {
                return;
            }
            sent.put(typeUrl, s.version());
            String n;
            synchronized (FakeAdsServer.this) {
                n = Integer.toString(++nonce);
            }
            out.onNext(DiscoveryResponse.newBuilder()
                    .setTypeUrl(typeUrl)
                    .setVersionInfo(s.version())
                    .setNonce(n)
                    .addAllResources(s.resources())
                    .build());
        }
    }

    public FakeAdsServer(int port) throws Exception {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
                .addService(new AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceImplBase() {
                    @Override
                    public StreamObserver<DiscoveryRequest> streamAggregatedResources(
                            StreamObserver<DiscoveryResponse> out) {
                        Conn c = new Conn(out);
                        conns.add(c);
                        return new StreamObserver<>() {
                            @Override
                            public void onNext(DiscoveryRequest r) {
                                requests.add(r);
                                synchronized (c) {
                                    c.subscribed.put(r.getTypeUrl(), true);
                                }
                                c.maybeSend(r.getTypeUrl());
                            }

                            @Override
                            public void onError(Throwable t) {
                                conns.remove(c);
                            }

                            @Override
                            public void onCompleted() {
                                conns.remove(c);
                                out.onCompleted();
                            }
                        };
                    }
                })
                .build()
                .start();
    }

    public int port() {
        return server.getPort();
    }

    /** Publishes a new version of one type's resources to every subscribed stream. */
    public void push(String typeUrl, String version, List<? extends Message> resources) {
        snapshots.put(
                typeUrl, new Snapshot(version, resources.stream().map(Any::pack).toList()));
        for (Conn c : conns) {
            c.maybeSend(typeUrl);
        }
    }

    public int streams() {
        return conns.size();
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
    }
}
