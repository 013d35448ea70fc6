package dev.trellis.proxy.upstream;

import dev.trellis.proxy.cluster.Cluster;
import dev.trellis.proxy.cluster.Host;
import dev.trellis.proxy.http2.Http2CodecStats;
import dev.trellis.proxy.http2.Http2Keepalive;
import dev.trellis.proxy.http2.Http2Options;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2PingFrame;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Multiplexed HTTP/2 (prior knowledge, h2c) connections to one host from one event loop, as Envoy's HTTP/2 pool:
 *
 * <ul>
 *   <li>A connection carries at most {@code min(max_concurrent_streams of the cluster's http2_protocol_options, the
 *       server's SETTINGS_MAX_CONCURRENT_STREAMS)} streams, and at most {@code max_requests_per_connection} in its
 *       life. When every connection is full another one is opened (within the {@code max_connections} circuit
 *       breaker); past that, requests wait as pending requests (within {@code max_pending_requests}).
 *   <li>A connection takes streams once the server's SETTINGS arrived (within {@code connect_timeout}), so the
 *       server's stream limit is known before the first stream is opened.
 *   <li>A GOAWAY from the server drains the connection: no new streams on it, streams up to its last-stream-id finish,
 *       and the connection closes once they are done. Streams the server did not process (above the last-stream-id,
 *       refused with REFUSED_STREAM, or never created) are sent again on another connection, which RFC 9113 allows;
 *       see {@link UpstreamH2Stream}.
 *   <li>{@code idle_timeout}: a connection without streams for that long is closed; {@code connection_keepalive}
 *       PINGs it and closes it when a PING goes unanswered.
 * </ul>
 */
public final class Http2Pool {

    private final Cluster cluster;
    private final Host host;
    private final Bootstrap bootstrap;
    private final Http2Options options;
    /** Connections that take new streams once ready: connecting, or ready and not draining. */
    private final List<Conn> conns = new ArrayList<>(2);

    private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
    private boolean draining;

    /** A request waiting for a stream: a new one (counted as pending) or one sent again after a refusal. */
    private interface Pending {
        void assign(Conn c);

        void fail(PoolFailure failure, String detail);
    }

    Http2Pool(EventLoop loop, Cluster cluster, Host host, Class<? extends Channel> channelClass) {
        this.cluster = cluster;
        this.host = host;
        this.options = optionsOf(cluster);
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channel(channelClass)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)
                        Math.min(Integer.MAX_VALUE, cluster.connectTimeoutMs()));
        if (!host.isPipe()) {
            bootstrap.option(ChannelOption.TCP_NODELAY, true); // no such option on a unix socket
        }
    }

    private static Http2Options optionsOf(Cluster cluster) {
        return cluster.http2Options() == null ? Http2Options.DEFAULTS : cluster.http2Options();
    }

    public Cluster cluster() {
        return cluster;
    }

    /** The compiled upstream HTTP/2 options (for tests and the admin views). */
    public Http2Options options() {
        return options;
    }

    /** Connections that take new streams (connecting or ready, not draining). */
    public int connections() {
        return conns.size();
    }

    public void acquire(UpstreamCallbacks cb) {
        Conn c = available();
        if (c != null) {
            open(c, cb);
            return;
        }
        if (!cluster.circuitBreakers().tryAcquirePending()) {
            cluster.stats().rqPendingOverflow.inc();
            cb.onPoolFailure(PoolFailure.OVERFLOW, "pending requests overflow");
            return;
        }
        cluster.stats().rqPendingActive.inc();
        waiting.add(new Acquire(cb));
        connectIfNeeded();
    }

    public void cancel(UpstreamCallbacks cb) {
        for (Iterator<Pending> it = waiting.iterator(); it.hasNext(); ) {
            if (it.next() instanceof Acquire a && a.cb == cb) {
                it.remove();
                a.leavePending();
                return;
            }
        }
    }

    private final class Acquire implements Pending {
        final UpstreamCallbacks cb;

        Acquire(UpstreamCallbacks cb) {
            this.cb = cb;
        }

        void leavePending() {
            cluster.circuitBreakers().releasePending();
            cluster.stats().rqPendingActive.dec();
        }

        @Override
        public void assign(Conn c) {
            leavePending();
            open(c, cb);
        }

        @Override
        public void fail(PoolFailure failure, String detail) {
            leavePending();
            cb.onPoolFailure(failure, detail);
        }
    }

    private record Replay(UpstreamH2Stream stream) implements Pending {
        @Override
        public void assign(Conn c) {
            c.pool().openChild(c, stream, true);
        }

        @Override
        public void fail(PoolFailure failure, String detail) {
            stream.replayFailed(detail);
        }
    }

    private Conn available() {
        for (int i = 0; i < conns.size(); i++) {
            Conn c = conns.get(i);
            if (c.capacity() > 0) {
                return c;
            }
        }
        return null;
    }

    /** Opens a connection when the ones still connecting cannot take every waiting request. */
    private void connectIfNeeded() {
        if (waiting.isEmpty()) {
            return;
        }
        long connecting = 0;
        for (Conn c : conns) {
            if (!c.ready) {
                connecting += c.streamLimit();
            }
        }
        if (waiting.size() <= connecting) {
            return;
        }
        if (!cluster.circuitBreakers().tryAcquireConnection()) {
            cluster.stats().cxOverflow.inc();
            if (conns.isEmpty()) {
                failWaiting(PoolFailure.OVERFLOW, "connection overflow");
            }
            // Otherwise the waiting requests take streams as the open connections free them.
            return;
        }
        connect();
    }

    private void connect() {
        cluster.stats().cxTotal.inc();
        cluster.stats().cxActive.inc();
        Http2CodecStats codecStats = cluster.stats().http2.get();
        Http2FrameCodec codec = options.codec(false, 0xFFFF_FFFFL, codecStats);
        Conn conn = new Conn(codec, codecStats);
        conns.add(conn);
        ChannelFuture f = bootstrap
                .clone()
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline()
                                .addLast(codec)
                                .addLast(new Http2MultiplexHandler(new ChannelInboundHandlerAdapter() {
                                    @Override
                                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                        ReferenceCountUtil.release(msg); // server push is disabled
                                    }
                                }))
                                .addLast(conn);
                    }
                })
                .connect(host.address());
        conn.ch = f.channel();
        f.addListener(done -> {
            if (!done.isSuccess()) {
                conns.remove(conn);
                cluster.stats().cxActive.dec();
                cluster.circuitBreakers().releaseConnection();
                boolean timeout = done.cause() instanceof ConnectTimeoutException;
                (timeout ? cluster.stats().cxConnectTimeout : cluster.stats().cxConnectFail).inc();
                connectFailed(
                        timeout ? PoolFailure.CONNECT_TIMEOUT : PoolFailure.CONNECT_FAILURE,
                        done.cause() == null
                                ? "connection failure"
                                : done.cause().getMessage());
                return;
            }
            conn.connected();
        });
    }

    /** A connection failed before it took streams: its waiting requests fail unless another one is connecting. */
    private void connectFailed(PoolFailure failure, String detail) {
        for (Conn c : conns) {
            if (!c.ready) {
                return;
            }
        }
        if (available() != null) {
            dispatch();
            return;
        }
        failWaiting(failure, detail);
    }

    private void failWaiting(PoolFailure failure, String detail) {
        Pending p;
        while ((p = waiting.poll()) != null) {
            p.fail(failure, detail);
        }
    }

    /** Gives free streams to waiting requests, and opens connections for those still waiting. */
    private void dispatch() {
        while (!waiting.isEmpty()) {
            Conn c = available();
            if (c == null) {
                break;
            }
            waiting.poll().assign(c);
        }
        if (draining && waiting.isEmpty()) {
            retireAllIfDrained();
            return;
        }
        connectIfNeeded();
    }

    private void open(Conn c, UpstreamCallbacks cb) {
        UpstreamH2Stream stream = new UpstreamH2Stream(this, cb);
        openChild(c, stream, false);
    }

    /** Opens a stream channel on {@code c} for {@code stream}: a new request, or one sent again after a refusal. */
    void openChild(Conn c, UpstreamH2Stream stream, boolean replay) {
        c.streamOpened();
        UpstreamH2Stream.Leg leg = stream.newLeg(c);
        Future<Http2StreamChannel> f = new Http2StreamChannelBootstrap(c.ch)
                .handler(new ChannelInitializer<Http2StreamChannel>() {
                    @Override
                    protected void initChannel(Http2StreamChannel ch) {
                        ch.pipeline()
                                .addLast(new Http2StreamFrameToHttpObjectCodec(false))
                                .addLast(leg);
                    }
                })
                .open();
        f.addListener(done -> {
            if (done.isSuccess()) {
                if (replay) {
                    stream.resumeOn(leg);
                } else {
                    stream.start(leg);
                }
            } else {
                streamClosed(c);
                if (replay) {
                    stream.replayFailed("cannot open stream: " + done.cause());
                } else {
                    stream.startFailed("cannot open stream: " + done.cause());
                }
            }
        });
    }

    /**
     * Sends a refused stream again. With its request still arriving it must move at once (its next body parts are
     * written to the new stream channel), so it only moves to a connection with a free stream now; a complete request
     * may also wait for one.
     *
     * @return false when the stream cannot be sent again (the caller reports the reset)
     */
    boolean replay(UpstreamH2Stream stream, boolean requestComplete) {
        Conn c = available();
        if (c != null) {
            openChild(c, stream, true);
            return true;
        }
        if (!requestComplete) {
            return false;
        }
        waiting.add(new Replay(stream));
        connectIfNeeded();
        return true;
    }

    void cancelReplay(UpstreamH2Stream stream) {
        waiting.removeIf(p -> p instanceof Replay r && r.stream() == stream);
    }

    void streamClosed(Conn c) {
        c.active--;
        if (c.draining) {
            if (c.active == 0) {
                c.ch.close();
            }
            return;
        }
        if (c.maxedOut()) {
            retire(c);
            return;
        }
        if (c.active == 0) {
            c.armIdle();
        }
        dispatch();
    }

    /**
     * The host left its cluster, or the cluster changed (see {@link Pools#sweepCurrent}): every connection retires,
     * idle ones close now, busy ones when their streams end. Requests already waiting here are served first; the
     * connections retire once none waits. No new request reaches a draining pool: {@link Pools} has dropped it.
     */
    void drain() {
        draining = true;
        retireAllIfDrained();
    }

    private void retireAllIfDrained() {
        // retire() removes the connection from conns (and dispatches, which may come back here): take the head.
        while (draining && waiting.isEmpty() && !conns.isEmpty()) {
            retire(conns.get(0));
        }
    }

    /** No new streams on {@code c}; it closes when its streams are done. */
    private void retire(Conn c) {
        c.draining = true;
        conns.remove(c);
        c.cancelTimer();
        if (c.active == 0) {
            c.ch.close();
        }
        dispatch();
    }

    /** One connection: the last handler of its pipeline, after the codec and the stream multiplexer. */
    final class Conn extends ChannelInboundHandlerAdapter {
        final Http2FrameCodec codec;
        final Http2CodecStats codecStats;
        Channel ch;
        boolean ready;
        boolean draining;
        int active;
        long opened;
        private ScheduledFuture<?> timer;
        private boolean closed;
        private Http2Keepalive.Pinger pinger;

        Conn(Http2FrameCodec codec, Http2CodecStats codecStats) {
            this.codec = codec;
            this.codecStats = codecStats;
        }

        Http2Pool pool() {
            return Http2Pool.this;
        }

        long streamLimit() {
            long limit = options.maxConcurrentStreams();
            if (ready) {
                limit = Math.min(limit, codec.connection().local().maxActiveStreams());
            }
            return limit;
        }

        int capacity() {
            if (!ready || draining || !ch.isActive() || codec.connection().goAwayReceived()) {
                return 0;
            }
            long free = streamLimit() - active;
            int maxRequests = cluster.maxRequestsPerConnection();
            if (maxRequests > 0) {
                free = Math.min(free, maxRequests - opened);
            }
            return (int) Math.max(0, Math.min(Integer.MAX_VALUE, free));
        }

        boolean maxedOut() {
            int maxRequests = cluster.maxRequestsPerConnection();
            return maxRequests > 0 && opened >= maxRequests;
        }

        void streamOpened() {
            active++;
            opened++;
            cancelTimer();
        }

        void connected() {
            ch.closeFuture().addListener(x -> closed());
            // The server's SETTINGS (and with them its stream limit) must arrive within the connect timeout.
            timer = ch.eventLoop()
                    .schedule(
                            () -> {
                                timer = null;
                                if (!ready) {
                                    cluster.stats().cxConnectTimeout.inc();
                                    failure = PoolFailure.CONNECT_TIMEOUT;
                                    failureDetail = "no SETTINGS from the server within the connect timeout";
                                    ch.close();
                                }
                            },
                            cluster.connectTimeoutMs(),
                            TimeUnit.MILLISECONDS);
        }

        private PoolFailure failure = PoolFailure.CONNECT_FAILURE;
        private String failureDetail = "connection closed before the server's SETTINGS";

        void armIdle() {
            if (cluster.idleTimeoutMs() > 0 && timer == null && ch.isActive()) {
                timer = ch.eventLoop()
                        .schedule(
                                () -> {
                                    timer = null;
                                    if (active == 0) {
                                        conns.remove(this);
                                        draining = true;
                                        ch.close();
                                    }
                                },
                                cluster.idleTimeoutMs(),
                                TimeUnit.MILLISECONDS);
            }
        }

        void cancelTimer() {
            if (timer != null) {
                timer.cancel(false);
                timer = null;
            }
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            options.afterPreface(ctx, codec);
            if (options.keepalive() != null) {
                // Closed from the codec's own context: past the codec, so without its graceful GOAWAY shutdown.
                ChannelHandlerContext codecCtx = ctx.pipeline().context(codec);
                pinger = options.keepalive().start(ctx, () -> {
                    codecStats.keepaliveTimeout.inc();
                    codecCtx.close();
                });
            }
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof Http2SettingsFrame) {
                    if (!ready) {
                        ready = true;
                        cancelTimer();
                    }
                    if (!draining) {
                        dispatch(); // the stream limit may have changed
                    }
                } else if (msg instanceof Http2GoAwayFrame) {
                    if (!draining) {
                        retire(this);
                    }
                } else if (msg instanceof Http2PingFrame ping && pinger != null) {
                    pinger.onPing(ping);
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void closed() {
            if (closed) {
                return;
            }
            closed = true;
            cancelTimer();
            if (pinger != null) {
                pinger.stop();
            }
            cluster.stats().cxActive.dec();
            cluster.stats().cxDestroy.inc();
            cluster.circuitBreakers().releaseConnection();
            boolean wasReady = ready;
            boolean wasTaking = conns.remove(this);
            if (!wasReady && wasTaking) {
                connectFailed(failure, failureDetail);
            } else {
                dispatch();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (Http2CodecUtil.getEmbeddedHttp2Exception(cause) != null) {
                return; // the codec sends its GOAWAY with the error's code and closes (closing first says NO_ERROR)
            }
            if (cause instanceof java.io.IOException) {
                // The transport failed: no GOAWAY for a peer that is gone (closing past the codec, which would write
                // one).
                ctx.pipeline().context(codec).close();
                return;
            }
            ctx.close();
        }
    }
}
