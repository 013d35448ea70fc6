package dev.trellis.proxy.tcp;

import dev.trellis.proxy.cluster.Cluster;
import dev.trellis.proxy.cluster.Host;
import dev.trellis.proxy.http.ConnectionInfo;
import dev.trellis.proxy.lb.LbContext;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The downstream half of a TCP relay; it opens and owns the upstream half.
 *
 * <p>Each connection picks its data path once the upstream connected: {@link SpliceRelay} (zero-copy, kernel only)
 * when both sides are plain epoll sockets with nothing in their pipelines that must see the bytes, else the copy path
 * through Netty buffers (NIO transport, no native access, and later TLS transport sockets, which must encrypt). Both
 * paths relay half-close like Envoy's tcp_proxy (a FIN from one side becomes a FIN to the other while the opposite
 * direction keeps flowing; the connection closes when both directions ended), apply backpressure, reset the idle
 * timeout on traffic either way and count bytes exactly.
 */
public final class TcpProxyHandler extends ChannelInboundHandlerAdapter {
    /** Handlers that never touch the relayed bytes; any other handler in either pipeline forces the copy path. */
    private static final Map<Class<?>, Boolean> PASSIVE =
            Map.of(IdleStateHandler.class, true, TcpProxyHandler.class, true, Upstream.class, true);

    private final TcpProxyConfig cfg;
    private final ConnectionInfo info;
    private Channel downstream;
    private Channel upstream;
    private Cluster cluster;
    private Host host;
    /** Bytes read before the data path started (listener filters, or Netty's read on a FIN), in order. */
    private ArrayDeque<ByteBuf> early;

    private ArrayDeque<ByteBuf> earlyFromUpstream;
    private boolean downstreamInputShut;
    private boolean upstreamInputShut;
    private SpliceRelay relay;

    private enum Path {
        PENDING,
        SPLICE,
        COPY
    }

    private Path path = Path.PENDING;
    private String copyReason = "";
    private long received;
    private long sent;
    /** Null without access logs. */
    private final TcpConnectionLog log;

    private ScheduledFuture<?> logFlush;
    /** The connection's event loop, kept because the splice relay deregisters the channel from it. */
    private EventExecutor loop;

    public TcpProxyHandler(TcpProxyConfig cfg, ConnectionInfo info) {
        this.cfg = cfg;
        this.info = info;
        this.log = cfg.accessLogs().isEmpty()
                ? null
                : new TcpConnectionLog(cfg.accessLogs(), info, this::bytesReceived, this::bytesSent);
    }

    /** Installs the relay (and its idle timer) on an accepted connection. */
    public static void install(Channel ch, TcpProxyConfig cfg, ConnectionInfo info) {
        ch.config().setAutoRead(false);
        // Envoy's tcp_proxy enables half-close on both connections; without this Netty closes on the first FIN.
        ch.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        if (cfg.idleTimeoutMs() > 0) {
            ch.pipeline().addLast("idle", new IdleStateHandler(0, 0, cfg.idleTimeoutMs(), TimeUnit.MILLISECONDS));
        }
        TcpProxyHandler h = new TcpProxyHandler(cfg, info);
        ch.pipeline().addLast("tcp_proxy", h);
        if (ch.isActive()) {
            // Installed after a listener filter inspected the first bytes (or on an accepted socket that is already
            // connected): start now; channelActive ignores a second call.
            h.channelActive(ch.pipeline().context(h));
        }
    }

    /** Bytes received from downstream so far (Envoy's {@code %BYTES_RECEIVED%}). Event loop only. */
    public long bytesReceived() {
        return received;
    }

    /** Bytes sent to downstream so far (Envoy's {@code %BYTES_SENT%}). Event loop only. */
    public long bytesSent() {
        return sent;
    }

    /** "splice", "copy: why not splice", or "pending" before the upstream connected. */
    public String dataPath() {
        return switch (path) {
            case PENDING -> "pending";
            case SPLICE -> "splice";
            case COPY -> "copy: " + copyReason;
        };
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (downstream != null) {
            // install() already started us on an open connection; Netty's own channelActive may follow.
            return;
        }
        downstream = ctx.channel();
        cfg.cxTotal().inc();
        if (log != null && cfg.accessLogFlushIntervalMs() > 0) {
            // Envoy's access_log_flush_interval: runs from the connection's start, re-armed after each line.
            loop = ctx.executor();
            scheduleLogFlush();
        }
        String name = cfg.clusters().get(0);
        if (cfg.clusters().size() > 1) {
            int[] cum = cfg.cumulativeWeights();
            int r = ThreadLocalRandom.current().nextInt(cum[cum.length - 1]);
            int i = 0;
            while (r >= cum[i]) {
                i++;
            }
            name = cfg.clusters().get(i);
        }
        cluster = cfg.context().clusters().get(name);
        host = cluster == null ? null : cluster.choose(LbContext.NONE, info.originalDestination());
        if (host == null || !cluster.circuitBreakers().tryAcquireConnection()) {
            if (log != null) {
                if (cluster != null) {
                    log.cluster(name);
                }
                // Envoy's tcp_proxy: NC without the cluster, UH without a host, UO over max_connections.
                log.flag(
                        cluster == null
                                ? TcpConnectionLog.NC
                                : host == null ? TcpConnectionLog.UH : TcpConnectionLog.UO);
            }
            cfg.noRoute().inc();
            if (cluster != null && host == null) {
                cluster.stats().noHealthyUpstream.inc();
            }
            host = null;
            downstream.close();
            return;
        }
        cluster.stats().cxTotal.inc();
        cluster.stats().cxActive.inc();
        if (log != null) {
            log.cluster(name);
        }
        // channelInactive clears the field (and may run before the connect completes).
        Host chosen = host;
        var channelClass = cfg.context().transport().channelFor(host);
        if (channelClass == null) {
            // A unix-socket endpoint without epoll: nothing can reach it.
            connectFailed(chosen);
            cluster.stats().cxConnectFail.inc();
            downstream.close();
            return;
        }
        Bootstrap b = new Bootstrap()
                .group(downstream.eventLoop())
                .channel(channelClass)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)
                        Math.min(Integer.MAX_VALUE, cluster.connectTimeoutMs()))
                .handler(new Upstream());
        if (!host.isPipe()) {
            b.option(ChannelOption.TCP_NODELAY, true);
        }
        b.connect(host.address()).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                connectFailed(chosen);
                cluster.stats().cxConnectFail.inc();
                downstream.close();
                return;
            }
            upstream = f.channel();
            if (!downstream.isActive()) {
                upstream.close();
                return;
            }
            if (log != null) {
                log.upstreamHost(chosen.addressString());
                log.upstreamLocal(upstream.localAddress());
                if (cfg.flushAccessLogOnConnected()) {
                    log.write(TcpConnectionLog.CONNECTED);
                }
            }
            connected();
        });
    }

    /**
     * Envoy's flags for a failed connect: UF, and URX because the only attempt ({@code max_connect_attempts} defaults
     * to 1 and no retry is made) is used up.
     */
    private void connectFailed(Host chosen) {
        if (log != null) {
            // Envoy names the host whose connect failed.
            log.upstreamHost(chosen.addressString());
            log.flag(TcpConnectionLog.UF | TcpConnectionLog.URX);
        }
    }

    /** On the connection's event loop, also while the splice relay holds the channels deregistered from it. */
    private void flushLog() {
        if (downstream.isActive()) {
            log.write(TcpConnectionLog.PERIODIC);
            scheduleLogFlush();
        }
    }

    private void scheduleLogFlush() {
        logFlush = loop.schedule(this::flushLog, cfg.accessLogFlushIntervalMs(), TimeUnit.MILLISECONDS);
    }

    private void connected() {
        ChannelFuture flushed = flushEarly();
        String why = downstreamInputShut ? "downstream half-closed before the upstream connected" : null;
        if (why == null) {
            why = SpliceRelay.blocker(downstream, upstream, PASSIVE);
        }
        if (why != null) {
            startCopy(why);
            return;
        }
        // Splicing writes to the socket directly: whatever Netty still queues for it must be out first.
        if (flushed == null || flushed.isDone()) {
            startSplice();
        } else {
            flushed.addListener(f -> startSplice());
        }
    }

    /** Writes the bytes held for the upstream; the returned future completes once they left. */
    private ChannelFuture flushEarly() {
        ChannelFuture last = null;
        if (early != null && !early.isEmpty()) {
            ByteBuf held;
            while ((held = early.poll()) != null) {
                count(true, held.readableBytes());
                upstream.write(held, upstream.voidPromise());
            }
            last = upstream.writeAndFlush(Unpooled.EMPTY_BUFFER);
        }
        if (earlyFromUpstream != null && !earlyFromUpstream.isEmpty()) {
            ByteBuf held;
            while ((held = earlyFromUpstream.poll()) != null) {
                count(false, held.readableBytes());
                downstream.write(held, downstream.voidPromise());
            }
            ChannelFuture d = downstream.writeAndFlush(Unpooled.EMPTY_BUFFER);
            if (last == null || last.isDone()) {
                last = d;
            } else {
                ChannelFuture u = last;
                last = d.isDone() ? u : combine(u, d);
            }
        }
        return last;
    }

    private ChannelFuture combine(ChannelFuture a, ChannelFuture b) {
        var p = downstream.newPromise();
        ChannelFutureListener both = f -> {
            if (a.isDone() && b.isDone()) {
                p.trySuccess();
            }
        };
        a.addListener(both);
        b.addListener(both);
        return p;
    }

    private void startSplice() {
        if (!downstream.isActive() || !upstream.isActive()) {
            return;
        }
        if (!isEmpty(early) || !isEmpty(earlyFromUpstream) || downstreamInputShut || upstreamInputShut) {
            // Netty read more (a FIN arrived) while the first bytes were being flushed.
            flushEarly();
            startCopy("the peer sent a FIN before the splice relay started");
            return;
        }
        relay = SpliceRelay.start(downstream, upstream, cfg.idleTimeoutMs(), new SpliceRelay.Listener() {
            @Override
            public void received(long n) {
                count(true, n);
            }

            @Override
            public void sent(long n) {
                count(false, n);
            }

            @Override
            public void released(boolean fallback) {
                relay = null;
                if (fallback) {
                    if (cfg.idleTimeoutMs() > 0 && downstream.pipeline().get("idle") == null) {
                        downstream
                                .pipeline()
                                .addFirst(
                                        "idle", new IdleStateHandler(0, 0, cfg.idleTimeoutMs(), TimeUnit.MILLISECONDS));
                    }
                    flushEarly();
                    startCopy("the peer sent a FIN while the splice relay was starting");
                }
            }
        });
        if (relay == null) {
            startCopy("no pipes for splice (descriptor limit?)");
        } else if (path == Path.PENDING) {
            path = Path.SPLICE;
        }
    }

    private void startCopy(String why) {
        path = Path.COPY;
        copyReason = why;
        if (downstreamInputShut) {
            relayFin(upstream);
        }
        if (upstreamInputShut) {
            relayFin(downstream);
        }
        if (!downstreamInputShut) {
            downstream.config().setAutoRead(true);
        }
        if (!upstreamInputShut) {
            upstream.config().setAutoRead(true);
        }
    }

    private void count(boolean fromDownstream, long n) {
        if (fromDownstream) {
            received += n;
            cfg.bytesRx().add(n);
        } else {
            sent += n;
            cfg.bytesTx().add(n);
        }
    }

    /** Sends a FIN to {@code ch} once what is queued for it left; closes both once both directions ended. */
    private void relayFin(Channel ch) {
        if (downstreamInputShut && upstreamInputShut) {
            downstream.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            upstream.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) f -> {
            if (f.isSuccess() && ch instanceof DuplexChannel d) {
                d.shutdownOutput();
            } else {
                ch.close();
            }
        });
    }

    /** Holds bytes Netty read while the splice relay was starting; the connection then continues by copying. */
    private boolean holdWhileStarting(ByteBuf buf, boolean fromDownstream) {
        if (relay == null || !relay.starting()) {
            return false;
        }
        relay.fallBackIfStarting();
        if (buf != null) {
            ArrayDeque<ByteBuf> q;
            if (fromDownstream) {
                q = early == null ? (early = new ArrayDeque<>(2)) : early;
            } else {
                q = earlyFromUpstream == null ? (earlyFromUpstream = new ArrayDeque<>(2)) : earlyFromUpstream;
            }
            q.add(buf);
        }
        return true;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf buf)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (path != Path.COPY) {
            if (!holdWhileStarting(buf, true)) {
                // Bytes a listener filter (or Netty's read on a FIN) delivered before the data path started.
                if (early == null) {
                    early = new ArrayDeque<>(2);
                }
                early.add(buf);
            }
            return;
        }
        count(true, buf.readableBytes());
        upstream.write(buf, upstream.voidPromise());
        if (!upstream.isWritable()) {
            downstream.config().setAutoRead(false);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (path == Path.COPY) {
            upstream.flush();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (path == Path.COPY && !upstreamInputShut) {
            upstream.config().setAutoRead(downstream.isWritable());
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            ctx.close();
        } else if (evt instanceof ChannelInputShutdownEvent) {
            downstreamInputShut = true;
            if (!holdWhileStarting(null, true) && path == Path.COPY) {
                relayFin(upstream);
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (log != null && downstream != null) {
            if (logFlush != null) {
                logFlush.cancel(false);
            }
            // One line per downstream connection when it closes; both data paths counted every byte by now.
            log.write(TcpConnectionLog.END);
        }
        release(early);
        release(earlyFromUpstream);
        if (upstream != null) {
            // Flush what is queued for the upstream, then close it.
            upstream.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
        if (host != null) {
            host = null;
            cluster.circuitBreakers().releaseConnection();
            cluster.stats().cxActive.dec();
        }
    }

    private static boolean isEmpty(ArrayDeque<ByteBuf> q) {
        return q == null || q.isEmpty();
    }

    private static void release(ArrayDeque<ByteBuf> q) {
        if (q != null) {
            ByteBuf b;
            while ((b = q.poll()) != null) {
                b.release();
            }
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    /** The upstream half. */
    private final class Upstream extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof ByteBuf buf) || !downstream.isActive()) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (holdWhileStarting(buf, false)) {
                return;
            }
            if (path != Path.COPY) {
                // Read on a FIN between connect and the data path's start: keep it for whichever path starts.
                if (earlyFromUpstream == null) {
                    earlyFromUpstream = new ArrayDeque<>(2);
                }
                earlyFromUpstream.add(buf);
                return;
            }
            count(false, buf.readableBytes());
            downstream.write(buf, downstream.voidPromise());
            if (!downstream.isWritable()) {
                ctx.channel().config().setAutoRead(false);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (path == Path.COPY) {
                downstream.flush();
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (path == Path.COPY && !downstreamInputShut) {
                downstream.config().setAutoRead(ctx.channel().isWritable());
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                upstreamInputShut = true;
                if (!holdWhileStarting(null, false) && path == Path.COPY) {
                    relayFin(downstream);
                }
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            release(earlyFromUpstream);
            downstream.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
