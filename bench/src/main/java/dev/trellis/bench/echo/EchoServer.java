package dev.trellis.bench.echo;

import dev.trellis.bench.net.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerAdapter;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http2.CleartextHttp2ServerUpgradeHandler;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ServerUpgradeCodec;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The echo server: HTTP/1.1, h2c (prior knowledge and {@code Upgrade: h2c}) and gRPC on one port, or a raw TCP echo.
 * Start it with {@link #start}; {@link #close} stops it.
 */
public final class EchoServer implements AutoCloseable {

    /** What the port speaks. */
    public enum Mode {
        HTTP,
        TCP
    }

    private final EventLoopGroup group;
    private final Channel channel;

    private EchoServer(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    /**
     * Binds {@code host:port} (port 0 picks a free one) and starts serving.
     *
     * @throws Exception when the address cannot be bound
     */
    public static EchoServer start(String host, int port, Mode mode, int threads) throws Exception {
        Transport transport = Transport.best();
        EventLoopGroup group = transport.newGroup(threads);
        try {
            ServerBootstrap b = new ServerBootstrap()
                    .group(group)
                    .channel(transport.serverChannel())
                    .option(ChannelOption.SO_BACKLOG, 4096)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            if (mode == Mode.TCP) {
                                ch.pipeline().addLast(new TcpEchoHandler());
                            } else {
                                configureHttp(ch.pipeline());
                            }
                        }
                    });
            Channel ch = b.bind(new InetSocketAddress(host, port)).sync().channel();
            return new EchoServer(group, ch);
        } catch (Exception e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw e;
        }
    }

    private static void configureHttp(ChannelPipeline p) {
        HttpServerCodec source = new HttpServerCodec();
        HttpServerUpgradeHandler upgrade = new HttpServerUpgradeHandler(
                source,
                protocol -> AsciiString.contentEquals(Http2CodecUtil.HTTP_UPGRADE_PROTOCOL_NAME, protocol)
                        ? new Http2ServerUpgradeCodec(http2Codec(), new Http2MultiplexHandler(streamInitializer()))
                        : null,
                Http2EchoStreamHandler.MAX_BODY);
        // Takes its own place in the pipeline (a ChannelInitializer would add at the end, behind the HTTP/1 switch).
        ChannelHandlerAdapter priorKnowledge = new ChannelHandlerAdapter() {
            @Override
            public void handlerAdded(ChannelHandlerContext ctx) {
                ctx.pipeline().addAfter(ctx.name(), "h2-codec", http2Codec());
                ctx.pipeline().addAfter("h2-codec", null, new Http2MultiplexHandler(streamInitializer()));
                ctx.pipeline().remove(this);
            }
        };
        p.addLast(new CleartextHttp2ServerUpgradeHandler(source, upgrade, priorKnowledge));
        // Reached only by HTTP/1.x that did not upgrade: switch this connection to the HTTP/1 echo.
        p.addLast(new SimpleChannelInboundHandler<HttpMessage>(false) {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, HttpMessage msg) {
                ChannelPipeline pipeline = ctx.pipeline();
                pipeline.addAfter(ctx.name(), null, new Http1EchoHandler());
                pipeline.replace(this, null, new HttpObjectAggregator(Http2EchoStreamHandler.MAX_BODY));
                ctx.fireChannelRead(msg);
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
                if (msg instanceof HttpMessage) {
                    super.channelRead(ctx, msg);
                } else {
                    ReferenceCountUtil.release(msg); // HTTP/2 connection-level frames nobody else wants
                }
            }
        });
    }

    private static io.netty.handler.codec.http2.Http2FrameCodec http2Codec() {
        return Http2FrameCodecBuilder.forServer()
                .initialSettings(Http2Settings.defaultSettings().maxConcurrentStreams(10_000))
                .build();
    }

    private static ChannelInitializer<Channel> streamInitializer() {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new Http2EchoStreamHandler());
            }
        };
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    /** Completes when the server channel closes. */
    public void awaitClose() throws InterruptedException {
        channel.closeFuture().await();
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
