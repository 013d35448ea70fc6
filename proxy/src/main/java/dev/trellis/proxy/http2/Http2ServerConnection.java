package dev.trellis.proxy.http2;

import dev.trellis.proxy.http.HcmConfig;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2PingFrame;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The connection-level side of a downstream HTTP/2 connection (its streams are handled one by one by the connection
 * manager). It sits after the multiplexer and owns what concerns the connection as a whole:
 *
 * <ul>
 *   <li>Draining as Envoy does: a first GOAWAY with the largest stream id tells the client to open no new streams
 *       while streams racing with it are still accepted; after the connection manager's {@code drain_timeout} the
 *       final GOAWAY names the real last stream id, the streams in flight finish, and then the connection closes.
 *   <li>{@code common_http_protocol_options.idle_timeout}: a connection without streams for that long is drained.
 *   <li>{@code max_connection_duration}: the connection is drained when it is reached.
 *   <li>{@code http2_protocol_options.connection_keepalive}: PINGs, and an abrupt close when one is not answered.
 * </ul>
 */
public final class Http2ServerConnection extends ChannelInboundHandlerAdapter {
    private final HcmConfig cfg;
    private final Http2Options options;
    private final Http2FrameCodec codec;
    private final Http2CodecStats codecStats;
    private ChannelHandlerContext ctx;
    private boolean started;
    private boolean draining;
    private boolean closeWhenDone;
    private int activeStreams;
    private ScheduledFuture<?> idleTimer;
    private ScheduledFuture<?> durationTimer;
    private ScheduledFuture<?> drainTimer;
    private Http2Keepalive.Pinger pinger;

    public Http2ServerConnection(HcmConfig cfg, Http2Options options, Http2FrameCodec codec) {
        this.cfg = cfg;
        this.options = options;
        this.codec = codec;
        this.codecStats = codec instanceof CountingCodec c ? c.stats() : null;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (ctx.channel().isActive()) {
            start();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        start();
        ctx.fireChannelActive();
    }

    private void start() {
        if (started) {
            return;
        }
        started = true;
        options.afterPreface(ctx, codec);
        codec.connection().addListener(new Http2ConnectionAdapter() {
            @Override
            public void onStreamActive(Http2Stream stream) {
                activeStreams++;
                if (idleTimer != null) {
                    idleTimer.cancel(false);
                    idleTimer = null;
                }
            }

            @Override
            public void onStreamClosed(Http2Stream stream) {
                activeStreams--;
                if (activeStreams == 0) {
                    if (closeWhenDone) {
                        // After the stream's last frames: the close flushes them before its GOAWAY and close.
                        ctx.executor().execute(() -> ctx.channel().close());
                    } else {
                        armIdle();
                    }
                }
            }
        });
        armIdle();
        if (options.keepalive() != null) {
            // Closed from the codec's own context: past the codec, so without its graceful GOAWAY shutdown.
            ChannelHandlerContext codecCtx = ctx.pipeline().context(codec);
            pinger = options.keepalive().start(ctx, () -> {
                if (codecStats != null) {
                    codecStats.keepaliveTimeout.inc();
                }
                codecCtx.close();
            });
        }
        if (cfg.maxConnectionDurationMs() > 0) {
            durationTimer = ctx.executor()
                    .schedule(
                            () -> {
                                cfg.stats().cxMaxDurationReached.inc();
                                drain();
                            },
                            cfg.maxConnectionDurationMs(),
                            TimeUnit.MILLISECONDS);
        }
    }

    private void armIdle() {
        if (cfg.idleTimeoutMs() > 0 && !draining && idleTimer == null) {
            idleTimer = ctx.executor()
                    .schedule(
                            () -> {
                                idleTimer = null;
                                if (activeStreams == 0) {
                                    cfg.stats().cxIdleTimeout.inc();
                                    drain();
                                }
                            },
                            cfg.idleTimeoutMs(),
                            TimeUnit.MILLISECONDS);
        }
    }

    /** Starts the graceful drain (listener drained or removed, shutdown, idle or duration limit). Idempotent. */
    public void drain() {
        if (draining || !ctx.channel().isActive()) {
            return;
        }
        draining = true;
        // The largest id: no stream is refused yet, so requests the client sent before it saw this still run.
        ctx.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR).setExtraStreamIds(Integer.MAX_VALUE));
        drainTimer =
                ctx.executor().schedule(this::finishDrain, Math.max(0, cfg.drainTimeoutMs()), TimeUnit.MILLISECONDS);
    }

    /**
     * The final GOAWAY names the last stream the client opened: later ones are refused (the client may retry them
     * elsewhere). The connection closes when the streams in flight are done (or when the listener's drain time ends
     * and it is closed from outside).
     */
    private void finishDrain() {
        if (!ctx.channel().isActive()) {
            return;
        }
        ctx.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR));
        closeWhenDone = true;
        if (activeStreams == 0) {
            ctx.channel().close();
        }
    }

    public boolean draining() {
        return draining;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        // Connection-level frames (SETTINGS, PING, GOAWAY) the codec already acted on.
        if (pinger != null && msg instanceof Http2PingFrame ping) {
            pinger.onPing(ping);
        }
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel(idleTimer);
        cancel(durationTimer);
        cancel(drainTimer);
        if (pinger != null) {
            pinger.stop();
        }
        ctx.fireChannelInactive();
    }

    private static void cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }

    @Override
    public void channelUnregistered(ChannelHandlerContext ctx) {
        ctx.fireChannelUnregistered();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (Http2CodecUtil.getEmbeddedHttp2Exception(cause) != null) {
            // A connection error the codec reports before handling it: it sends the GOAWAY with the error's code
            // (ENHANCE_YOUR_CALM for a flood, PROTOCOL_ERROR ...) and closes. Closing here first would say NO_ERROR.
            return;
        }
        if (cause instanceof java.io.IOException) {
            // The transport failed (the client reset the connection): closed from the codec's own context, past its
            // close, which would write a GOAWAY nobody can read (Envoy sends none to a peer that is gone).
            ctx.pipeline().context(codec).close();
            return;
        }
        ctx.close();
    }
}
