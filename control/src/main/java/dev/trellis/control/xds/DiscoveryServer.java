package dev.trellis.control.xds;

import dev.trellis.control.generate.Generator;
import dev.trellis.control.generate.Generators;
import dev.trellis.control.generate.Resources;
import dev.trellis.control.model.Proxy;
import dev.trellis.control.push.PushContext;
import dev.trellis.control.push.PushRequest;
import dev.trellis.xds.TypeUrl;
import dev.trellis.xds.naming.ClusterName;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.BindableService;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The ADS service. Answers requests from the current {@link PushContext} and pushes a new one to every connected
 * proxy it affects. Envoy's order for a full push is CDS, EDS, LDS, RDS, so a proxy never sees a route to a cluster it
 * does not have yet.
 */
public final class DiscoveryServer implements BindableService {

    private static final Logger LOG = Logger.getLogger(DiscoveryServer.class.getName());
    private static final List<TypeUrl> PUSH_ORDER =
            List.of(TypeUrl.CLUSTER, TypeUrl.ENDPOINT, TypeUrl.LISTENER, TypeUrl.ROUTE);

    private final Map<TypeUrl, Generator> generators = Generators.all();
    private final Map<String, XdsConnection> connections = new ConcurrentHashMap<>();
    private final List<ConnectionListener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicLong ids = new AtomicLong();
    private final XdsMetrics metrics;
    private final Supplier<PushContext> current;

    /** @param current the latest push context (requests are answered from it) */
    public DiscoveryServer(Supplier<PushContext> current) {
        this.current = current;
        this.metrics = new XdsMetrics(() -> {
            PushContext p = current.get();
            return p == null ? null : p.xdsCache();
        });
    }

    public XdsMetrics metrics() {
        return metrics;
    }

    public void addConnectionListener(ConnectionListener l) {
        listeners.add(l);
    }

    /** The connected proxies, sorted by proxy id. */
    public List<XdsConnection> connections() {
        List<XdsConnection> l = new ArrayList<>(connections.values());
        l.sort(java.util.Comparator.comparing((XdsConnection c) -> c.proxy().id())
                .thenComparing(XdsConnection::conId));
        return l;
    }

    /**
     * The ADS service with responses sent as {@link WireResponse}s: the encoded resources of a push are shared by every
     * proxy that receives them, instead of each response being encoded again from its messages.
     */
    @Override
    public ServerServiceDefinition bindService() {
        MethodDescriptor<DiscoveryRequest, DiscoveryResponse> sotw =
                AggregatedDiscoveryServiceGrpc.getStreamAggregatedResourcesMethod();
        var delta = AggregatedDiscoveryServiceGrpc.getDeltaAggregatedResourcesMethod();
        return ServerServiceDefinition.builder(AggregatedDiscoveryServiceGrpc.SERVICE_NAME)
                .addMethod(
                        sotw.toBuilder(sotw.getRequestMarshaller(), WireResponse.MARSHALLER)
                                .build(),
                        ServerCalls.asyncBidiStreamingCall(this::stream))
                // Delta xDS is not served yet: UNIMPLEMENTED, so clients fall back to state of the world.
                .addMethod(
                        delta,
                        ServerCalls.asyncBidiStreamingCall(o -> ServerCalls.asyncUnimplementedStreamingCall(delta, o)))
                .build();
    }

    /** For callers that are not gRPC: the same stream, with responses decoded into messages. */
    public StreamObserver<DiscoveryRequest> streamAggregatedResources(StreamObserver<DiscoveryResponse> out) {
        return stream(new StreamObserver<>() {
            @Override
            public void onNext(WireResponse r) {
                out.onNext(r.toMessage());
            }

            @Override
            public void onError(Throwable t) {
                out.onError(t);
            }

            @Override
            public void onCompleted() {
                out.onCompleted();
            }
        });
    }

    private StreamObserver<DiscoveryRequest> stream(StreamObserver<WireResponse> out) {
        java.util.concurrent.atomic.AtomicReference<XdsConnection> ref =
                new java.util.concurrent.atomic.AtomicReference<>();
        if (out instanceof io.grpc.stub.ServerCallStreamObserver<WireResponse> call) {
            call.setOnReadyHandler(() -> {
                XdsConnection c = ref.get();
                PushRequest waiting = c == null ? null : c.takeDeferred();
                if (waiting != null) {
                    pushTo(c, current.get(), waiting);
                }
            });
        }
        return new StreamObserver<>() {
            private XdsConnection con;

            @Override
            public void onNext(DiscoveryRequest req) {
                try {
                    if (con == null) {
                        if (!req.hasNode() || req.getNode().getId().isEmpty()) {
                            out.onError(Status.INVALID_ARGUMENT
                                    .withDescription("the first request on an ADS stream must carry a node with an id")
                                    .asRuntimeException());
                            return;
                        }
                        Proxy proxy = Proxy.fromNode(req.getNode());
                        con = new XdsConnection(proxy.id() + "-" + ids.incrementAndGet(), proxy, out);
                        ref.set(con);
                        connections.put(con.conId(), con);
                        metrics.connected.incrementAndGet();
                        proxy.warnings().forEach(w -> LOG.warning("proxy " + proxy.id() + ": " + w));
                        listeners.forEach(l -> l.connected(con.conId(), proxy));
                    }
                    handle(con, req);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "ADS request failed", e);
                    out.onError(Status.INTERNAL.withDescription(e.toString()).asRuntimeException());
                }
            }

            @Override
            public void onError(Throwable t) {
                closed();
            }

            @Override
            public void onCompleted() {
                closed();
                try {
                    out.onCompleted();
                } catch (RuntimeException ignored) {
                    // already closed
                }
            }

            private void closed() {
                if (con != null && connections.remove(con.conId()) != null) {
                    metrics.connected.decrementAndGet();
                    listeners.forEach(l -> l.disconnected(con.conId(), con.proxy()));
                }
            }
        };
    }

    /** The state-of-the-world request rules: initial, ACK, NACK, subscription change, stale nonce. */
    void handle(XdsConnection con, DiscoveryRequest req) {
        TypeUrl type;
        try {
            type = TypeUrl.fromUrl(req.getTypeUrl());
        } catch (IllegalArgumentException e) {
            LOG.fine(() -> "ignoring request for unsupported type " + req.getTypeUrl());
            return;
        }
        if (!generators.containsKey(type)) {
            // SDS and other types without a generator yet: ignore the request rather than end the stream.
            LOG.fine(() -> "no generator for " + req.getTypeUrl() + "; request ignored");
            return;
        }
        Set<String> names = Set.copyOf(new LinkedHashSet<>(req.getResourceNamesList()));
        if (names.contains("*")) {
            // The explicit wildcard newer Envoys send: "*" alone means everything, like an empty list.
            names = Set.of();
        }
        synchronized (con) {
            XdsConnection.Watch w = con.watchOrCreate(type);
            if (!req.getResponseNonce().isEmpty()) {
                if (!req.getResponseNonce().equals(w.sentNonce)) {
                    return; // An answer to an older response: a newer one is on its way.
                }
                if (req.hasErrorDetail()) {
                    w.nackedVersion = w.sentVersion;
                    w.lastNack = req.getErrorDetail().getMessage();
                    w.lastNackAt = Instant.now();
                    w.pendingStart = null;
                    metrics.reject(type.shortName().toLowerCase(java.util.Locale.ROOT));
                    LOG.warning("proxy " + con.proxy().id() + " rejected " + type.shortName() + " version "
                            + w.sentVersion + ": " + w.lastNack);
                    // Never re-send the rejected version; the next config change will produce a new one.
                    w.names = names;
                    return;
                }
                w.ackedVersion = req.getVersionInfo();
                if (w.pendingStart != null && w.ackedVersion.equals(w.sentVersion)) {
                    metrics.convergence(
                            Duration.between(w.pendingStart, Instant.now()).toNanos() / 1e9);
                    w.pendingStart = null;
                }
                if (names.equals(w.names)) {
                    return; // A plain ACK.
                }
            }
            // Initial request, reconnect, or a changed subscription: answer with the current resources.
            w.names = names;
            Resources resources = generators.get(type).resources(con.proxy(), current.get(), names);
            if (con.send(type, resources, null, true)) {
                metrics.push(type.shortName().toLowerCase(java.util.Locale.ROOT));
            }
        }
    }

    /** Pushes {@code push} to every connection the request affects. Called by the debouncer's thread. */
    public void push(PushContext push, PushRequest request) {
        request.reasons().forEach(metrics::trigger);
        long t0 = System.nanoTime();
        for (XdsConnection con : connections.values()) {
            try {
                pushTo(con, push, request);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "push to " + con.proxy().id() + " failed", e);
                con.close(Status.INTERNAL.withDescription("push failed: " + e).asRuntimeException());
            }
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        LOG.fine(() -> "pushed " + request + " to " + connections.size() + " proxies in " + ms + " ms");
    }

    void pushTo(XdsConnection con, PushContext push, PushRequest request) {
        synchronized (con) {
            for (TypeUrl type : PUSH_ORDER) {
                if (!con.ready()) {
                    // The client is not reading: keep at most one merged push waiting instead of queueing responses.
                    // Types already sent are re-checked when it resumes and skipped by their content hash.
                    con.defer(request);
                    if (!con.ready()) {
                        metrics.trigger("deferred");
                        return;
                    }
                    request = request.merge(con.takeDeferred());
                }
                XdsConnection.Watch w = con.watch(type);
                if (w == null) {
                    continue; // Never subscribed.
                }
                if (!request.full()) {
                    if (type != TypeUrl.ENDPOINT || !affected(w.names, request)) {
                        continue;
                    }
                }
                Resources resources = generators.get(type).resources(con.proxy(), push, w.names);
                if (con.send(type, resources, request.start(), false)) {
                    metrics.push(type.shortName().toLowerCase(java.util.Locale.ROOT));
                }
            }
        }
    }

    /** Whether an endpoint change to {@code request.hostnames()} touches any subscribed cluster. */
    static boolean affected(Set<String> clusterNames, PushRequest request) {
        if (request.allEndpoints()) {
            return true;
        }
        for (String name : clusterNames) {
            ClusterName cn = ClusterName.tryParse(name);
            if (cn != null && request.hostnames().contains(cn.host())) {
                return true;
            }
        }
        return false;
    }
}
