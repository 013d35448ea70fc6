package dev.trellis.proxy.http2;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/** A real HTTP/2 (h2c prior knowledge) client for the tests, at the frame level so resets and GOAWAYs are visible. */
final class H2Client implements AutoCloseable {
    private static final EventLoopGroup GROUP = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

    final Channel ch;
    final Http2FrameCodec codec;
    final List<Http2Settings> settings = new CopyOnWriteArrayList<>();
    final List<Integer> goAways = new CopyOnWriteArrayList<>();
    final CompletableFuture<Void> settingsSeen = new CompletableFuture<>();

    final List<Long> pings = new CopyOnWriteArrayList<>();

    H2Client(InetSocketAddress address) {
        this(address, true);
    }

    /** @param answerPings false: a client that never answers the server's PINGs (a dead peer, for keepalive) */
    H2Client(InetSocketAddress address, boolean answerPings) {
        // Sends what the test says even past the server's limits (oversize headers), to see how the proxy answers.
        codec = Http2FrameCodecBuilder.forClient()
                .encoderIgnoreMaxHeaderListSize(true)
                .autoAckPingFrame(answerPings)
                .build();
        ch = new Bootstrap()
                .group(GROUP)
                .channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel c) {
                        c.pipeline()
                                .addLast(codec)
                                .addLast(new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()))
                                .addLast(new ChannelInboundHandlerAdapter() {
                                    @Override
                                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                        if (msg instanceof Http2SettingsFrame s) {
                                            settings.add(s.settings());
                                            settingsSeen.complete(null);
                                        } else if (msg instanceof Http2GoAwayFrame g) {
                                            goAways.add(g.lastStreamId());
                                        } else if (msg instanceof io.netty.handler.codec.http2.Http2PingFrame p
                                                && !p.ack()) {
                                            pings.add(p.content());
                                        }
                                        ReferenceCountUtil.release(msg);
                                    }
                                });
                    }
                })
                .connect(address)
                .syncUninterruptibly()
                .channel();
    }

    /** The server's settings so far, merged in order. */
    Http2Settings serverSettings() throws Exception {
        settingsSeen.get(5, TimeUnit.SECONDS);
        Http2Settings merged = new Http2Settings();
        for (Http2Settings s : settings) {
            merged.putAll(s);
        }
        return merged;
    }

    /** The outcome of one stream. */
    static final class Exchange extends ChannelInboundHandlerAdapter {
        volatile Http2StreamChannel stream;
        final CompletableFuture<Http2Headers> headers = new CompletableFuture<>();
        final CompletableFuture<Exchange> done = new CompletableFuture<>();
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        final AtomicLong bodyBytes = new AtomicLong();
        volatile Http2Error reset;
        final AtomicLong sent = new AtomicLong();
        volatile boolean keepBody = true;

        @Override
        public String toString() {
            return "status=" + status() + " reset=" + reset + " body=" + bodyText();
        }

        String status() {
            return headers.isDone() ? String.valueOf(headers.join().status()) : null;
        }

        String bodyText() {
            synchronized (body) {
                return body.toString(StandardCharsets.UTF_8);
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof Http2HeadersFrame h) {
                    if (!headers.isDone()) {
                        headers.complete(h.headers());
                    }
                    if (h.isEndStream()) {
                        done.complete(this);
                    }
                } else if (msg instanceof Http2DataFrame d) {
                    bodyBytes.addAndGet(d.content().readableBytes());
                    if (keepBody) {
                        synchronized (body) {
                            ByteBuf b = d.content();
                            byte[] bytes = new byte[b.readableBytes()];
                            b.getBytes(b.readerIndex(), bytes);
                            body.writeBytes(bytes);
                        }
                    }
                    if (d.isEndStream()) {
                        done.complete(this);
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof Http2ResetFrame r) {
                reset = Http2Error.valueOf(r.errorCode());
            }
            ReferenceCountUtil.release(evt);
        }

        /** Called on the event loop when the stream becomes writable again (flow-control window opened). */
        volatile Runnable onWritable;

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            Runnable r = onWritable;
            if (r != null && ctx.channel().isWritable()) {
                r.run();
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            done.complete(this);
        }

        /** Cancels the stream (RST_STREAM CANCEL). */
        void cancel() {
            stream.eventLoop().execute(() -> stream.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.CANCEL)));
        }
    }

    /**
     * Sends {@code total} bytes of request body in 16 KiB DATA frames, writing only while the stream is writable (as
     * its flow-control window allows); {@link Exchange#sent} counts what went out, {@code crc} what was written.
     */
    Exchange upload(String path, long total, java.util.zip.CRC32 crc) {
        Exchange x = new Exchange();
        long[] left = {total};
        Runnable pump = () -> {
            Http2StreamChannel s = x.stream;
            while (left[0] > 0 && s.isWritable()) {
                int n = (int) Math.min(16 * 1024, left[0]);
                left[0] -= n;
                byte[] chunk = new byte[n];
                for (int i = 0; i < n; i++) {
                    chunk[i] = (byte) ((total - left[0] - n + i) * 31);
                }
                crc.update(chunk);
                s.write(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(chunk), left[0] == 0))
                        .addListener(f -> {
                            if (f.isSuccess()) {
                                x.sent.addAndGet(n);
                            }
                        });
            }
            s.flush();
        };
        x.onWritable = pump;
        return open(x, "POST", path, Map.of(), s -> {}, s -> pump.run());
    }

    Exchange get(String path) {
        return request("GET", path, Map.of(), null);
    }

    Exchange request(String method, String path, Map<String, String> extra, byte[] body) {
        return open(
                method,
                path,
                extra,
                x -> {},
                body == null ? null : s -> s.write(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(body), true)));
    }

    /** Opens a stream; {@code afterHeaders} writes the body (null: the headers end the stream). */
    Exchange open(
            String method,
            String path,
            Map<String, String> extra,
            Consumer<Http2StreamChannel> init,
            Consumer<Http2StreamChannel> afterHeaders) {
        return open(new Exchange(), method, path, extra, init, afterHeaders);
    }

    Exchange open(
            Exchange x,
            String method,
            String path,
            Map<String, String> extra,
            Consumer<Http2StreamChannel> init,
            Consumer<Http2StreamChannel> afterHeaders) {
        CompletableFuture<Void> opened = new CompletableFuture<>();
        ch.eventLoop().execute(() -> new Http2StreamChannelBootstrap(ch)
                .handler(x)
                .open()
                .addListener(f -> {
                    if (!f.isSuccess()) {
                        x.done.completeExceptionally(f.cause());
                        opened.complete(null);
                        return;
                    }
                    Http2StreamChannel s = (Http2StreamChannel) f.getNow();
                    x.stream = s;
                    init.accept(s);
                    Http2Headers h = new DefaultHttp2Headers()
                            .method(method)
                            .path(path)
                            .scheme("http")
                            .authority("test");
                    extra.forEach(h::add);
                    s.write(new DefaultHttp2HeadersFrame(h, afterHeaders == null));
                    if (afterHeaders != null) {
                        afterHeaders.accept(s);
                    }
                    s.flush();
                    opened.complete(null);
                }));
        opened.join();
        return x;
    }

    /** Lets the client open streams past the server's SETTINGS_MAX_CONCURRENT_STREAMS (Netty would refuse). */
    void ignoreServerStreamLimit() throws Exception {
        ch.eventLoop()
                .submit(() -> codec.connection().local().maxActiveStreams(Integer.MAX_VALUE))
                .get();
    }

    @Override
    public void close() {
        ch.close().syncUninterruptibly();
    }
}
