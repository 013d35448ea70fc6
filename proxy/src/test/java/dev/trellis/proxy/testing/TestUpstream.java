package dev.trellis.proxy.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP/1.1 upstream for tests. It answers every request with a text body: its name, the method, the URI and the
 * request headers (one per line as {@code name: value}), then the request body. Paths steer it: {@code /status/N},
 * {@code /delay/MS}, {@code /chunked/N} (N chunks), {@code /close} (drop the connection), {@code /big/N} (N bytes),
 * {@code /ws} (answers 101 and then echoes raw bytes).
 */
public final class TestUpstream implements AutoCloseable {
    private final String name;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;
    public final AtomicInteger connections = new AtomicInteger();
    /** Connections open now. */
    public final AtomicInteger open = new AtomicInteger();

    public final AtomicInteger requests = new AtomicInteger();
    public final Map<String, String> lastHeaders = new ConcurrentHashMap<>();

    public TestUpstream(String name) {
        this.name = name;
        this.server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        connections.incrementAndGet();
                        open.incrementAndGet();
                        ch.closeFuture().addListener(f -> open.decrementAndGet());
                        ch.pipeline()
                                .addLast("codec", new HttpServerCodec())
                                .addLast("agg", new HttpObjectAggregator(1 << 20))
                                .addLast("app", new Handler());
                    }
                })
                .bind("127.0.0.1", 0)
                .syncUninterruptibly()
                .channel();
    }

    public int port() {
        return ((java.net.InetSocketAddress) server.localAddress()).getPort();
    }

    private final class Handler extends ChannelInboundHandlerAdapter {
        private boolean raw;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (raw) {
                ctx.writeAndFlush(msg);
                return;
            }
            FullHttpRequest req = (FullHttpRequest) msg;
            try {
                handle(ctx, req);
            } finally {
                req.release();
            }
        }

        private void handle(ChannelHandlerContext ctx, FullHttpRequest req) {
            requests.incrementAndGet();
            lastHeaders.clear();
            req.headers().forEach(e -> lastHeaders.put(e.getKey().toLowerCase(), e.getValue()));
            String uri = req.uri();
            StringBuilder body = new StringBuilder();
            body.append("upstream=").append(name).append('\n');
            body.append(req.method()).append(' ').append(uri).append('\n');
            req.headers().forEach(e -> body.append(e.getKey().toLowerCase())
                    .append(": ")
                    .append(e.getValue())
                    .append('\n'));
            body.append('\n').append(req.content().toString(StandardCharsets.UTF_8));
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            if (uri.startsWith("/close")) {
                ctx.close();
                return;
            }
            if (uri.startsWith("/ws")) {
                DefaultFullHttpResponse r =
                        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS);
                r.headers().set(HttpHeaderNames.UPGRADE, "websocket").set(HttpHeaderNames.CONNECTION, "Upgrade");
                ctx.writeAndFlush(r);
                ctx.pipeline().remove("agg");
                ctx.pipeline().remove("codec");
                raw = true;
                return;
            }
            if (uri.startsWith("/delay/")) {
                long ms = Long.parseLong(uri.substring(7).split("[/?]")[0]);
                ctx.executor().schedule(() -> send(ctx, 200, body.toString(), keepAlive), ms, TimeUnit.MILLISECONDS);
                return;
            }
            if (uri.startsWith("/chunked/")) {
                int n = Integer.parseInt(uri.substring(9).split("[/?]")[0]);
                DefaultHttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                r.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
                ctx.write(r);
                for (int i = 0; i < n; i++) {
                    ctx.write(new DefaultHttpContent(Unpooled.copiedBuffer("chunk" + i + ";", StandardCharsets.UTF_8)));
                }
                ctx.writeAndFlush(new DefaultLastHttpContent());
                return;
            }
            if (uri.startsWith("/big/")) {
                int n = Integer.parseInt(uri.substring(5).split("[/?]")[0]);
                byte[] b = new byte[n];
                java.util.Arrays.fill(b, (byte) 'x');
                FullHttpResponse r = new DefaultFullHttpResponse(
                        HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(b));
                HttpUtil.setContentLength(r, n);
                ctx.writeAndFlush(r);
                return;
            }
            int status = 200;
            if (uri.startsWith("/status/")) {
                status = Integer.parseInt(uri.substring(8).split("[/?]")[0]);
            }
            send(ctx, status, body.toString(), keepAlive);
        }

        private void send(ChannelHandlerContext ctx, int status, String body, boolean keepAlive) {
            ByteBuf content = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
            FullHttpResponse r =
                    new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), content);
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
            HttpUtil.setContentLength(r, content.readableBytes());
            var f = ctx.writeAndFlush(r);
            if (!keepAlive) {
                f.addListener(ChannelFutureListener.CLOSE);
            }
        }
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
