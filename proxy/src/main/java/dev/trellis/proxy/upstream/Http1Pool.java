package dev.trellis.proxy.upstream;

import dev.trellis.proxy.cluster.Cluster;
import dev.trellis.proxy.cluster.Host;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import java.util.ArrayDeque;

/**
 * HTTP/1.1 connections to one host from one event loop. Idle connections are reused most-recently-used first (warm
 * ones stay warm, cold ones time out). A request that finds none opens a new connection if {@code max_connections}
 * allows, else waits as pending (bounded by {@code max_pending_requests}) for a connection to come free.
 */
public final class Http1Pool {
    private final EventLoop loop;
    private final Cluster cluster;
    private final Host host;
    private final Bootstrap bootstrap;
    private final ArrayDeque<UpstreamHttp1> idle = new ArrayDeque<>();
    private final ArrayDeque<UpstreamCallbacks> waiting = new ArrayDeque<>();
    private int open;
    private boolean draining;

    Http1Pool(EventLoop loop, Cluster cluster, Host host, Class<? extends Channel> channelClass) {
        this.loop = loop;
        this.cluster = cluster;
        this.host = host;
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channel(channelClass)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)
                        Math.min(Integer.MAX_VALUE, cluster.connectTimeoutMs()))
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024))
                .option(ChannelOption.AUTO_READ, true);
        if (!host.isPipe()) {
            bootstrap.option(ChannelOption.TCP_NODELAY, true); // no such option on a unix socket
        }
    }

    public Cluster cluster() {
        return cluster;
    }

    public Host host() {
        return host;
    }

    /** Gives {@code cb} a connection now or later (via its callbacks). Must run on this pool's event loop. */
    public void acquire(UpstreamCallbacks cb) {
        UpstreamHttp1 c;
        while ((c = idle.pollLast()) != null) {
            if (c.usable()) {
                c.bind(cb);
                cb.onPoolReady(c);
                return;
            }
        }
        var breakers = cluster.circuitBreakers();
        if (!breakers.tryAcquirePending()) {
            cluster.stats().rqPendingOverflow.inc();
            cb.onPoolFailure(PoolFailure.OVERFLOW, "pending requests overflow");
            return;
        }
        cluster.stats().rqPendingActive.inc();
        if (!breakers.tryAcquireConnection()) {
            cluster.stats().cxOverflow.inc();
            waiting.add(cb);
            return;
        }
        connect(cb);
    }

    /** The request gave up while waiting (e.g. the client left). */
    public void cancel(UpstreamCallbacks cb) {
        if (waiting.remove(cb)) {
            cluster.circuitBreakers().releasePending();
            cluster.stats().rqPendingActive.dec();
        }
    }

    private void connect(UpstreamCallbacks cb) {
        open++;
        cluster.stats().cxTotal.inc();
        cluster.stats().cxActive.inc();
        UpstreamHttp1 conn = new UpstreamHttp1(this);
        ChannelFuture f = bootstrap
                .clone()
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline()
                                .addLast(
                                        "codec",
                                        new HttpClientCodec(
                                                new HttpDecoderConfig()
                                                        .setMaxInitialLineLength(16384)
                                                        .setMaxHeaderSize(96 * 1024)
                                                        .setMaxChunkSize(64 * 1024)
                                                        .setValidateHeaders(false),
                                                false,
                                                false))
                                .addLast("upstream", conn);
                    }
                })
                .connect(host.address());
        f.addListener(done -> {
            cluster.circuitBreakers().releasePending();
            cluster.stats().rqPendingActive.dec();
            if (done.isSuccess()) {
                conn.bind(cb);
                cb.onPoolReady(conn);
            } else {
                boolean timeout = done.cause() instanceof ConnectTimeoutException;
                (timeout ? cluster.stats().cxConnectTimeout : cluster.stats().cxConnectFail).inc();
                String msg = done.cause() == null
                        ? "connection failure"
                        : done.cause().getMessage();
                cb.onPoolFailure(timeout ? PoolFailure.CONNECT_TIMEOUT : PoolFailure.CONNECT_FAILURE, msg);
            }
        });
    }

    void released(UpstreamHttp1 c) {
        UpstreamCallbacks next = waiting.poll();
        if (next != null) {
            cluster.circuitBreakers().releasePending();
            cluster.stats().rqPendingActive.dec();
            c.bind(next);
            next.onPoolReady(c);
            return;
        }
        if (draining) {
            c.close();
            return;
        }
        idle.addLast(c);
        c.startIdleTimer(cluster.idleTimeoutMs());
    }

    void closed(UpstreamHttp1 c) {
        idle.remove(c);
        open--;
        cluster.stats().cxActive.dec();
        cluster.stats().cxDestroy.inc();
        cluster.circuitBreakers().releaseConnection();
        // A slot came free: a waiting request may connect now.
        UpstreamCallbacks next = waiting.poll();
        if (next != null) {
            if (cluster.circuitBreakers().tryAcquireConnection()) {
                connect(next);
            } else {
                waiting.addFirst(next);
            }
        }
    }

    /**
     * The host left its cluster, or the cluster was replaced or removed (Envoy drains the pools then): idle connections
     * close now, busy ones once their request completes; requests already waiting here are still served. No new
     * request reaches a draining pool: {@link Pools} has dropped it.
     */
    void drain() {
        draining = true;
        UpstreamHttp1 c;
        while ((c = idle.pollFirst()) != null) {
            c.close();
        }
    }

    public int idleCount() {
        return idle.size();
    }

    public int openCount() {
        return open;
    }

    EventLoop loop() {
        return loop;
    }
}
