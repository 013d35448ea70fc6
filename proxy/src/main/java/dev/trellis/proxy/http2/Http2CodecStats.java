package dev.trellis.proxy.http2;

import dev.trellis.proxy.stats.Stat;
import dev.trellis.proxy.stats.Stats;

/**
 * Envoy's HTTP/2 codec stats: {@code http2.*} for downstream connections (Envoy roots them at the listener's scope,
 * not under the connection manager's {@code stat_prefix}) and {@code cluster.<name>.http2.*} for upstream ones.
 *
 * <p>Only the stats Trellis has the behaviour for exist; see the package note for those left out and why. As in
 * Envoy, they appear once the first HTTP/2 connection of their scope is made ({@link Lazy}); after that every
 * connection holds the same {@link Stat} objects, so counting is a {@link java.util.concurrent.atomic.LongAdder}
 * increment with no lookup.
 */
public final class Http2CodecStats {
    /** RST_STREAM frames received. */
    public final Stat rxReset;
    /** RST_STREAM frames sent. */
    public final Stat txReset;
    /** RST_STREAM frames received with REFUSED_STREAM. */
    public final Stat streamRefusedErrors;
    /** GOAWAY frames sent that end the connection (not the first, graceful one of a drain). */
    public final Stat goawaySent;
    /** The drain's first GOAWAY (last-stream-id 2^31-1): no new streams, the ones racing with it still accepted. */
    public final Stat goawayGracefulSent;
    /** Streams reset because the peer's header block exceeded the limit (downstream only: null upstream). */
    public final Stat headerOverflow;
    /** Received messages that break RFC 9113 section 8 (bad pseudo-headers, header names, content-length). */
    public final Stat rxMessagingError;
    /** HEADERS received after a stream's final headers. */
    public final Stat trailers;
    /** Connections closed for queueing more than {@code max_outbound_control_frames} control frames. */
    public final Stat outboundControlFlood;
    /** Connections closed for more than {@code max_consecutive_inbound_frames_with_empty_payload} empty frames. */
    public final Stat inboundEmptyFramesFlood;
    /** Connections closed for more PRIORITY frames than {@code max_inbound_priority_frames_per_stream} allows. */
    public final Stat inboundPriorityFramesFlood;
    /** Connections closed for more WINDOW_UPDATEs than {@code max_inbound_window_update_frames_per_data_frame_sent}. */
    public final Stat inboundWindowUpdateFramesFlood;
    /** Connections closed because a keepalive PING went unanswered. */
    public final Stat keepaliveTimeout;
    /** Open streams, as the codec counts them. */
    public final Stat streamsActive;
    /** Body bytes the codec holds until a flow-control window (or the socket) takes them. */
    public final Stat pendingSendBytes;

    private Http2CodecStats(Stats s, String scope, String scopeName, String prefix, boolean downstream) {
        rxReset = s.counter(scope, scopeName, prefix + "rx_reset");
        txReset = s.counter(scope, scopeName, prefix + "tx_reset");
        streamRefusedErrors = s.counter(scope, scopeName, prefix + "stream_refused_errors");
        goawaySent = s.counter(scope, scopeName, prefix + "goaway_sent");
        goawayGracefulSent = s.counter(scope, scopeName, prefix + "goaway_graceful_sent");
        headerOverflow = downstream ? s.counter(scope, scopeName, prefix + "header_overflow") : null;
        rxMessagingError = s.counter(scope, scopeName, prefix + "rx_messaging_error");
        trailers = s.counter(scope, scopeName, prefix + "trailers");
        outboundControlFlood = s.counter(scope, scopeName, prefix + "outbound_control_flood");
        inboundEmptyFramesFlood = s.counter(scope, scopeName, prefix + "inbound_empty_frames_flood");
        inboundPriorityFramesFlood = s.counter(scope, scopeName, prefix + "inbound_priority_frames_flood");
        inboundWindowUpdateFramesFlood = s.counter(scope, scopeName, prefix + "inbound_window_update_frames_flood");
        keepaliveTimeout = s.counter(scope, scopeName, prefix + "keepalive_timeout");
        streamsActive = s.gauge(scope, scopeName, prefix + "streams_active");
        pendingSendBytes = s.gauge(scope, scopeName, prefix + "pending_send_bytes");
    }

    /** The downstream stats ({@code http2.*}), created on first use. */
    public static Lazy downstream(Stats s) {
        return new Lazy(s, "", "", true);
    }

    /** A cluster's upstream stats ({@code cluster.<name>.http2.*}), created on first use. */
    public static Lazy upstream(Stats s, String cluster) {
        return new Lazy(s, "cluster", cluster, false);
    }

    /** Creates the stats when the first HTTP/2 connection of the scope asks for them (as Envoy does). */
    public static final class Lazy {
        private final Stats stats;
        private final String scope;
        private final String scopeName;
        private final boolean downstream;
        private volatile Http2CodecStats value;

        private Lazy(Stats stats, String scope, String scopeName, boolean downstream) {
            this.stats = stats;
            this.scope = scope;
            this.scopeName = scopeName;
            this.downstream = downstream;
        }

        public Http2CodecStats get() {
            Http2CodecStats v = value;
            if (v == null) {
                // Two loops racing here build equal objects: the store hands both the same Stat instances.
                v = new Http2CodecStats(stats, scope, scopeName, "http2.", downstream);
                value = v;
            }
            return v;
        }
    }
}
