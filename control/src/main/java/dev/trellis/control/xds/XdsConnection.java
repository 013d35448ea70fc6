package dev.trellis.control.xds;

import com.google.protobuf.Message;
import dev.trellis.control.generate.Resources;
import dev.trellis.control.generate.XdsResource;
import dev.trellis.control.model.Proxy;
import dev.trellis.xds.TypeUrl;
import io.grpc.stub.StreamObserver;
import java.time.Instant;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;

/** One ADS stream: a proxy and its per-type subscription and ACK state. All methods synchronize on the connection. */
public final class XdsConnection {

    /** What the proxy has and wants for one type. */
    public static final class Watch {
        Set<String> names = Set.of();
        String sentVersion = "";
        String sentNonce = "";
        Instant sentAt;
        String ackedVersion = "";
        String nackedVersion = "";
        String lastNack = "";
        Instant lastNackAt;
        int resourceCount;
        Resources sent = Resources.EMPTY;
        /** When the change that produced the unACKed response happened, for convergence time. */
        Instant pendingStart;

        public Set<String> names() {
            return names;
        }

        public String sentVersion() {
            return sentVersion;
        }

        public String ackedVersion() {
            return ackedVersion;
        }

        public String nackedVersion() {
            return nackedVersion;
        }

        public String lastNack() {
            return lastNack;
        }

        public Instant lastNackAt() {
            return lastNackAt;
        }

        public Instant sentAt() {
            return sentAt;
        }

        public int resourceCount() {
            return resourceCount;
        }
    }

    /** Per-type sync status as istioctl shows it. */
    public enum SyncStatus {
        SYNCED,
        STALE,
        NACKED,
        NOT_SENT
    }

    private final String conId;
    private final Proxy proxy;
    private final StreamObserver<WireResponse> out;
    private final Instant connectedAt = Instant.now();
    private final Map<TypeUrl, Watch> watches = new EnumMap<>(TypeUrl.class);
    private long nonceCounter;
    private dev.trellis.control.push.PushRequest deferred;

    XdsConnection(String conId, Proxy proxy, StreamObserver<WireResponse> out) {
        this.conId = conId;
        this.proxy = proxy;
        this.out = out;
    }

    public String conId() {
        return conId;
    }

    public Proxy proxy() {
        return proxy;
    }

    public Instant connectedAt() {
        return connectedAt;
    }

    /** False while the stream's outbound buffer is full: pushes wait for the client to read (backpressure). */
    boolean ready() {
        return !(out instanceof io.grpc.stub.ServerCallStreamObserver<WireResponse> s) || s.isReady();
    }

    /** Remembers a push that found the stream not ready; merged with any already waiting. */
    synchronized void defer(dev.trellis.control.push.PushRequest r) {
        deferred = deferred == null ? r : deferred.merge(r);
    }

    synchronized dev.trellis.control.push.PushRequest takeDeferred() {
        dev.trellis.control.push.PushRequest r = deferred;
        deferred = null;
        return r;
    }

    synchronized Watch watch(TypeUrl type) {
        return watches.get(type);
    }

    synchronized Watch watchOrCreate(TypeUrl type) {
        return watches.computeIfAbsent(type, t -> new Watch());
    }

    /** A copy of the watches, for debug views. */
    public synchronized Map<TypeUrl, Watch> watches() {
        return new LinkedHashMap<>(watches);
    }

    /** The resources last sent of each type, for config_dump. */
    public synchronized Map<TypeUrl, SortedMap<String, Message>> sentResources() {
        Map<TypeUrl, SortedMap<String, Message>> m = new EnumMap<>(TypeUrl.class);
        watches.forEach((t, w) -> {
            SortedMap<String, Message> msgs = new java.util.TreeMap<>();
            for (XdsResource r : w.sent.list()) {
                msgs.put(r.name(), r.message());
            }
            m.put(t, msgs);
        });
        return m;
    }

    public synchronized SyncStatus status(TypeUrl type) {
        Watch w = watches.get(type);
        if (w == null || w.sentVersion.isEmpty()) {
            return SyncStatus.NOT_SENT;
        }
        if (w.sentVersion.equals(w.ackedVersion)) {
            return SyncStatus.SYNCED;
        }
        if (w.sentVersion.equals(w.nackedVersion)) {
            return SyncStatus.NACKED;
        }
        return SyncStatus.STALE;
    }

    /**
     * Sends {@code resources} unless the proxy already has exactly this content (or rejected exactly this content).
     *
     * @return true if a response was sent
     */
    synchronized boolean send(TypeUrl type, Resources resources, Instant changeStart, boolean force) {
        Watch w = watches.computeIfAbsent(type, t -> new Watch());
        String version = resources.version();
        if (!force && (version.equals(w.sentVersion) || version.equals(w.nackedVersion))) {
            return false;
        }
        String nonce = Long.toString(++nonceCounter);
        WireResponse r = new WireResponse(type.url(), version, nonce, resources.responseBody());
        w.sentVersion = version;
        w.sentNonce = nonce;
        w.sentAt = Instant.now();
        w.sent = resources;
        w.resourceCount = resources.size();
        w.pendingStart = changeStart;
        out.onNext(r);
        return true;
    }

    synchronized void close(Throwable error) {
        try {
            if (error == null) {
                out.onCompleted();
            } else {
                out.onError(error);
            }
        } catch (RuntimeException ignored) {
            // The stream may already be gone.
        }
    }

    synchronized String lastNonce(TypeUrl type) {
        Watch w = watches.get(type);
        return w == null ? "" : w.sentNonce;
    }
}
