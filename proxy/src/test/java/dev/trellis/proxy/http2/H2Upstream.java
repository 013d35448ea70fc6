package dev.trellis.proxy.http2;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;

/**
 * A real HTTP/2 (h2c) server for the tests, behaving by path:
 *
 * <ul>
 *   <li>{@code /hold}: answers once {@link #release()} is called;
 *   <li>{@code /reset-before}: resets the stream (INTERNAL_ERROR) without answering; {@code /reset-after}: sends
 *       200 headers and a first body part, then resets;
 *   <li>{@code /refuse-once}: the first such stream on the server is refused with REFUSED_STREAM; {@code
 *       /goaway-refuse}: the first such stream gets a GOAWAY whose last-stream-id is below it (not processed);
 *   <li>{@code /goaway-after}: answered, then the connection is told GOAWAY (last-stream-id = this stream);
 *   <li>{@code /early}: answers at once, before the request ends;
 *   <li>{@code /slow-read}: does not read the request body until {@link #startReading()}, then answers with the size
 *       and CRC32 of what it read;
 *   <li>{@code /big?n=N}: answers N bytes, writing only while the stream is writable (counts {@link #sentBytes()});
 *   <li>anything else: 200 with body {@code "<path> conn=<connection number> len=<request body length>"}.
 * </ul>
 */
public final class H2Upstream implements AutoCloseable {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger refuseOnce = new AtomicInteger();
    private final AtomicInteger goAwayRefuse = new AtomicInteger();
    final List<String> resetsSeen = new CopyOnWriteArrayList<>();
    final List<String> paths = new CopyOnWriteArrayList<>();
    private final List<Channel> parents = new CopyOnWriteArrayList<>();
    private final List<Runnable> held = new CopyOnWriteArrayList<>();
    private final List<Http2StreamChannel> slowReaders = new CopyOnWriteArrayList<>();
    private volatile boolean holdReleased;
    private volatile boolean reading;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicInteger openStreams = new AtomicInteger();
    private final AtomicLong received = new AtomicLong();
    final Map<Integer, Integer> maxConcurrentSeen = new ConcurrentHashMap<>();
    final CountDownLatch holdArrived;

    public H2Upstream(Long maxConcurrentStreams, int holdExpected) {
        holdArrived = new CountDownLatch(holdExpected);
        server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        int conn = connections.incrementAndGet();
                        parents.add(ch);
                        Http2Settings s = Http2Settings.defaultSettings();
                        if (maxConcurrentStreams != null) {
                            s.maxConcurrentStreams(maxConcurrentStreams);
                        }
                        // Without Netty's server-side caps of 200 RST_STREAMs received and 200 sent per 30 s: the
                        // tests count resets through the proxy in the hundreds, and it is the proxy under test.
                        Http2FrameCodec codec = Http2FrameCodecBuilder.forServer()
                                .initialSettings(s)
                                .decoderEnforceMaxRstFramesPerWindow(0, 0)
                                .encoderEnforceMaxRstFramesPerWindow(0, 0)
                                .build();
                        AtomicInteger open = new AtomicInteger();
                        ch.pipeline()
                                .addLast(codec)
                                .addLast(new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                                    @Override
                                    protected void initChannel(Http2StreamChannel sc) {
                                        int now = open.incrementAndGet();
                                        openStreams.incrementAndGet();
                                        maxConcurrentSeen.merge(conn, now, Math::max);
                                        sc.closeFuture().addListener(f -> {
                                            open.decrementAndGet();
                                            openStreams.decrementAndGet();
                                        });
                                        sc.pipeline().addLast(new StreamHandler(conn, codec));
                                    }
                                }));
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0))
                .syncUninterruptibly()
                .channel();
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** Connections open now. */
    public long openConnections() {
        return parents.stream().filter(Channel::isActive).count();
    }

    /** Streams open now, on every connection. */
    int openStreams() {
        return openStreams.get();
    }

    int connections() {
        return connections.get();
    }

    long sentBytes() {
        return sent.get();
    }

    long receivedBytes() {
        return received.get();
    }

    /** Sends GOAWAY (last-stream-id: the last stream each connection saw) on every connection. */
    void goAwayAll() {
        for (Channel p : parents) {
            p.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR));
        }
    }

    /** Closes every connection at once (no GOAWAY), as a crashed server would. */
    void closeAll() {
        for (Channel p : parents) {
            p.close();
        }
    }

    void release() {
        holdReleased = true;
        held.forEach(Runnable::run);
        held.clear();
    }

    void startReading() {
        reading = true;
        for (Http2StreamChannel c : slowReaders) {
            c.eventLoop().execute(() -> {
                c.config().setAutoRead(true);
                c.read();
            });
        }
    }

    private final class StreamHandler extends ChannelInboundHandlerAdapter {
        private final int conn;
        private final Http2FrameCodec codec;
        private String path = "";
        private long length;
        private final CRC32 crc = new CRC32();

        StreamHandler(int conn, Http2FrameCodec codec) {
            this.conn = conn;
            this.codec = codec;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Http2StreamChannel ch = (Http2StreamChannel) ctx.channel();
            try {
                if (msg instanceof Http2HeadersFrame h) {
                    path = String.valueOf(h.headers().path());
                    paths.add(path);
                    if (path.equals("/refuse-once") && refuseOnce.getAndIncrement() == 0) {
                        ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.REFUSED_STREAM));
                        return;
                    }
                    if (path.equals("/goaway-refuse") && goAwayRefuse.getAndIncrement() == 0) {
                        ChannelHandlerContext cc = ch.parent().pipeline().context(codec);
                        codec.goAway(
                                cc,
                                Math.max(0, ch.stream().id() - 2),
                                Http2Error.NO_ERROR.code(),
                                Unpooled.EMPTY_BUFFER,
                                cc.newPromise());
                        cc.flush();
                        return;
                    }
                    if (path.equals("/slow-read")) {
                        slowReaders.add(ch);
                        if (!reading) {
                            ch.config().setAutoRead(false);
                        }
                    }
                    if (path.equals("/early")) {
                        respond(ctx, "/early answered before the request ended");
                        return;
                    }
                    if (path.equals("/reset-before")) {
                        ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.INTERNAL_ERROR));
                        return;
                    }
                    if (path.equals("/reset-after")) {
                        ctx.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200")));
                        ctx.writeAndFlush(new DefaultHttp2DataFrame(
                                        Unpooled.copiedBuffer("partial", StandardCharsets.UTF_8)))
                                .addListener(
                                        f -> ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.INTERNAL_ERROR)));
                        return;
                    }
                    if (h.isEndStream()) {
                        answer(ctx);
                    }
                } else if (msg instanceof Http2DataFrame d) {
                    length += d.content().readableBytes();
                    received.addAndGet(d.content().readableBytes());
                    ByteBuf b = d.content();
                    byte[] bytes = new byte[b.readableBytes()];
                    b.getBytes(b.readerIndex(), bytes);
                    crc.update(bytes);
                    if (d.isEndStream()) {
                        answer(ctx);
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof Http2ResetFrame r) {
                resetsSeen.add(path + " " + Http2Error.valueOf(r.errorCode()));
            }
            ReferenceCountUtil.release(evt);
        }

        private void answer(ChannelHandlerContext ctx) {
            if (path.equals("/hold") && !holdReleased) {
                held.add(() -> ctx.executor().execute(() -> respond(ctx, "/hold conn=" + conn)));
                holdArrived.countDown();
                return;
            }
            if (path.startsWith("/big")) {
                long n = Long.parseLong(path.substring(path.indexOf("n=") + 2));
                ctx.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200")));
                new BigWriter(ctx, n).run();
                return;
            }
            if (path.equals("/slow-read")) {
                respond(ctx, "len=" + length + " crc=" + crc.getValue());
                return;
            }
            if (path.equals("/trailers")) {
                ctx.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200")));
                ctx.write(new DefaultHttp2DataFrame(Unpooled.copiedBuffer("body", StandardCharsets.UTF_8)));
                ctx.writeAndFlush(
                        new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().add("grpc-status", "0"), true));
                return;
            }
            respond(ctx, path + " conn=" + conn + " len=" + length);
            if (path.equals("/goaway-after")) {
                Channel parent = ctx.channel().parent();
                parent.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR));
            }
        }

        private void respond(ChannelHandlerContext ctx, String body) {
            Http2Headers h = new DefaultHttp2Headers().status("200");
            ctx.write(new DefaultHttp2HeadersFrame(h));
            ctx.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.copiedBuffer(body, StandardCharsets.UTF_8), true));
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (writer != null && ctx.channel().isWritable()) {
                writer.run();
            }
            ctx.fireChannelWritabilityChanged();
        }

        private BigWriter writer;

        private final class BigWriter implements Runnable {
            private final ChannelHandlerContext ctx;
            private long left;

            BigWriter(ChannelHandlerContext ctx, long n) {
                this.ctx = ctx;
                this.left = n;
                writer = this;
            }

            @Override
            public void run() {
                while (left > 0 && ctx.channel().isWritable()) {
                    int n = (int) Math.min(16 * 1024, left);
                    left -= n;
                    ByteBuf b = ctx.alloc().buffer(n).writeZero(n);
                    ctx.writeAndFlush(new DefaultHttp2DataFrame(b, left == 0)).addListener(f -> {
                        if (f.isSuccess()) {
                            sent.addAndGet(n);
                        }
                    });
                }
            }
        }
    }

    @Override
    public void close() {
        for (Channel p : parents) {
            p.close();
        }
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}
