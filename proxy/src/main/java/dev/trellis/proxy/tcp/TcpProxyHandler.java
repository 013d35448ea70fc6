package dev.trellis.proxy.tcp;

import dev.trellis.proxy.cluster.Cluster;
import dev.trellis.proxy.cluster.Host;
import dev.trellis.proxy.http.ConnectionInfo;
import dev.trellis.proxy.lb.LbContext;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/** The downstream half of a TCP relay; it opens and owns the upstream half. */
public final class TcpProxyHandler extends ChannelInboundHandlerAdapter {
    private final TcpProxyConfig cfg;
    private final ConnectionInfo info;
    private Channel downstream;
    private Channel upstream;
    private Cluster cluster;
    private Host host;
    private java.util.ArrayDeque<ByteBuf> early;

    public TcpProxyHandler(TcpProxyConfig cfg, ConnectionInfo info) {
        this.cfg = cfg;
        this.info = info;
    }

    /** Installs the relay (and its idle timer) on an accepted connection. */
    public static void install(Channel ch, TcpProxyConfig cfg, ConnectionInfo info) {
        ch.config().setAutoRead(false);
        if (cfg.idleTimeoutMs() > 0) {
            ch.pipeline().addLast("idle", new IdleStateHandler(0, 0, cfg.idleTimeoutMs(), TimeUnit.MILLISECONDS));
        }
        TcpProxyHandler h = new TcpProxyHandler(cfg, info);
        ch.pipeline().addLast("tcp_proxy", h);
        if (ch.isActive()) {
            // Installed after a listener filter inspected the first bytes: the connection is already open.
            h.channelActive(ch.pipeline().context(h));
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        downstream = ctx.channel();
        cfg.cxTotal().inc();
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
        var channelClass = cfg.context().transport().channelFor(host);
        if (channelClass == null) {
            // A unix-socket endpoint without epoll: nothing can reach it.
            cluster.stats().cxConnectFail.inc();
            downstream.close();
            return;
        }
        Bootstrap b = new Bootstrap()
                .group(downstream.eventLoop())
                .channel(channelClass)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)
                        Math.min(Integer.MAX_VALUE, cluster.connectTimeoutMs()))
                .handler(new Upstream());
        if (!host.isPipe()) {
            b.option(ChannelOption.TCP_NODELAY, true);
        }
        b.connect(host.address()).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                cluster.stats().cxConnectFail.inc();
                downstream.close();
                return;
            }
            upstream = f.channel();
            if (!downstream.isActive()) {
                upstream.close();
                return;
            }
            if (early != null) {
                ByteBuf held;
                while ((held = early.poll()) != null) {
                    cfg.bytesRx().add(held.readableBytes());
                    upstream.write(held, upstream.voidPromise());
                }
                upstream.flush();
            }
            downstream.config().setAutoRead(true);
            upstream.config().setAutoRead(true);
        });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf buf)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (upstream == null) {
            // Bytes a listener filter read before the upstream connected: hold them (reading is paused).
            if (early == null) {
                early = new java.util.ArrayDeque<>(2);
            }
            early.add(buf);
            return;
        }
        cfg.bytesRx().add(buf.readableBytes());
        upstream.write(buf, upstream.voidPromise());
        if (!upstream.isWritable()) {
            downstream.config().setAutoRead(false);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (upstream != null) {
            upstream.flush();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (upstream != null) {
            upstream.config().setAutoRead(downstream.isWritable());
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            ctx.close();
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (early != null) {
            ByteBuf b;
            while ((b = early.poll()) != null) {
                b.release();
            }
        }
        if (upstream != null) {
            // Half-close is not relayed: flush what we have, then close, as Envoy's tcp_proxy does.
            upstream.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
        if (host != null) {
            host = null;
            cluster.circuitBreakers().releaseConnection();
            cluster.stats().cxActive.dec();
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
            cfg.bytesTx().add(buf.readableBytes());
            downstream.write(buf, downstream.voidPromise());
            if (!downstream.isWritable()) {
                ctx.channel().config().setAutoRead(false);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            downstream.flush();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            downstream.config().setAutoRead(ctx.channel().isWritable());
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            downstream.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
