package dev.trellis.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The downstream side of an HTTP/1.1 connection (or of one HTTP/2 stream, which arrives as the same {@code HttpObject}s
 * on its own child channel). One stream at a time: pipelined requests wait, decoded, in a queue with reading paused,
 * and run in order as responses complete.
 *
 * <p>Timeouts share one timer per connection that fires at the earliest deadline and re-arms itself, so the request
 * path does not schedule and cancel tasks per request.
 */
public final class HttpConnectionHandler extends ChannelInboundHandlerAdapter {
    /** Read-blocking reasons; reading resumes when none is left. */
    public static final int BLOCK_PIPELINE = 1;

    public static final int BLOCK_UPSTREAM_BACKPRESSURE = 2;
    public static final int BLOCK_CONNECTING = 4;

    private final HcmConfig cfg;
    private final ConnectionInfo info;
    private final boolean http2Stream;
    private final Runnable onClose;
    private ChannelHandlerContext ctx;
    private Channel ch;
    private HttpStream current;
    private ArrayDeque<Object> queued;
    private int blocks;
    private boolean closing;
    private boolean closed;
    private boolean upgraded;
    private int requests;
    private final long openedNanos = System.nanoTime();
    private long idleSince = openedNanos;
    private long headersStartedAt;
    private ScheduledFuture<?> timer;
    private long timerAt = Long.MAX_VALUE;

    public HttpConnectionHandler(HcmConfig cfg, ConnectionInfo info, boolean http2Stream, Runnable onClose) {
        this.cfg = cfg;
        this.info = info;
        this.http2Stream = http2Stream;
        this.onClose = onClose;
    }

    HcmConfig config() {
        return cfg;
    }

    ConnectionInfo info() {
        return info;
    }

    Channel channel() {
        return ch;
    }

    boolean isHttp2() {
        return http2Stream;
    }

    boolean closingAfterResponse() {
        return closing || (cfg.maxRequestsPerConnection() > 0 && requests >= cfg.maxRequestsPerConnection());
    }

    /**
     * Graceful drain (listener update or removal, max connection duration): the current request finishes and its
     * response says {@code Connection: close}. An idle keep-alive connection is not closed at once: its client may
     * already have sent the next request, which a close would drop unanswered. As Envoy does, it is closed after the
     * HCM's {@code drain_timeout} if it is still idle; a request arriving meanwhile is served, then the connection
     * closes.
     */
    public void drain() {
        if (closing) {
            return;
        }
        closing = true;
        if (current == null && ch != null) {
            ch.eventLoop()
                    .schedule(
                            () -> {
                                if (current == null) {
                                    ch.close();
                                }
                            },
                            cfg.drainTimeoutMs(),
                            TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.ch = ctx.channel();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (!http2Stream) {
            cfg.stats().cxTotal.inc();
            cfg.stats().cxActive.inc();
            cfg.stats().cxHttp1Total.inc();
        }
        armIdle();
        ctx.fireChannelActive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (ch.isActive()) {
            return;
        }
        cleanup();
    }

    // ---- inbound ------------------------------------------------------------------------------------------------

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (upgraded) {
            if (msg instanceof ByteBuf b && current != null) {
                current.onDownstreamRaw(b);
            } else {
                ReferenceCountUtil.release(msg);
            }
            return;
        }
        if (current != null && current.requestComplete() || queued != null && !queued.isEmpty()) {
            enqueue(msg);
            return;
        }
        dispatch(msg);
    }

    private void enqueue(Object msg) {
        if (queued == null) {
            queued = new ArrayDeque<>(4);
        }
        queued.add(msg);
        block(BLOCK_PIPELINE);
    }

    private void dispatch(Object msg) {
        if (msg instanceof io.netty.handler.codec.http.FullHttpRequest full) {
            // HTTP/2 requests ending with their headers arrive whole: split them so the request is forwarded once
            // and its (empty) body and trailers follow as content.
            HttpRequest head = new io.netty.handler.codec.http.DefaultHttpRequest(
                    full.protocolVersion(), full.method(), full.uri(), full.headers());
            head.setDecoderResult(full.decoderResult());
            splitting = true;
            dispatch(head);
            splitting = false;
            dispatch(new io.netty.handler.codec.http.DefaultLastHttpContent(full.content(), full.trailingHeaders()));
            return;
        }
        if (msg instanceof HttpRequest req && http2Stream) {
            // From HTTP/2: drop the codec's extension headers; a body of unknown length is chunked on HTTP/1.1.
            var h = req.headers();
            h.remove("x-http2-stream-id");
            h.remove("x-http2-scheme");
            h.remove("x-http2-stream-dependency-id");
            h.remove("x-http2-stream-weight");
            if (!(msg instanceof HttpContent)
                    && !splitting
                    && !io.netty.handler.codec.http.HttpUtil.isContentLengthSet(req)) {
                io.netty.handler.codec.http.HttpUtil.setTransferEncodingChunked(req, true);
            }
        }
        if (msg instanceof HttpRequest req) {
            if (req.decoderResult().isFailure()) {
                badRequest(req.decoderResult().cause());
                ReferenceCountUtil.release(msg);
                return;
            }
            if (closed) {
                ReferenceCountUtil.release(msg);
                return;
            }
            requests++;
            headersStartedAt = 0;
            current = new HttpStream(this, req);
            armStreamTimers();
            current.start();
        }
        if (msg instanceof HttpContent c) {
            if (c.decoderResult().isFailure()) {
                HttpStream s = current;
                c.release();
                if (s != null && !s.isDone()) {
                    s.sendLocalReply(400, ResponseFlag.DPE, "malformed request body");
                }
                closeAfterFlush();
                return;
            }
            HttpStream s = current;
            if (s == null) {
                c.release();
                return;
            }
            s.onRequestContent(c);
            return;
        }
        if (!(msg instanceof HttpObject)) {
            ReferenceCountUtil.release(msg);
        }
    }

    private void badRequest(Throwable cause) {
        cfg.stats().cxProtocolError.inc();
        boolean tooLarge = cause instanceof TooLongFrameException;
        if (tooLarge) {
            cfg.stats().rqHeadersTooLarge.inc();
        }
        int code = tooLarge ? 431 : 400;
        String body = tooLarge ? "request headers too large" : "malformed request: " + cause.getMessage();
        FullHttpResponse r = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(code),
                Unpooled.wrappedBuffer(body.getBytes(StandardCharsets.UTF_8)));
        r.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/plain")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes())
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
                .set(HttpHeaderNames.SERVER, cfg.serverName())
                .set(HttpHeaderNames.DATE, DateCache.now());
        (tooLarge ? cfg.stats().rq4xx : cfg.stats().rq4xx).inc();
        closed = true;
        if (current != null && !current.isDone()) {
            current.onDownstreamReset();
        }
        ch.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        HttpStream s = current;
        if (s != null) {
            s.onDownstreamReadComplete();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        HttpStream s = current;
        if (s != null) {
            s.onDownstreamWritabilityChanged(ch.isWritable());
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cleanup();
        ctx.fireChannelInactive();
    }

    private void cleanup() {
        if (closed && current == null && timer == null && queued == null) {
            if (!counted) {
                countClose();
            }
            return;
        }
        closed = true;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        HttpStream s = current;
        if (s != null) {
            s.onDownstreamReset();
        }
        if (queued != null) {
            Object m;
            while ((m = queued.poll()) != null) {
                ReferenceCountUtil.release(m);
            }
            queued = null;
        }
        if (!counted) {
            countClose();
        }
    }

    private boolean counted;
    private boolean splitting;

    private void countClose() {
        counted = true;
        if (!http2Stream) {
            cfg.stats().cxActive.dec();
        }
        if (onClose != null) {
            onClose.run();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (LOG.enabled(dev.trellis.proxy.log.LogLevel.DEBUG)) {
            LOG.debug("downstream connection error", cause);
        }
        ch.close();
    }

    private static final dev.trellis.proxy.log.Log LOG = dev.trellis.proxy.log.Log.of(HttpConnectionHandler.class);

    // ---- used by the stream -------------------------------------------------------------------------------------

    void write(Object msg) {
        if (closed && !ch.isActive()) {
            ReferenceCountUtil.release(msg);
            return;
        }
        ctx.write(msg, ctx.voidPromise());
    }

    void flush() {
        ctx.flush();
    }

    void writeInterim(HttpResponse r) {
        ctx.writeAndFlush(r, ctx.voidPromise());
    }

    void writeUpgrade(HttpResponse r) {
        ctx.write(r, ctx.voidPromise());
        ctx.write(io.netty.handler.codec.http.LastHttpContent.EMPTY_LAST_CONTENT, ctx.voidPromise());
        ctx.flush();
        upgraded = true;
        HttpServerCodec codec = ch.pipeline().get(HttpServerCodec.class);
        if (codec != null) {
            // Bytes the decoder still holds are passed on as raw ByteBufs when it leaves the pipeline.
            ch.pipeline().remove(codec);
        }
    }

    void block(int reason) {
        boolean was = blocks == 0;
        blocks |= reason;
        if (was) {
            ch.config().setAutoRead(false);
        }
    }

    void unblock(int reason) {
        if ((blocks & reason) == 0) {
            return;
        }
        blocks &= ~reason;
        if (blocks == 0 && !closed) {
            ch.config().setAutoRead(true);
        }
    }

    private void closeAfterFlush() {
        if (LOG.enabled(dev.trellis.proxy.log.LogLevel.DEBUG)) {
            LOG.debug("closing downstream " + ch, new Throwable("close"));
        }
        closed = true;
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    void streamComplete(HttpStream s, boolean closeConnection) {
        if (current != s) {
            return;
        }
        current = null;
        idleSince = System.nanoTime();
        unblock(BLOCK_CONNECTING | BLOCK_UPSTREAM_BACKPRESSURE);
        if (closeConnection || closing || http2Stream || closingAfterResponse()) {
            if (queued != null) {
                Object m;
                while ((m = queued.poll()) != null) {
                    ReferenceCountUtil.release(m);
                }
            }
            if (ch.isActive()) {
                closeAfterFlush();
            } else {
                closed = true;
            }
            return;
        }
        // Run pipelined requests that arrived meanwhile, until one is still in flight.
        while (queued != null && !queued.isEmpty() && (current == null || !current.requestComplete())) {
            dispatch(queued.poll());
        }
        if (queued == null || queued.isEmpty()) {
            unblock(BLOCK_PIPELINE);
        }
        if (current == null) {
            armIdle();
        }
    }

    /** Called by a byte-level hook before the codec: the first byte of a request starts request_headers_timeout. */
    public void onBytesBeforeHeaders() {
        if (current == null && headersStartedAt == 0 && cfg.requestHeadersTimeoutMs() > 0) {
            headersStartedAt = System.nanoTime();
            armTimer(headersStartedAt + cfg.requestHeadersTimeoutMs() * 1_000_000L);
        }
    }

    // ---- timers -------------------------------------------------------------------------------------------------

    private void armIdle() {
        if (cfg.idleTimeoutMs() > 0 && !http2Stream) {
            armTimer(idleSince + cfg.idleTimeoutMs() * 1_000_000L);
        }
        if (cfg.maxConnectionDurationMs() > 0 && !http2Stream) {
            armTimer(openedNanos + cfg.maxConnectionDurationMs() * 1_000_000L);
        }
    }

    private void armStreamTimers() {
        long now = current.lastActivity;
        if (cfg.streamIdleTimeoutMs() > 0) {
            armTimer(now + cfg.streamIdleTimeoutMs() * 1_000_000L);
        }
        if (cfg.requestTimeoutMs() > 0) {
            armTimer(now + cfg.requestTimeoutMs() * 1_000_000L);
        }
    }

    /** Makes sure the connection's timer fires no later than {@code deadline} (System.nanoTime based). */
    void armTimer(long deadline) {
        if (timer != null && deadline >= timerAt) {
            return;
        }
        if (timer != null) {
            timer.cancel(false);
        }
        timerAt = deadline;
        long delay = Math.max(0, deadline - System.nanoTime());
        timer = ch.eventLoop().schedule(this::onTimer, delay, TimeUnit.NANOSECONDS);
    }

    private void onTimer() {
        timer = null;
        timerAt = Long.MAX_VALUE;
        if (closed || !ch.isActive()) {
            return;
        }
        long now = System.nanoTime();
        long next = Long.MAX_VALUE;
        if (cfg.maxConnectionDurationMs() > 0 && !http2Stream) {
            long d = openedNanos + cfg.maxConnectionDurationMs() * 1_000_000L;
            if (now >= d) {
                cfg.stats().cxMaxDurationReached.inc();
                drain();
                if (closed || current == null) {
                    return;
                }
            } else {
                next = Math.min(next, d);
            }
        }
        HttpStream s = current;
        if (s == null) {
            if (headersStartedAt != 0 && cfg.requestHeadersTimeoutMs() > 0) {
                long d = headersStartedAt + cfg.requestHeadersTimeoutMs() * 1_000_000L;
                if (now >= d) {
                    cfg.stats().rqTimeout.inc();
                    ch.close();
                    return;
                }
                next = Math.min(next, d);
            }
            if (cfg.idleTimeoutMs() > 0 && !http2Stream) {
                long d = idleSince + cfg.idleTimeoutMs() * 1_000_000L;
                if (now >= d) {
                    cfg.stats().cxIdleTimeout.inc();
                    ch.close();
                    return;
                }
                next = Math.min(next, d);
            }
        } else {
            if (s.routeDeadline != 0) {
                if (now >= s.routeDeadline) {
                    s.routeDeadline = 0;
                    s.onTimeout(ResponseFlag.UT, 504, "upstream request timeout");
                    rearm(now);
                    return;
                }
                next = Math.min(next, s.routeDeadline);
            }
            if (cfg.requestTimeoutMs() > 0 && !s.requestComplete()) {
                long d = s.startNanos() + cfg.requestTimeoutMs() * 1_000_000L;
                if (now >= d) {
                    cfg.stats().rqTimeout.inc();
                    s.onTimeout(ResponseFlag.DT, 408, "request timeout");
                    rearm(now);
                    return;
                }
                next = Math.min(next, d);
            }
            long idleMs = s.idleTimeoutOverrideMs >= 0 ? s.idleTimeoutOverrideMs : cfg.streamIdleTimeoutMs();
            if (idleMs > 0) {
                long d = s.lastActivity + idleMs * 1_000_000L;
                if (now >= d) {
                    cfg.stats().rqIdleTimeout.inc();
                    s.onTimeout(ResponseFlag.SI, 408, "stream timeout");
                    rearm(now);
                    return;
                }
                next = Math.min(next, d);
            }
        }
        if (next != Long.MAX_VALUE) {
            armTimer(next);
        }
    }

    private void rearm(long now) {
        if (!closed && ch.isActive()) {
            armTimer(now + 1_000_000L);
        }
    }
}
