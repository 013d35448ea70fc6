package dev.trellis.xds.client;

import com.google.rpc.Status;
import dev.trellis.xds.TypeUrl;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * An ADS (aggregated, state-of-the-world) client. Subscribe with {@link #subscribe}; LDS and CDS are usually wildcard
 * (empty name set), RDS and EDS name their resources. Responses are applied by the type's {@link ResourceHandler} on
 * the client's own thread, then ACKed or NACKed.
 */
public final class XdsClient implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(XdsClient.class.getName());
    /** The order subscriptions are (re)sent in: clusters before listeners, as Envoy does. */
    private static final List<TypeUrl> ORDER =
            List.of(TypeUrl.CLUSTER, TypeUrl.ENDPOINT, TypeUrl.LISTENER, TypeUrl.ROUTE);

    /** Per-type subscription state. */
    private static final class Sub {
        final ResourceHandler handler;
        Set<String> names;
        String acceptedVersion = "";
        String lastNonce = "";
        boolean received;

        Sub(ResourceHandler handler, Set<String> names) {
            this.handler = handler;
            this.names = names;
        }
    }

    /** What happened, for status views and tests. */
    public record Event(TypeUrl type, String version, String nonce, boolean accepted, String error) {}

    private final ManagedChannel channel;
    private final Node node;
    private final ScheduledExecutorService executor;
    private final Backoff backoff;
    private final Map<TypeUrl, Sub> subs = new EnumMap<>(TypeUrl.class);
    private final Consumer<Event> events;
    private StreamObserver<DiscoveryRequest> stream;
    private boolean nodeSent;
    private boolean closed;
    private boolean connected;

    public XdsClient(ManagedChannel channel, Node node, Consumer<Event> events) {
        this(channel, node, events, new Backoff(1000, 30_000));
    }

    public XdsClient(ManagedChannel channel, Node node, Consumer<Event> events, Backoff backoff) {
        this.channel = channel;
        this.node = node;
        this.events = events == null ? e -> {} : events;
        this.backoff = backoff;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "trellis-xds");
            t.setDaemon(true);
            return t;
        });
    }

    /** Runs a task on the client's thread (where handlers run). */
    public void execute(Runnable r) {
        executor.execute(r);
    }

    public ScheduledExecutorService executor() {
        return executor;
    }

    /** Registers (or changes the names of) a subscription; sends a request when the stream is up. */
    public void subscribe(TypeUrl type, Set<String> names, ResourceHandler handler) {
        executor.execute(() -> {
            Sub s = subs.get(type);
            if (s == null) {
                subs.put(type, new Sub(handler, new TreeSet<>(names)));
            } else if (s.names.equals(names)) {
                return;
            } else {
                s.names = new TreeSet<>(names);
            }
            if (stream == null && !closed) {
                connect();
            } else if (stream != null) {
                send(type, subs.get(type), null);
            }
        });
    }

    /** Changes the resource names of an existing subscription (RDS/EDS follow LDS/CDS). */
    public void updateNames(TypeUrl type, Set<String> names) {
        executor.execute(() -> {
            Sub s = subs.get(type);
            if (s == null || s.names.equals(names)) {
                return;
            }
            s.names = new TreeSet<>(names);
            if (stream != null) {
                send(type, s, null);
            }
        });
    }

    public boolean received(TypeUrl type) {
        Sub s = subs.get(type);
        return s != null && s.received;
    }

    public String acceptedVersion(TypeUrl type) {
        Sub s = subs.get(type);
        return s == null ? "" : s.acceptedVersion;
    }

    /** Hands a stream event to the client's thread; after {@link #close()} the stream's last events are dropped. */
    private void post(Runnable r) {
        try {
            executor.execute(r);
        } catch (RejectedExecutionException e) {
            // Closed: cancelling the channel reports the stream's end, and nobody is left to handle it.
        }
    }

    public boolean connected() {
        return connected;
    }

    private void connect() {
        if (closed) {
            return;
        }
        nodeSent = false;
        StreamObserver<DiscoveryResponse> responses = new StreamObserver<>() {
            @Override
            public void onNext(DiscoveryResponse r) {
                post(() -> onResponse(this, r));
            }

            @Override
            public void onError(Throwable t) {
                post(() -> onClosed(this, t));
            }

            @Override
            public void onCompleted() {
                post(() -> onClosed(this, null));
            }
        };
        current = responses;
        stream = AggregatedDiscoveryServiceGrpc.newStub(channel).streamAggregatedResources(responses);
        for (TypeUrl t : ORDER) {
            Sub s = subs.get(t);
            if (s != null) {
                send(t, s, null);
            }
        }
    }

    private StreamObserver<DiscoveryResponse> current;

    private void onResponse(StreamObserver<DiscoveryResponse> from, DiscoveryResponse r) {
        if (from != current || closed) {
            return;
        }
        connected = true;
        backoff.reset();
        TypeUrl type;
        try {
            type = TypeUrl.fromUrl(r.getTypeUrl());
        } catch (IllegalArgumentException e) {
            LOG.warning("xDS: ignoring response of unknown type " + r.getTypeUrl());
            return;
        }
        Sub s = subs.get(type);
        if (s == null) {
            return;
        }
        s.lastNonce = r.getNonce();
        String error = null;
        try {
            for (var any : r.getResourcesList()) {
                if (!any.getTypeUrl().equals(r.getTypeUrl())) {
                    throw new XdsRejectedException(
                            "resource of type " + any.getTypeUrl() + " in a " + type.shortName() + " response");
                }
            }
            s.handler.apply(r.getResourcesList(), r.getVersionInfo());
        } catch (XdsRejectedException e) {
            error = e.getMessage();
        } catch (RuntimeException e) {
            error = e.getMessage() == null ? e.toString() : e.getMessage();
        }
        if (error == null) {
            s.acceptedVersion = r.getVersionInfo();
            s.received = true;
            send(type, s, null);
            LOG.fine(() -> "xDS: ACK " + type.shortName() + " version " + r.getVersionInfo());
        } else {
            s.received = true;
            send(type, s, error);
            LOG.warning("xDS: NACK " + type.shortName() + " version " + r.getVersionInfo() + ": " + error);
        }
        events.accept(new Event(type, r.getVersionInfo(), r.getNonce(), error == null, error));
    }

    private void send(TypeUrl type, Sub s, String error) {
        DiscoveryRequest.Builder b = DiscoveryRequest.newBuilder()
                .setTypeUrl(type.url())
                .setVersionInfo(s.acceptedVersion)
                .setResponseNonce(s.lastNonce)
                .addAllResourceNames(s.names);
        if (!nodeSent) {
            b.setNode(node);
            nodeSent = true;
        }
        if (error != null) {
            b.setErrorDetail(
                    Status.newBuilder().setCode(3 /* INVALID_ARGUMENT */).setMessage(error));
        }
        try {
            stream.onNext(b.build());
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "xDS: send failed", e);
        }
    }

    private void onClosed(StreamObserver<DiscoveryResponse> from, Throwable t) {
        if (from != current) {
            return;
        }
        stream = null;
        current = null;
        connected = false;
        for (Sub s : subs.values()) {
            s.lastNonce = "";
        }
        if (closed) {
            return;
        }
        long delay = backoff.nextDelayMs();
        LOG.warning("xDS: stream closed (" + (t == null ? "completed" : t.getMessage()) + "), reconnecting in " + delay
                + " ms");
        executor.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        try {
            executor.submit(() -> {
                        closed = true;
                        if (stream != null) {
                            try {
                                stream.onCompleted();
                            } catch (RuntimeException e) {
                                // already closed
                            }
                        }
                    })
                    .get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            closed = true;
        }
        channel.shutdownNow();
        executor.shutdownNow();
    }
}
