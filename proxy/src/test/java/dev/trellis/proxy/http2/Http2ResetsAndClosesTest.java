package dev.trellis.proxy.http2;

import static dev.trellis.proxy.http2.Http2ProxyTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.proxy.server.ProxyServer;
import dev.trellis.proxy.stats.Stat;
import dev.trellis.proxy.testing.ProxyHarness;
import dev.trellis.testing.LeakCheck;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.DefaultHttp2FrameReader;
import io.netty.handler.codec.http2.DefaultHttp2FrameWriter;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Streams that end early and connections that end under streams, as a load generator's timed runs cause them: each
 * cancelled stream resets its upstream stream once, however many of its frames were still on the way; resets never
 * cost the shared upstream connection; a client that closes is not sent an error GOAWAY.
 */
@ExtendWith(LeakCheck.class)
class Http2ResetsAndClosesTest {
    @TempDir
    Path dir;

    private ProxyHarness proxy(String clusterH2, int upPort) {
        String yaml = "admin:\n  address: { socket_address: { address: 127.0.0.1, port_value: 0 } }\n"
                + Http2ProxyTest.bootstrap("", "", clusterH2, "", upPort, dir.resolve("access.log"));
        return ProxyHarness.start(yaml, Map.of(), new ProxyServer.Options(1, 2_000));
    }

    private static long stat(ProxyHarness p, String name) {
        for (Stat s : p.server.context().stats().all()) {
            if (s.fullName().equals(name)) {
                return s.value();
            }
        }
        return 0;
    }

    private static void awaitStat(ProxyHarness p, String name, long value) throws InterruptedException {
        await(() -> stat(p, name) == value, name + " == " + value + " (is " + stat(p, name) + ")");
    }

    /**
     * More client cancellations in a few seconds than Netty lets a server send resets (200 in 30 s): the upstream
     * connection is a client's, shared by every downstream, and must survive them (as Envoy's does).
     */
    @Test
    void manyCancelledStreamsDoNotCostTheUpstreamConnection() throws Exception {
        int rounds = 5;
        int perRound = 50;
        try (H2Upstream up = new H2Upstream(null, 0);
                ProxyHarness proxy = proxy("", up.port())) {
            for (int r = 1; r <= rounds; r++) {
                // A client connection per round, as h2load's runs: each cancels its streams, then closes.
                try (H2Client client = new H2Client(proxy.listener("h2"))) {
                    List<H2Client.Exchange> held = new ArrayList<>();
                    for (int i = 0; i < perRound; i++) {
                        held.add(client.get("/hold"));
                    }
                    int arrived = r * perRound;
                    await(() -> up.paths.size() == arrived, arrived + " streams at the upstream");
                    held.forEach(H2Client.Exchange::cancel);
                    await(() -> up.resetsSeen.size() == arrived, arrived + " resets at the upstream");
                }
            }
            try (H2Client client = new H2Client(proxy.listener("h2"))) {
                var after = client.get("/after");
                after.done.get(5, TimeUnit.SECONDS);
                assertThat(after.bodyText()).startsWith("/after conn=1 ");
            }
            assertThat(up.connections()).isEqualTo(1);
            assertThat(stat(proxy, "cluster.up.upstream_cx_destroy")).isZero();
            assertThat(stat(proxy, "cluster.up.http2.outbound_control_flood")).isZero();
            assertThat(stat(proxy, "cluster.up.http2.goaway_sent")).isZero();
            assertThat(stat(proxy, "cluster.up.http2.tx_reset")).isEqualTo((long) rounds * perRound);
        }
    }

    /** The same for resets the upstream sends: Netty would take 200 in 30 s as a server's rapid-reset attack. */
    @Test
    void manyUpstreamResetsDoNotCostTheUpstreamConnection() throws Exception {
        try (H2Upstream up = new H2Upstream(null, 0);
                ProxyHarness proxy = proxy("", up.port());
                H2Client client = new H2Client(proxy.listener("h2"))) {
            for (int i = 0; i < 250; i++) {
                var x = client.get("/reset-before");
                x.done.get(5, TimeUnit.SECONDS);
                assertThat(x.status()).isEqualTo("503");
            }
            var after = client.get("/after");
            after.done.get(5, TimeUnit.SECONDS);
            assertThat(after.bodyText()).startsWith("/after conn=1 ");
            assertThat(up.connections()).isEqualTo(1);
            assertThat(stat(proxy, "cluster.up.http2.rx_reset")).isEqualTo(250);
            assertThat(stat(proxy, "cluster.up.http2.goaway_sent")).isZero();
        }
    }

    /**
     * The upstream had more frames of a stream on the way when the proxy reset it (RFC 9113 section 5.1: "An endpoint
     * MUST ignore frames that it receives on closed streams after it has sent a RST_STREAM frame"): one reset per
     * cancelled stream, no STREAM_CLOSED resets answering the late frames.
     */
    @Test
    void aCancelledStreamIsResetOnceThoughItsFramesKeepArriving() throws Exception {
        try (LateFramesUpstream up = new LateFramesUpstream();
                ProxyHarness proxy = proxy("", up.port());
                H2Client client = new H2Client(proxy.listener("h2"))) {
            List<H2Client.Exchange> streams = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                var x = client.get("/stream");
                x.headers.get(5, TimeUnit.SECONDS);
                streams.add(x);
            }
            streams.forEach(H2Client.Exchange::cancel);
            await(() -> up.resets.size() == 3, "3 resets at the upstream");
            // Answered on the same upstream connection after the late frames: by then the proxy has read them all.
            var after = client.get("/after");
            after.done.get(5, TimeUnit.SECONDS);
            assertThat(after.bodyText()).isEqualTo("after");
            assertThat(up.resets).containsOnly("CANCEL");
            assertThat(stat(proxy, "http2.rx_reset")).isEqualTo(3);
            assertThat(stat(proxy, "cluster.up.http2.tx_reset")).isEqualTo(3);
            assertThat(up.connections).isEqualTo(1);
        }
    }

    /**
     * h2load's end of a timed run: GOAWAY NO_ERROR, then close, with responses still being written. Envoy sends no
     * GOAWAY to a peer that went away; neither GOAWAY counter moves.
     */
    @Test
    void aClientThatLeavesWithStreamsInFlightGetsNoErrorGoAway() throws Exception {
        // Small upstream windows: the upstream sends only as fast as the client reads, so responses keep flowing.
        try (H2Upstream up = new H2Upstream(null, 0);
                ProxyHarness proxy =
                        proxy("initial_stream_window_size: 65535, initial_connection_window_size: 65535", up.port())) {
            for (int round = 0; round < 3; round++) {
                H2Client client = new H2Client(proxy.listener("h2"));
                List<H2Client.Exchange> streams = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    var x = client.get("/big?n=20000000");
                    x.keepBody = false;
                    streams.add(x);
                }
                for (var x : streams) {
                    x.headers.get(5, TimeUnit.SECONDS);
                }
                await(() -> streams.stream().mapToLong(x -> x.bodyBytes.get()).sum() > 100_000, "response bytes");
                // Unread bytes left in the socket when it closes make the kernel reset the connection, as h2load's.
                client.ch
                        .eventLoop()
                        .submit(() -> client.ch.config().setAutoRead(false))
                        .get();
                Thread.sleep(50);
                client.ch
                        .writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR))
                        .await(5, TimeUnit.SECONDS);
                client.close();
                awaitStat(proxy, "http2.streams_active", 0);
                awaitStat(proxy, "http.h2.downstream_cx_active", 0);
                await(() -> up.openStreams() == 0, "the upstream streams reset");
            }
            assertThat(stat(proxy, "http2.goaway_sent")).isZero();
            assertThat(stat(proxy, "http2.goaway_graceful_sent")).isZero();
        }
    }

    /**
     * An h2c server at the frame level (Netty's reader and writer, no connection state), so it can do what a real
     * server does by accident of timing: send frames of a stream after the peer reset it. Every request gets 200
     * headers and a first DATA frame; when the proxy resets a stream, two more frames of it follow (as if they had
     * been on the way). {@code /after} is answered in full.
     */
    static final class LateFramesUpstream implements AutoCloseable {
        private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        private final Channel server;
        final List<String> resets = new CopyOnWriteArrayList<>();
        volatile int connections;

        LateFramesUpstream() {
            server = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            connections++;
                            ch.pipeline().addLast(new Frames());
                        }
                    })
                    .bind(new InetSocketAddress("127.0.0.1", 0))
                    .syncUninterruptibly()
                    .channel();
        }

        int port() {
            return ((InetSocketAddress) server.localAddress()).getPort();
        }

        private final class Frames extends ByteToMessageDecoder {
            private final DefaultHttp2FrameReader reader = new DefaultHttp2FrameReader();
            private final DefaultHttp2FrameWriter writer = new DefaultHttp2FrameWriter();
            private boolean prefaceRead;

            @Override
            public void channelActive(ChannelHandlerContext ctx) throws Exception {
                writer.writeSettings(ctx, new Http2Settings(), ctx.newPromise());
                ctx.flush();
                super.channelActive(ctx);
            }

            @Override
            protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
                if (!prefaceRead) {
                    int n = Http2CodecUtil.connectionPrefaceBuf().readableBytes();
                    if (in.readableBytes() < n) {
                        return;
                    }
                    in.skipBytes(n);
                    prefaceRead = true;
                }
                reader.readFrame(ctx, in, new Http2FrameAdapter() {
                    @Override
                    public void onSettingsRead(ChannelHandlerContext c, Http2Settings settings) {
                        writer.writeSettingsAck(c, c.newPromise());
                    }

                    @Override
                    public void onPingRead(ChannelHandlerContext c, long data) {
                        writer.writePing(c, true, data, c.newPromise());
                    }

                    @Override
                    public int onDataRead(ChannelHandlerContext c, int id, ByteBuf data, int padding, boolean end) {
                        return data.readableBytes() + padding;
                    }

                    @Override
                    public void onHeadersRead(
                            ChannelHandlerContext c,
                            int id,
                            Http2Headers headers,
                            int dependency,
                            short weight,
                            boolean exclusive,
                            int padding,
                            boolean end) {
                        onHeadersRead(c, id, headers, padding, end);
                    }

                    @Override
                    public void onHeadersRead(
                            ChannelHandlerContext c, int id, Http2Headers headers, int padding, boolean end) {
                        boolean after = "/after".contentEquals(headers.path());
                        writer.writeHeaders(c, id, new DefaultHttp2Headers().status("200"), 0, false, c.newPromise());
                        writer.writeData(c, id, text(after ? "after" : "first"), 0, after, c.newPromise());
                    }

                    @Override
                    public void onRstStreamRead(ChannelHandlerContext c, int id, long errorCode) {
                        resets.add(Http2Error.valueOf(errorCode).name());
                        writer.writeData(c, id, text("late"), 0, false, c.newPromise());
                        writer.writeHeaders(
                                c, id, new DefaultHttp2Headers().add("x-late", "1"), 0, true, c.newPromise());
                    }
                });
                ctx.flush();
            }
        }

        private static ByteBuf text(String s) {
            return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
        }

        @Override
        public void close() {
            server.close().syncUninterruptibly();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
