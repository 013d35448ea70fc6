package dev.trellis.proxy.http2;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DecoratingHttp2ConnectionDecoder;
import io.netty.handler.codec.http2.DefaultHttp2Connection;
import io.netty.handler.codec.http2.DefaultHttp2RemoteFlowController;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2FrameListener;
import io.netty.handler.codec.http2.Http2FrameListenerDecorator;
import io.netty.handler.codec.http2.Http2FrameLogger;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.StreamByteDistributor;
import io.netty.handler.codec.http2.WeightedFairQueueByteDistributor;
import io.netty.handler.logging.LogLevel;
import java.io.IOException;

/**
 * A Netty frame codec that counts {@link Http2CodecStats}. Four hooks, all inside the codec, so no handler is added
 * to the connection's pipeline and nothing is looked up per frame:
 *
 * <ul>
 *   <li>a frame "logger" (Netty calls it for every frame read, before acting on it, and every frame written): resets,
 *       GOAWAYs, trailers, DATA frames sent;
 *   <li>a decorator of the decoder's frame listener ({@code InboundLimits}): Envoy's limits on empty DATA, PRIORITY
 *       and WINDOW_UPDATE frames, enforced and counted;
 *   <li>the codec's error entry point ({@link Http2FrameCodec#onError}): oversized header blocks, messaging errors,
 *       Netty's limit on queued control frames;
 *   <li>the connection's stream listener and the remote flow controller's byte distributor: open streams and the body
 *       bytes waiting for window.
 * </ul>
 */
final class CountingCodec extends Http2FrameCodec {
    private final Http2CodecStats stats;
    private final Frames frames;
    private boolean controlFloodCounted;
    private ChannelHandlerContext flushCtx;
    private boolean flushScheduled;
    private final Runnable flushTask = () -> {
        flushScheduled = false;
        flushCtx.flush();
    };

    private CountingCodec(
            Http2ConnectionEncoder encoder,
            Http2ConnectionDecoder decoder,
            Http2Settings settings,
            boolean decoupleCloseAndGoAway,
            boolean flushPreface,
            Http2CodecStats stats,
            Frames frames) {
        super(encoder, decoder, settings, decoupleCloseAndGoAway, flushPreface);
        this.stats = stats;
        this.frames = frames;
    }

    Http2CodecStats stats() {
        return stats;
    }

    /**
     * A builder whose codec counts into {@code stats} and enforces the empty DATA, PRIORITY and WINDOW_UPDATE limits
     * of {@code options} (the caller turns Netty's own empty-frame check off: it reads 0 as "no limit").
     */
    static Http2FrameCodecBuilder builder(boolean server, Http2CodecStats stats, Http2Options options) {
        return new Builder(server, stats, options);
    }

    @Override
    public void onError(ChannelHandlerContext ctx, boolean outbound, Throwable cause) {
        Http2Exception e = Http2CodecUtil.getEmbeddedHttp2Exception(cause);
        if (e instanceof Http2Exception.HeaderListSizeException) {
            if (!outbound && stats.headerOverflow != null) {
                stats.headerOverflow.inc();
            }
        } else if (e instanceof Http2Exception.StreamException se) {
            if (!outbound && lateFrameOfClosedStream(se)) {
                return;
            }
            // Netty's header and content-length validation (RFC 9113 section 8) fails a stream with PROTOCOL_ERROR.
            if (!outbound && e.error() == Http2Error.PROTOCOL_ERROR) {
                stats.rxMessagingError.inc();
            }
        } else if (e != null && e.error() == Http2Error.ENHANCE_YOUR_CALM) {
            // Netty's cap on queued control frames (PING/SETTINGS acks, RSTs): the only outbound limit configured
            // that Envoy has. Counted once per connection (the frames still being written fail with it too); Netty's
            // server-side cap on RST_STREAMs sent (its MadeYouReset defence, which Envoy does not have) is not it.
            if (outbound
                    && !controlFloodCounted
                    && String.valueOf(e.getMessage()).contains("control frames")) {
                controlFloodCounted = true;
                stats.outboundControlFlood.inc();
            }
            // Inbound floods (empty DATA, PRIORITY, WINDOW_UPDATE) are ours (InboundLimits), counted where detected.
        }
        super.onError(ctx, outbound, cause);
    }

    /**
     * Writes to the socket once per event-loop turn, after the loop has handled every ready connection, as Envoy writes
     * a connection once per dispatcher iteration. A proxied stream's frames are written from the other connection's
     * read (the request's HEADERS and DATA to the upstream, the response to the client), where Netty would flush, and
     * so make a socket write, at each: three writes per request. Only the socket write waits: the flow controller
     * still hands its frames to the channel at once, so they keep their order with the frames it does not hold (a
     * RST_STREAM right after a stream's last DATA must not overtake it).
     */
    @Override
    public void flush(ChannelHandlerContext ctx) {
        try {
            encoder().flowController().writePendingBytes();
        } catch (Http2Exception e) {
            onError(ctx, true, e);
            return;
        } catch (Throwable t) {
            onError(ctx, true, Http2Exception.connectionError(Http2Error.INTERNAL_ERROR, t, "Error flushing"));
            return;
        }
        if (!flushScheduled) {
            flushScheduled = true;
            flushCtx = ctx;
            ctx.executor().execute(flushTask);
        }
    }

    /**
     * A DATA or HEADERS frame for a stream that is closed and gone: the peer sent it before it saw the stream end,
     * typically before our RST_STREAM reached it (RFC 9113 section 5.1: such frames MUST be ignored). Netty would answer
     * each with RST_STREAM STREAM_CLOSED, so one cancelled stream cost several resets, each counted against the
     * connection's limits. Ignored as nghttp2 (Envoy's codec) ignores frames for streams it no longer has; the decoder
     * has already returned a DATA frame's bytes to the connection window before raising the error.
     */
    private boolean lateFrameOfClosedStream(Http2Exception.StreamException e) {
        int id = e.streamId();
        return e.error() == Http2Error.STREAM_CLOSED
                && connection().stream(id) == null
                && connection().streamMayHaveExisted(id);
    }

    /**
     * A connection error without an HTTP/2 cause is the transport failing under a write: the peer reset or closed the
     * connection (a client ending its run with streams in flight). Netty would answer with GOAWAY INTERNAL_ERROR; Envoy
     * sends no GOAWAY to a peer that is gone, and nothing can reach it: the connection is just closed.
     */
    @Override
    protected void onConnectionError(
            ChannelHandlerContext ctx, boolean outbound, Throwable cause, Http2Exception http2Ex) {
        if (http2Ex == null && (!ctx.channel().isActive() || cause instanceof IOException)) {
            ctx.close(); // from the codec's context: past its close, which would write a GOAWAY
            return;
        }
        super.onConnectionError(ctx, outbound, cause, http2Ex);
    }

    private static final class Builder extends Http2FrameCodecBuilder {
        private final Http2CodecStats stats;
        private final Frames frames;
        private final Http2Connection connection;
        private final Http2Connection.PropertyKey pendingKey;
        private final boolean server;

        Builder(boolean server, Http2CodecStats stats, Http2Options options) {
            this.server = server;
            this.stats = stats;
            // The connection is ours (to install the counting flow controller): it says which side this is.
            // Netty's builder default for reserved (pushed) streams.
            connection = new DefaultHttp2Connection(server, 100);
            pendingKey = connection.newKey();
            connection
                    .remote()
                    .flowController(new DefaultHttp2RemoteFlowController(
                            connection,
                            new PendingBytes(new WeightedFairQueueByteDistributor(connection), pendingKey, stats)));
            frames = new Frames(stats, connection, options);
            connection.addListener(new Http2ConnectionAdapter() {
                @Override
                public void onStreamActive(Http2Stream stream) {
                    stats.streamsActive.inc();
                    frames.openedStreams++;
                }

                @Override
                public void onStreamClosed(Http2Stream stream) {
                    stats.streamsActive.dec();
                    PendingBytes.forget(stream, pendingKey, stats);
                }
            });
            connection(connection);
            frameLogger(frames);
        }

        /**
         * The side this codec speaks for. Netty's builder takes it from {@code forServer()}/{@code forClient()}, which
         * cannot be combined with a connection of our own, and otherwise assumes a server: an upstream (client)
         * connection then got Netty's server-only limits of 200 RST_STREAMs sent and 200 received per 30 s, and every
         * few hundred cancelled requests closed the pool's shared connection with ENHANCE_YOUR_CALM.
         */
        @Override
        public boolean isServer() {
            return server;
        }

        @Override
        protected Http2FrameCodec build(
                Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings initialSettings) {
            CountingCodec codec = new CountingCodec(
                    encoder,
                    new InboundLimits(decoder, frames),
                    initialSettings,
                    decoupleCloseAndGoAway(),
                    flushPreface(),
                    stats,
                    frames);
            codec.gracefulShutdownTimeoutMillis(gracefulShutdownTimeoutMillis());
            return codec;
        }
    }

    /**
     * Sees every frame: Netty calls it for each frame read before the decoder acts on it, and for each frame the
     * encoder writes. One per connection, on its event loop.
     */
    private static final class Frames extends Http2FrameLogger {
        private final Http2CodecStats stats;
        private final Http2Connection connection;
        private final int maxConsecutiveEmpty;
        private final long maxPriorityPerStream;
        private final long maxWindowUpdatesPerDataFrame;
        private int consecutiveEmpty;
        long openedStreams;
        private long outboundDataFrames;
        private long inboundPriorityFrames;
        private long inboundWindowUpdateFrames;

        Frames(Http2CodecStats stats, Http2Connection connection, Http2Options options) {
            super(LogLevel.TRACE);
            this.stats = stats;
            this.connection = connection;
            this.maxConsecutiveEmpty = options.maxConsecutiveEmptyFrames();
            this.maxPriorityPerStream = options.maxInboundPriorityFramesPerStream();
            this.maxWindowUpdatesPerDataFrame = options.maxInboundWindowUpdateFramesPerDataFrameSent();
        }

        /** Envoy's limit: {@code max_inbound_priority_frames_per_stream * (1 + streams opened)}. */
        boolean priorityFlood() {
            return ++inboundPriorityFrames > maxPriorityPerStream * (1 + openedStreams);
        }

        /**
         * Envoy's limit: {@code 5 + 2 * (streams opened + max_inbound_window_update_frames_per_data_frame_sent * DATA
         * frames sent)}.
         */
        boolean windowUpdateFlood() {
            return ++inboundWindowUpdateFrames
                    > 5 + 2 * (openedStreams + maxWindowUpdatesPerDataFrame * outboundDataFrames);
        }

        /**
         * Envoy's {@code max_consecutive_inbound_frames_with_empty_payload}: more empty DATA frames without END_STREAM
         * in a row than that (0: any) is a flood. Netty's own check would treat 0 as "no limit".
         */
        boolean emptyFlood(ByteBuf data, boolean endStream) {
            if (endStream || data.isReadable()) {
                consecutiveEmpty = 0;
                return false;
            }
            return ++consecutiveEmpty > maxConsecutiveEmpty;
        }

        @Override
        public void logData(
                Direction direction,
                ChannelHandlerContext ctx,
                int streamId,
                ByteBuf data,
                int padding,
                boolean endStream) {
            if (direction == Direction.OUTBOUND) {
                outboundDataFrames++;
            }
        }

        @Override
        public void logHeaders(
                Direction direction,
                ChannelHandlerContext ctx,
                int streamId,
                Http2Headers headers,
                int padding,
                boolean endStream) {
            if (direction == Direction.INBOUND) {
                headersRead(streamId);
            }
        }

        @Override
        public void logHeaders(
                Direction direction,
                ChannelHandlerContext ctx,
                int streamId,
                Http2Headers headers,
                int streamDependency,
                short weight,
                boolean exclusive,
                int padding,
                boolean endStream) {
            if (direction == Direction.INBOUND) {
                headersRead(streamId);
            }
        }

        private void headersRead(int streamId) {
            consecutiveEmpty = 0;
            // Called before the decoder sees the frame: a stream that already has its final headers gets trailers.
            Http2Stream s = connection.stream(streamId);
            if (s != null && s.isHeadersReceived()) {
                stats.trailers.inc();
            }
        }

        @Override
        public void logRstStream(Direction direction, ChannelHandlerContext ctx, int streamId, long errorCode) {
            if (direction == Direction.INBOUND) {
                stats.rxReset.inc();
                if (errorCode == Http2Error.REFUSED_STREAM.code()) {
                    stats.streamRefusedErrors.inc();
                }
            } else {
                stats.txReset.inc();
            }
        }

        @Override
        public void logGoAway(
                Direction direction, ChannelHandlerContext ctx, int lastStreamId, long errorCode, ByteBuf debugData) {
            if (direction == Direction.OUTBOUND) {
                // The drain's first GOAWAY (NO_ERROR, naming no real stream) is counted apart from those that end
                // the connection, as Envoy does. Netty's own GOAWAY for a fatal error also names 2^31-1.
                boolean graceful = lastStreamId == Integer.MAX_VALUE && errorCode == Http2Error.NO_ERROR.code();
                (graceful ? stats.goawayGracefulSent : stats.goawaySent).inc();
            }
        }
    }

    /**
     * Envoy's limits on inbound PRIORITY and WINDOW_UPDATE frames (which Netty does not have): past them the connection
     * is closed with GOAWAY ENHANCE_YOUR_CALM and the flood counted.
     */
    private static final class InboundLimits extends DecoratingHttp2ConnectionDecoder {
        private final Frames frames;
        private Http2FrameListener undecorated;

        InboundLimits(Http2ConnectionDecoder delegate, Frames frames) {
            super(delegate);
            this.frames = frames;
        }

        @Override
        public void frameListener(Http2FrameListener listener) {
            undecorated = listener;
            super.frameListener(new Http2FrameListenerDecorator(listener) {
                @Override
                public int onDataRead(
                        ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endOfStream)
                        throws Http2Exception {
                    if (frames.emptyFlood(data, endOfStream)) {
                        frames.stats.inboundEmptyFramesFlood.inc();
                        throw Http2Exception.connectionError(
                                Http2Error.ENHANCE_YOUR_CALM,
                                "too many consecutive empty DATA frames"
                                        + " (max_consecutive_inbound_frames_with_empty_payload)");
                    }
                    return super.onDataRead(ctx, streamId, data, padding, endOfStream);
                }

                @Override
                public void onPriorityRead(
                        ChannelHandlerContext ctx, int streamId, int streamDependency, short weight, boolean exclusive)
                        throws Http2Exception {
                    if (frames.priorityFlood()) {
                        frames.stats.inboundPriorityFramesFlood.inc();
                        throw Http2Exception.connectionError(
                                Http2Error.ENHANCE_YOUR_CALM,
                                "too many PRIORITY frames (max_inbound_priority_frames_per_stream)");
                    }
                    super.onPriorityRead(ctx, streamId, streamDependency, weight, exclusive);
                }

                @Override
                public void onWindowUpdateRead(ChannelHandlerContext ctx, int streamId, int windowSizeIncrement)
                        throws Http2Exception {
                    if (frames.windowUpdateFlood()) {
                        frames.stats.inboundWindowUpdateFramesFlood.inc();
                        throw Http2Exception.connectionError(
                                Http2Error.ENHANCE_YOUR_CALM,
                                "too many WINDOW_UPDATE frames (max_inbound_window_update_frames_per_data_frame_sent)");
                    }
                    super.onWindowUpdateRead(ctx, streamId, windowSizeIncrement);
                }
            });
        }

        @Override
        public Http2FrameListener frameListener() {
            return undecorated; // the codec's own listener, as if undecorated
        }
    }

    /**
     * Wraps the flow controller's distributor, which is told each stream's pending body bytes whenever they change:
     * the gauge follows the sum. Each stream remembers what it added, so a closed stream takes its bytes back.
     */
    private static final class PendingBytes implements StreamByteDistributor {
        private final StreamByteDistributor delegate;
        private final Http2Connection.PropertyKey key;
        private final Http2CodecStats stats;

        PendingBytes(StreamByteDistributor delegate, Http2Connection.PropertyKey key, Http2CodecStats stats) {
            this.delegate = delegate;
            this.key = key;
            this.stats = stats;
        }

        @Override
        public void updateStreamableBytes(StreamState state) {
            delegate.updateStreamableBytes(state);
            Http2Stream stream = state.stream();
            long now = state.pendingBytes();
            long[] counted = stream.getProperty(key);
            long before = counted == null ? 0 : counted[0];
            if (now != before) {
                if (counted == null) {
                    counted = new long[1];
                    stream.setProperty(key, counted);
                }
                counted[0] = now;
                stats.pendingSendBytes.add(now - before);
            }
        }

        static void forget(Http2Stream stream, Http2Connection.PropertyKey key, Http2CodecStats stats) {
            long[] counted = stream.getProperty(key);
            if (counted != null && counted[0] != 0) {
                stats.pendingSendBytes.add(-counted[0]);
                counted[0] = 0;
            }
        }

        @Override
        public void updateDependencyTree(int childStreamId, int parentStreamId, short weight, boolean exclusive) {
            delegate.updateDependencyTree(childStreamId, parentStreamId, weight, exclusive);
        }

        @Override
        public boolean distribute(int maxBytes, Writer writer) throws Http2Exception {
            return delegate.distribute(maxBytes, writer);
        }
    }
}
