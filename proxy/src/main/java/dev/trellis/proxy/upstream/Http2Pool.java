package dev.trellis.proxy.upstream;

import dev.trellis.proxy.cluster.Cluster;
import dev.trellis.proxy.cluster.Host;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * One multiplexed HTTP/2 (prior knowledge, h2c) connection to a host from one event loop. Requests open streams on it;
 * requests that arrive while it connects wait. A GOAWAY or close retires the connection; the next request opens a new
 * one.
 */
public final class Http2Pool {
    private final Cluster cluster;
    private final Host host;
    private final Bootstrap bootstrap;
    private Channel connection;
    private boolean connecting;
    private final ArrayDeque<UpstreamCallbacks> waiting = new ArrayDeque<>();
    private io.netty.util.concurrent.ScheduledFuture<?> idleTimer;
    private int activeStreams;

    Http2Pool(EventLoop loop, Cluster cluster, Host host, Class<? extends Channel> channelClass) {
        this.cluster = cluster;
        this.host = host;
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channel(channelClass)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)
                        Math.min(Integer.MAX_VALUE, cluster.connectTimeoutMs()));
    }

    public Cluster cluster() {
        return cluster;
    }

    public void acquire(UpstreamCallbacks cb) {
        if (connection != null && connection.isActive()) {
            open(cb);
            return;
        }
        if (!cluster.circuitBreakers().tryAcquirePending()) {
            cluster.stats().rqPendingOverflow.inc();
            cb.onPoolFailure(PoolFailure.OVERFLOW, "pending requests overflow");
            return;
        }
        cluster.stats().rqPendingActive.inc();
        waiting.add(cb);
        if (!connecting) {
            connect();
        }
    }

    public void cancel(UpstreamCallbacks cb) {
        if (waiting.remove(cb)) {
            cluster.circuitBreakers().releasePending();
            cluster.stats().rqPendingActive.dec();
        }
    }

    private void connect() {
        if (!cluster.circuitBreakers().tryAcquireConnection()) {
            cluster.stats().cxOverflow.inc();
            failWaiting(PoolFailure.OVERFLOW, "connection overflow");
            return;
        }
        connecting = true;
        cluster.stats().cxTotal.inc();
        cluster.stats().cxActive.inc();
        ChannelFuture f = bootstrap
                .clone()
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline()
                                .addLast(Http2FrameCodecBuilder.forClient()
                                        .initialSettings(
                                                Http2Settings.defaultSettings().initialWindowSize(1 << 20))
                                        .build())
                                .addLast(new Http2MultiplexHandler(new ChannelInboundHandlerAdapter() {
                                    @Override
                                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                        ReferenceCountUtil.release(msg); // server push is not used
                                    }
                                }))
                                .addLast(new ChannelInboundHandlerAdapter() {
                                    @Override
                                    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                                        ctx.fireUserEventTriggered(evt);
                                    }

                                    @Override
                                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                        if (msg instanceof Http2GoAwayFrame) {
                                            retire(ctx.channel());
                                        }
                                        ReferenceCountUtil.release(msg);
                                    }
                                });
                    }
                })
                .connect(host.address());
        f.addListener(done -> {
            connecting = false;
            if (!done.isSuccess()) {
                cluster.stats().cxActive.dec();
                cluster.circuitBreakers().releaseConnection();
                boolean timeout = done.cause() instanceof ConnectTimeoutException;
                (timeout ? cluster.stats().cxConnectTimeout : cluster.stats().cxConnectFail).inc();
                failWaiting(
                        timeout ? PoolFailure.CONNECT_TIMEOUT : PoolFailure.CONNECT_FAILURE,
                        done.cause() == null
                                ? "connection failure"
                                : done.cause().getMessage());
                return;
            }
            Channel ch = f.channel();
            connection = ch;
            ch.closeFuture().addListener(x -> {
                cluster.stats().cxActive.dec();
                cluster.stats().cxDestroy.inc();
                cluster.circuitBreakers().releaseConnection();
                if (connection == ch) {
                    connection = null;
                }
            });
            UpstreamCallbacks cb;
            while ((cb = waiting.poll()) != null) {
                cluster.circuitBreakers().releasePending();
                cluster.stats().rqPendingActive.dec();
                open(cb);
            }
        });
    }

    private void retire(Channel ch) {
        if (connection == ch) {
            connection = null;
        }
    }

    private void failWaiting(PoolFailure failure, String detail) {
        UpstreamCallbacks cb;
        while ((cb = waiting.poll()) != null) {
            cluster.circuitBreakers().releasePending();
            cluster.stats().rqPendingActive.dec();
            cb.onPoolFailure(failure, detail);
        }
    }

    private void open(UpstreamCallbacks cb) {
        Channel parent = connection;
        if (idleTimer != null) {
            idleTimer.cancel(false);
            idleTimer = null;
        }
        activeStreams++;
        UpstreamH2Stream stream = new UpstreamH2Stream(this, cb);
        new Http2StreamChannelBootstrap(parent)
                .handler(new ChannelInitializer<Http2StreamChannel>() {
                    @Override
                    protected void initChannel(Http2StreamChannel ch) {
                        ch.pipeline()
                                .addLast(new Http2StreamFrameToHttpObjectCodec(false))
                                .addLast(stream);
                    }
                })
                .open()
                .addListener(done -> {
                    if (done.isSuccess()) {
                        cb.onPoolReady(stream);
                    } else {
                        streamClosed();
                        cb.onPoolFailure(PoolFailure.CONNECT_FAILURE, "cannot open stream: " + done.cause());
                    }
                });
    }

    void streamClosed() {
        activeStreams--;
        Channel c = connection;
        if (activeStreams == 0 && c != null && cluster.idleTimeoutMs() > 0) {
            idleTimer = c.eventLoop()
                    .schedule(
                            () -> {
                                if (activeStreams == 0) {
                                    retire(c);
                                    c.close();
                                }
                            },
                            cluster.idleTimeoutMs(),
                            TimeUnit.MILLISECONDS);
        }
    }
}
