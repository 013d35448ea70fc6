package dev.trellis.proxy.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * One request on a multiplexed upstream HTTP/2 connection. The router writes to {@link #channel()}, a stream child
 * channel; if the server did not process the stream (it was above a GOAWAY's last-stream-id, refused with
 * REFUSED_STREAM, or never created because the connection had stopped taking streams), the request is sent again on a
 * new stream, possibly of another connection, and {@link #channel()} is that stream's from then on. For that the
 * request is kept (headers, and body parts up to {@value #REPLAY_LIMIT} bytes) until the first response bytes arrive.
 *
 * <p>Resets are reported with Envoy's reasons: {@code remote reset} (RST_STREAM from the server), {@code remote refused
 * stream reset}, {@code connection termination} (the connection closed under the stream).
 */
final class UpstreamH2Stream implements UpstreamStream {
    static final int REPLAY_LIMIT = 64 * 1024;
    private static final int MAX_REPLAYS = 3;

    private final Http2Pool pool;
    private UpstreamCallbacks bound;
    private Leg leg;
    private boolean responseStarted;
    private boolean skippingInterim;
    private boolean requestComplete;
    private ArrayDeque<Object> replay = new ArrayDeque<>(2);
    private int replayBytes;
    private int replays;
    private boolean waitingReplay;

    UpstreamH2Stream(Http2Pool pool, UpstreamCallbacks cb) {
        this.pool = pool;
        this.bound = cb;
    }

    Leg newLeg(Http2Pool.Conn c) {
        return new Leg(c);
    }

    /** The first stream channel is open: the request can be written. */
    void start(Leg l) {
        leg = l;
        UpstreamCallbacks cb = bound;
        if (cb == null) {
            l.ch.close();
            return;
        }
        cb.onPoolReady(this);
    }

    void startFailed(String detail) {
        UpstreamCallbacks cb = bound;
        bound = null;
        dropReplay();
        if (cb != null) {
            cb.onPoolFailure(PoolFailure.CONNECT_FAILURE, detail);
        }
    }

    /** A new stream channel for a refused request: write what was recorded, and go on there. */
    void resumeOn(Leg l) {
        waitingReplay = false;
        if (bound == null) {
            l.ch.close();
            return;
        }
        boolean autoRead = leg == null || leg.ch.config().isAutoRead();
        leg = l;
        l.ch.config().setAutoRead(autoRead);
        ArrayDeque<Object> msgs = replay;
        replay = new ArrayDeque<>(msgs.size());
        replayBytes = 0;
        Object m;
        while ((m = msgs.poll()) != null) {
            l.ch.write(m, l.ch.voidPromise()); // recorded again on the way out
        }
        l.ch.flush();
    }

    void replayFailed(String detail) {
        waitingReplay = false;
        UpstreamCallbacks cb = bound;
        bound = null;
        dropReplay();
        if (cb != null) {
            cb.onUpstreamReset(UpstreamReset.REMOTE_REFUSED_STREAM);
        }
    }

    @Override
    public Channel channel() {
        return leg.ch;
    }

    @Override
    public void release(boolean reusable) {
        bound = null;
        dropReplay();
        if (waitingReplay) {
            waitingReplay = false;
            pool.cancelReplay(this);
        }
        if (!reusable && leg != null) {
            leg.ch.close(); // resets the stream if it is still open
        }
    }

    @Override
    public void upgrade() {
        // HTTP/2 has no 101 upgrade.
    }

    private static boolean bodyless(HttpRequest r) {
        return !HttpUtil.isTransferEncodingChunked(r) && HttpUtil.getContentLength(r, 0L) == 0;
    }

    private void record(Object msg) {
        if (msg instanceof LastHttpContent) {
            requestComplete = true;
        }
        if (replay == null || !(msg instanceof HttpObject)) {
            return;
        }
        if (msg instanceof ByteBufHolder h) {
            replayBytes += h.content().readableBytes();
            if (replayBytes > REPLAY_LIMIT) {
                dropReplay();
                return;
            }
            replay.add(h.retainedDuplicate());
        } else {
            replay.add(msg);
        }
    }

    private void dropReplay() {
        ArrayDeque<Object> r = replay;
        replay = null;
        if (r != null) {
            Object m;
            while ((m = r.poll()) != null) {
                ReferenceCountUtil.release(m);
            }
        }
    }

    /** The handler of one stream channel (the first, or one the request was sent again on). */
    final class Leg extends ChannelDuplexHandler {
        private final Http2Pool.Conn conn;
        Channel ch;
        private Http2Error reset;
        private boolean closed;

        Leg(Http2Pool.Conn conn) {
            this.conn = conn;
        }

        private boolean current() {
            return leg == this;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            ch = ctx.channel();
        }

        /** A request without a body, held until its (empty) end so both go out as one HEADERS frame. */
        private HttpRequest heldRequest;

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (current()) {
                record(msg);
            }
            if (heldRequest != null) {
                HttpRequest r = heldRequest;
                heldRequest = null;
                if (msg instanceof LastHttpContent last
                        && !(msg instanceof HttpRequest)
                        && !last.content().isReadable()
                        && last.trailingHeaders().isEmpty()) {
                    // HEADERS with END_STREAM, as Envoy sends a bodyless request (not HEADERS and an empty DATA).
                    last.release();
                    ctx.write(
                            new DefaultFullHttpRequest(
                                    r.protocolVersion(),
                                    r.method(),
                                    r.uri(),
                                    Unpooled.EMPTY_BUFFER,
                                    r.headers(),
                                    EmptyHttpHeaders.INSTANCE),
                            promise);
                    return;
                }
                ctx.write(r, ctx.voidPromise());
            }
            if (msg instanceof HttpRequest r && !(msg instanceof HttpContent) && promise.isVoid() && bodyless(r)) {
                heldRequest = r;
                return;
            }
            ctx.write(msg, promise);
        }

        /** See {@link dev.trellis.proxy.http2.FlushAfterRead}: the WINDOW_UPDATE a read writes must go out. */
        @Override
        public void read(ChannelHandlerContext ctx) {
            ctx.read();
            ctx.flush();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            UpstreamCallbacks cb = bound;
            if (cb == null || !current()) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (!responseStarted) {
                responseStarted = true;
                dropReplay(); // the server took the stream: it is not sent again
            }
            if (msg instanceof HttpObject obj) {
                if (skippingInterim) {
                    if (obj instanceof LastHttpContent) {
                        skippingInterim = false;
                    }
                    ReferenceCountUtil.release(msg);
                    return;
                }
                if (obj instanceof HttpResponse r && r.status().code() == HttpResponseStatus.CONTINUE.code()) {
                    skippingInterim = !(obj instanceof LastHttpContent);
                    ReferenceCountUtil.release(msg);
                    return;
                }
                cb.onUpstreamMessage(obj);
                return;
            }
            if (msg instanceof ByteBuf b) {
                b.release();
                return;
            }
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof Http2ResetFrame r) {
                reset = Http2Error.valueOf(r.errorCode());
            }
            // GOAWAY notices for this stream are read from the connection state when the stream closes.
            ReferenceCountUtil.release(evt);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            UpstreamCallbacks cb = bound;
            if (cb != null && current()) {
                cb.onUpstreamReadComplete();
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            UpstreamCallbacks cb = bound;
            if (cb != null && current()) {
                cb.onUpstreamWritabilityChanged(ctx.channel().isWritable());
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (closed) {
                return;
            }
            closed = true;
            pool.streamClosed(conn);
            UpstreamCallbacks cb = bound;
            if (cb == null || !current()) {
                return;
            }
            if (!responseStarted && replay != null && replays < MAX_REPLAYS && refused()) {
                replays++;
                waitingReplay = true;
                if (pool.replay(UpstreamH2Stream.this, requestComplete)) {
                    return;
                }
                waitingReplay = false;
            }
            bound = null;
            dropReplay();
            cb.onUpstreamReset(reason());
        }

        /** Whether the server certainly did not process this stream, so sending it again is safe. */
        private boolean refused() {
            if (reset == Http2Error.REFUSED_STREAM) {
                return true;
            }
            Http2FrameStream s = ((Http2StreamChannel) ch).stream();
            if (s.id() <= 0 || s.state() == Http2Stream.State.IDLE) {
                return true; // never created: nothing was sent
            }
            Http2Connection c = conn.codec.connection();
            return reset == null && c.goAwayReceived() && s.id() > c.local().lastStreamKnownByPeer();
        }

        private UpstreamReset reason() {
            if (reset != null) {
                return reset == Http2Error.REFUSED_STREAM
                        ? UpstreamReset.REMOTE_REFUSED_STREAM
                        : UpstreamReset.REMOTE_RESET;
            }
            return conn.ch.isActive() ? UpstreamReset.REMOTE_RESET : UpstreamReset.CONNECTION_TERMINATION;
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
