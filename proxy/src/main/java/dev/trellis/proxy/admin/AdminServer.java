package dev.trellis.proxy.admin;

import dev.trellis.proxy.server.ProxyServer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/** The admin HTTP server. */
public final class AdminServer implements AutoCloseable {
    private final ProxyServer server;
    private final AdminEndpoints endpoints;
    private Channel channel;

    public AdminServer(ProxyServer server) {
        this.server = server;
        this.endpoints = new AdminEndpoints(server);
    }

    public InetSocketAddress start(InetSocketAddress address, EventLoopGroup group) {
        if (!address.getAddress().isLoopbackAddress()) {
            throw new dev.trellis.proxy.config.ConfigException(
                    "admin address " + address + ": the admin interface only binds to loopback (127.0.0.0/8 or ::1)");
        }
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(server.context().transport().serverChannel())
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline()
                                .addLast(new HttpServerCodec())
                                .addLast(new HttpObjectAggregator(1 << 20))
                                .addLast(new Handler());
                    }
                });
        try {
            channel = b.bind(address).syncUninterruptibly().channel();
        } catch (Exception e) {
            throw new dev.trellis.proxy.config.ConfigException("admin: cannot bind " + address + ": " + e.getMessage());
        }
        return (InetSocketAddress) channel.localAddress();
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            QueryStringDecoder q = new QueryStringDecoder(req.uri());
            AdminEndpoints.Reply r;
            try {
                r = endpoints.handle(req.method(), q.path(), q.parameters());
            } catch (RuntimeException e) {
                r = new AdminEndpoints.Reply(500, "text/plain", "error: " + e.getMessage() + "\n", null);
            }
            FullHttpResponse resp = new DefaultFullHttpResponse(
                    HttpVersion.HTTP_1_1,
                    HttpResponseStatus.valueOf(r.status()),
                    Unpooled.copiedBuffer(r.body(), StandardCharsets.UTF_8));
            resp.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, r.contentType())
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, resp.content().readableBytes())
                    .set("cache-control", "no-cache, max-age=0")
                    .set("x-content-type-options", "nosniff");
            boolean keepAlive = HttpUtil.isKeepAlive(req) && r.after() == null;
            var f = ctx.writeAndFlush(resp);
            if (!keepAlive) {
                f.addListener(ChannelFutureListener.CLOSE);
            }
            Runnable after = r.after();
            if (after != null) {
                f.addListener(x -> after.run());
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    static boolean isPost(HttpMethod m) {
        return m.equals(HttpMethod.POST);
    }

    @Override
    public void close() {
        if (channel != null) {
            channel.close().awaitUninterruptibly();
        }
    }
}
