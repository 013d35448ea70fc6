package dev.trellis.proxy.http2;

import static dev.trellis.proxy.http2.Http2ProxyTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.proxy.server.ProxyServer;
import dev.trellis.proxy.stats.Stat;
import dev.trellis.proxy.testing.ProxyHarness;
import dev.trellis.testing.LeakCheck;
import io.netty.bootstrap.ServerBootstrap;
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
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Envoy's HTTP/2 codec stats ({@code http2.*} downstream, {@code cluster.<name>.http2.*} upstream), each provoked over
 * loopback with a real HTTP/2 peer (Netty's codecs, or raw frames where a well-behaved codec would refuse to misbehave)
 * and read back from the proxy's stat store or its admin {@code /stats}.
 */
@ExtendWith(LeakCheck.class)
class Http2CodecStatsTest {
    @TempDir
    Path dir;

    private ProxyHarness proxy(String hcm, String clusterCommon, String clusterH2, int upPort) {
        String yaml = "admin:\n  address: { socket_address: { address: 127.0.0.1, port_value: 0 } }\n"
                + Http2ProxyTest.bootstrap(hcm, clusterCommon, clusterH2, "", upPort, dir.resolve("access.log"));
        return ProxyHarness.start(yaml, Map.of(), new ProxyServer.Options(1, 2_000));
    }

    private static Long stat(ProxyHarness p, String name) {
        for (Stat s : p.server.context().stats().all()) {
            if (s.fullName().equals(name)) {
                return s.value();
            }
        }
        return null;
    }

    private static long valueOf(ProxyHarness p, String name) {
        Long v = stat(p, name);
        return v == null ? 0 : v;
    }

    private static void awaitStat(ProxyHarness p, String name, long value) throws InterruptedException {
        await(() -> Long.valueOf(value).equals(stat(p, name)), name + " == " + value + " (is " + stat(p, name) + ")");
    }

    private static String admin(ProxyHarness p, String path) throws Exception {
        var a = p.server.adminAddress();
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.getPort() + path))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    @Test
    void statsAppearWithTheFirstHttp2ConnectionUnderEnvoysNames() throws Exception {
        try (H2Upstream up = new H2Upstream(null, 0);
                ProxyHarness proxy = proxy("", "", "", up.port())) {
            assertThat(admin(proxy, "/stats")).doesNotContain("http2.");
            try (H2Client client = new H2Client(proxy.listener("h2"))) {
                var x = client.get("/one");
                x.done.get(5, TimeUnit.SECONDS);
                assertThat(x.status()).isEqualTo("200");
            }
            String stats = "\n" + admin(proxy, "/stats");
            // Downstream: rooted at http2. (Envoy's listener scope), not under the connection manager's prefix.
            assertThat(stats)
                    .contains("\nhttp2.rx_reset: 0\n", "\nhttp2.streams_active: 0\n", "\nhttp2.header_overflow: 0\n")
                    .contains("\ncluster.up.http2.tx_reset: 0\n", "\ncluster.up.http2.pending_send_bytes: 0\n")
                    .doesNotContain("http.h2.http2.")
                    // Upstream response headers have no size limit here, so that stat could never move.
                    .doesNotContain("cluster.up.http2.header_overflow");
            for (String name : new String[] {
                "rx_reset",
                "tx_reset",
                "stream_refused_errors",
                "goaway_sent",
                "goaway_graceful_sent",
                "rx_messaging_error",
                "trailers",
                "outbound_control_flood",
                "inbound_empty_frames_flood",
                "inbound_priority_frames_flood",
                "inbound_window_update_frames_flood",
                "keepalive_timeout",
                "streams_active",
                "pending_send_bytes"
            }) {
                assertThat(stats).contains("\nhttp2." + name + ": ", "\ncluster.up.http2." + name + ": ");
            }
            String prom = admin(proxy, "/stats/prometheus");
            assertThat(prom)
                    .contains("# TYPE envoy_http2_rx_reset counter\nenvoy_http2_rx_reset 0\n")
                    .contains("# TYPE envoy_http2_streams_active gauge\n")
                    .contains("envoy_cluster_http2_tx_reset{envoy_cluster_name=\"up\"} 0\n");
        }
    }

    @Test
    void streamsActiveFollowsOpenStreamsOnBothSides() throws Exception {
        try (H2Upstream up = new H2Upstream(null, 2);
                ProxyHarness proxy = proxy("", "", "", up.port());
                H2Client client = new H2Client(proxy.listener("h2"))) {
            var a = client.get("/hold");
            var b = client.get("/hold");
            assertThat(up.holdArrived.await(5, TimeUnit.SECONDS)).isTrue();
            awaitStat(proxy, "http2.streams_active", 2);
            awaitStat(proxy, "cluster.up.http2.streams_active", 2);
            up.release();
            a.done.get(5, TimeUnit.SECONDS);
            b.done.get(5, TimeUnit.SECONDS);
            awaitStat(proxy, "http2.streams_active", 0);
            awaitStat(proxy, "cluster.up.http2.streams_active", 0);
        }
    }

    @Test
    void resetsReceivedAndSentAndRefusals() throws Exception {
        try (H2Upstream up = new H2Upstream(null, 1);
                ProxyHarness proxy = proxy("", "", "", up.port());
                H2Client client = new H2Client(proxy.listener("h2"))) {
            // The client cancels: received downstream, and the proxy resets the upstream stream.
            var held = client.get("/hold");
            assertThat(up.holdArrived.await(5, TimeUnit.SECONDS)).isTrue();
            held.cancel();
            await(() -> up.resetsSeen.contains("/hold CANCEL"), "the upstream stream reset");
            awaitStat(proxy, "http2.rx_reset", 1);
            awaitStat(proxy, "cluster.up.http2.tx_reset", 1);
            assertThat(stat(proxy, "http2.tx_reset")).isZero();
            assertThat(stat(proxy, "cluster.up.http2.rx_reset")).isZero();

            // The upstream resets before answering: received upstream, 503 downstream (no reset).
            var before = client.get("/reset-before");
            before.done.get(5, TimeUnit.SECONDS);
            assertThat(before.status()).isEqualTo("503");
            awaitStat(proxy, "cluster.up.http2.rx_reset", 1);
            assertThat(stat(proxy, "cluster.up.http2.stream_refused_errors")).isZero();

            // The upstream refuses a stream: the pool sends it again, and counts the refusal.
            var refused = client.get("/refuse-once");
            refused.done.get(5, TimeUnit.SECONDS);
            assertThat(refused.status()).isEqualTo("200");
            awaitStat(proxy, "cluster.up.http2.rx_reset", 2);
            awaitStat(proxy, "cluster.up.http2.stream_refused_errors", 1);

            // The upstream resets after its headers: the proxy resets the downstream stream.
            var after = client.get("/reset-after");
            await(() -> after.reset != null, "the downstream reset");
            awaitStat(proxy, "http2.tx_reset", 1);

            // A client refusing a stream it opened (unusual, but a REFUSED_STREAM it is).
            var h2 = client.open("GET", "/x", Map.of(), s -> {}, s -> {});
            h2.stream
                    .eventLoop()
                    .execute(() -> h2.stream.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.REFUSED_STREAM)));
            awaitStat(proxy, "http2.rx_reset", 2);
            awaitStat(proxy, "http2.stream_refused_errors", 1);
        }
    }

    @Test
    void streamsOverTheConcurrencyLimitAreResetDownstream() throws Exception {
        try (H2Upstream up = new H2Upstream(null, 1);
                ProxyHarness proxy = proxy("http2_protocol_options: { max_concurrent_streams: 1 }", "", "", up.port());
                H2Client client = new H2Client(proxy.listener("h2"))) {
            client.serverSettings();
            var a = client.get("/hold");
            assertThat(up.holdArrived.await(5, TimeUnit.SECONDS)).isTrue();
            client.ignoreServerStreamLimit();
            var b = client.get("/second");
            b.done.get(5, TimeUnit.SECONDS);
            assertThat(b.reset).isEqualTo(Http2Error.REFUSED_STREAM);
            awaitStat(proxy, "http2.tx_reset", 1);
            up.release();
            a.done.get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void goAwaysOfADrainAndOfAnIdleUpstreamConnection() throws Exception {
        try (H2Upstream up = new H2Upstream(null, 0);
                ProxyHarness proxy = proxy(
                        "common_http_protocol_options: { idle_timeout: 0.3s }", "idle_timeout: 0.3s", "", up.port());
                H2Client client = new H2Client(proxy.listener("h2"))) {
            var x = client.get("/once");
            x.done.get(5, TimeUnit.SECONDS);
            assertThat(client.ch.closeFuture().await(5, TimeUnit.SECONDS)).isTrue();
            // The drain: first the graceful GOAWAY (last-stream-id 2^31-1), then the one naming the last stream.
            assertThat(client.goAways).hasSize(2);
            awaitStat(proxy, "http2.goaway_graceful_sent", 1);
            awaitStat(proxy, "http2.goaway_sent", 1);
            // The pool closes its idle upstream connection with a GOAWAY.
            await(() -> up.openConnections() == 0, "the idle upstream connection closed");
            awaitStat(proxy, "cluster.up.http2.goaway_sent", 1);
            assertThat(stat(proxy, "cluster.up.http2.goaway_graceful_sent")).isZero();
        }
    }

    @Test
    void oversizeHeadersAreHeaderOverflowNotAMessagingError() throws Exception {
        try (H2Upstream up = new H2Upstream(null, 0);
                ProxyHarness proxy = proxy("max_request_headers_kb: 1", "", "", up.port());
                H2Client client = new H2Client(proxy.listener("h2"))) {
            var big = client.request("GET", "/big-headers", Map.of("x-big", "v".repeat(1100)), null);
            big.done.get(5, TimeUnit.SECONDS);
            assertThat(big.status()).isEqualTo("431");
            awaitStat(proxy, "http2.header_overflow", 1);
            var ok = client.get("/after");
            ok.done.get(5, TimeUnit.SECONDS);
            assertThat(ok.status()).isEqualTo("200");
            assertThat(stat(proxy, "http2.header_overflow")).isEqualTo(1);
            assertThat(stat(proxy, "http2.rx_messaging_error")).isZero();
        }
    }

    @Test
    void malformedRequestsAreMessagingErrorsAnsweredWithAReset() throws Exception {
        try (H2Upstream up = new H2Upstream(null, 0);
                ProxyHarness proxy = proxy("", "", "", up.port());
                H2Client client = new H2Client(proxy.listener("h2"))) {
            // RFC 9113 section 8.1.1: a body shorter than its content-length is malformed.
            var shortBody = client.request(
                    "POST", "/short", Map.of("content-length", "10"), "abc".getBytes(StandardCharsets.UTF_8));
            shortBody.done.get(5, TimeUnit.SECONDS);
            // Netty hands an open stream's error to the stream's channel, whose close resets with CANCEL.
            assertThat(shortBody.reset).isNotNull();
            assertThat(shortBody.headers).isNotDone();
            // Section 8.2.2: connection-specific header fields are malformed.
            var connectionHeader = client.request("GET", "/conn", Map.of("connection", "close"), null);
            connectionHeader.done.get(5, TimeUnit.SECONDS);
            assertThat(connectionHeader.reset).isEqualTo(Http2Error.PROTOCOL_ERROR);
            awaitStat(proxy, "http2.rx_messaging_error", 2);
            awaitStat(proxy, "http2.tx_reset", 2);
            assertThat(up.paths).doesNotContain("/conn");
            var ok = client.get("/ok");
            ok.done.get(5, TimeUnit.SECONDS);
            assertThat(ok.status()).isEqualTo("200");
        }
    }

    @Test
    void aMalformedResponseIsAnUpstreamMessagingError() throws Exception {
        // RFC 9113 section 8.2.2: a connection-specific header field makes the response malformed.
        try (SilentUpstream up = new SilentUpstream(
                        () -> new DefaultHttp2Headers(false).status("200").add("connection", "keep-alive"));
                ProxyHarness proxy = proxy("", "", "", up.port());
                H2Client client = new H2Client(proxy.listener("h2"))) {
            var x = client.get("/bad-response");
            x.done.get(5, TimeUnit.SECONDS);
            assertThat(x.status()).isEqualTo("503");
            awaitStat(proxy, "cluster.up.http2.rx_messaging_error", 1);
            assertThat(stat(proxy, "http2.rx_messaging_error")).isZero();
        }
    }

    @Test
    void trailersOfRequestsAndOfResponses() throws Exception {
        try (H2Upstream up = new H2Upstream(null, 0);
                ProxyHarness proxy = proxy("", "", "", up.port());
                H2Client client = new H2Client(proxy.listener("h2"))) {
            var x = client.open("POST", "/with-trailers", Map.of(), s -> {}, s -> {
                s.write(new DefaultHttp2DataFrame(Unpooled.copiedBuffer("abc", StandardCharsets.UTF_8)));
                s.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().add("x-checksum", "1"), true));
            });
            x.done.get(5, TimeUnit.SECONDS);
            assertThat(x.status()).isEqualTo("200");
            awaitStat(proxy, "http2.trailers", 1);
            assertThat(stat(proxy, "cluster.up.http2.trailers")).isZero();

            var y = client.get("/trailers");
            y.done.get(5, TimeUnit.SECONDS);
            assertThat(y.status()).isEqualTo("200");
            awaitStat(proxy, "cluster.up.http2.trailers", 1);
            assertThat(stat(proxy, "http2.trailers")).isEqualTo(1);
        }
    }

    @Test
    void pendingSendBytesFollowsBodiesWaitingForWindow() throws Exception {
        try (H2Upstream up = new H2Upstream(null, 0);
                ProxyHarness proxy = proxy("", "", "", up.port());
                H2Client client = new H2Client(proxy.listener("h2"))) {
            // Downstream: a client that stops reading keeps its 64 KiB window shut; the proxy holds what it has.
            var x = client.open(
                    "GET", "/big?n=1000000", Map.of(), s -> s.config().setAutoRead(false), null);
            x.keepBody = false;
            await(() -> valueOf(proxy, "http2.pending_send_bytes") > 0, "bytes waiting downstream");
            x.stream.eventLoop().execute(() -> {
                x.stream.config().setAutoRead(true);
                x.stream.read();
            });
            x.done.get(10, TimeUnit.SECONDS);
            assertThat(x.bodyBytes.get()).isEqualTo(1_000_000);
            awaitStat(proxy, "http2.pending_send_bytes", 0);

            // Upstream: an upload to a server that does not read.
            var upload = client.upload("/slow-read", 1_000_000, new CRC32());
            await(() -> valueOf(proxy, "cluster.up.http2.pending_send_bytes") > 0, "bytes waiting upstream");
            up.startReading();
            upload.done.get(10, TimeUnit.SECONDS);
            assertThat(upload.status()).isEqualTo("200");
            awaitStat(proxy, "cluster.up.http2.pending_send_bytes", 0);
        }
    }

    @Test
    void unansweredKeepalivePingsOnBothSides() throws Exception {
        String keepalive = "connection_keepalive: { interval: 0.1s, timeout: 0.2s }";
        try (SilentUpstream up = new SilentUpstream();
                ProxyHarness proxy = proxy("http2_protocol_options: { " + keepalive + " }", "", keepalive, up.port());
                H2Client dead = new H2Client(proxy.listener("h2"), false)) {
            assertThat(dead.ch.closeFuture().await(5, TimeUnit.SECONDS)).isTrue();
            awaitStat(proxy, "http2.keepalive_timeout", 1);
            try (H2Client client = new H2Client(proxy.listener("h2"))) {
                var x = client.get("/one");
                x.done.get(5, TimeUnit.SECONDS);
                assertThat(x.status()).isEqualTo("200");
                // The upstream never answers PINGs: the pool's connection is closed for it; the client answers.
                awaitStat(proxy, "cluster.up.http2.keepalive_timeout", 1);
                assertThat(client.ch.isActive()).isTrue();
                assertThat(stat(proxy, "http2.keepalive_timeout")).isEqualTo(1);
            }
        }
    }

    @Test
    void emptyDataFramesFloodClosesTheConnection() throws Exception {
        try (H2Upstream up = new H2Upstream(null, 0);
                ProxyHarness proxy = proxy("", "", "", up.port());
                Socket s = RawH2.connect(proxy.listener("h2"))) {
            OutputStream out = s.getOutputStream();
            RawH2.headers(out, 1, false);
            out.flush();
            awaitStat(proxy, "cluster.up.http2.streams_active", 1); // the request is on its way upstream
            // Envoy's default max_consecutive_inbound_frames_with_empty_payload is 1: the second one is a flood.
            RawH2.frame(out, 0, 0, 1, new byte[0]);
            RawH2.frame(out, 0, 0, 1, new byte[0]);
            out.flush();
            assertThat(RawH2.goAwayError(s.getInputStream())).isEqualTo(Http2Error.ENHANCE_YOUR_CALM.code());
            awaitStat(proxy, "http2.inbound_empty_frames_flood", 1);
            awaitStat(proxy, "http2.goaway_sent", 1);
        }
    }

    @Test
    void withNoEmptyFramesAllowedTheFirstOneIsAFlood() throws Exception {
        try (H2Upstream up = new H2Upstream(null, 0);
                ProxyHarness proxy = proxy(
                        "http2_protocol_options: { max_consecutive_inbound_frames_with_empty_payload: 0 }",
                        "",
                        "",
                        up.port());
                Socket s = RawH2.connect(proxy.listener("h2"))) {
            OutputStream out = s.getOutputStream();
            RawH2.headers(out, 1, false);
            out.flush();
            awaitStat(proxy, "cluster.up.http2.streams_active", 1);
            RawH2.frame(out, 0, 0, 1, new byte[] {'x'}); // not empty: fine
            RawH2.ping(out, s.getInputStream());
            assertThat(stat(proxy, "http2.inbound_empty_frames_flood")).isZero();
            RawH2.frame(out, 0, 0, 1, new byte[0]);
            out.flush();
            assertThat(RawH2.goAwayError(s.getInputStream())).isEqualTo(Http2Error.ENHANCE_YOUR_CALM.code());
            awaitStat(proxy, "http2.inbound_empty_frames_flood", 1);
        }
    }

    @Test
    void priorityFramesPastEnvoysLimitAreAFlood() throws Exception {
        try (H2Upstream up = new H2Upstream(null, 0);
                ProxyHarness proxy = proxy(
                        "http2_protocol_options: { max_inbound_priority_frames_per_stream: 2 }", "", "", up.port());
                Socket s = RawH2.connect(proxy.listener("h2"))) {
            OutputStream out = s.getOutputStream();
            RawH2.headers(out, 1, false);
            // The limit is 2 * (1 + streams opened) = 4.
            for (int i = 0; i < 4; i++) {
                RawH2.frame(out, 2, 0, 1, new byte[] {0, 0, 0, 0, 15});
            }
            RawH2.ping(out, s.getInputStream());
            assertThat(stat(proxy, "http2.inbound_priority_frames_flood")).isZero();
            RawH2.frame(out, 2, 0, 1, new byte[] {0, 0, 0, 0, 15});
            out.flush();
            assertThat(RawH2.goAwayError(s.getInputStream())).isEqualTo(Http2Error.ENHANCE_YOUR_CALM.code());
            awaitStat(proxy, "http2.inbound_priority_frames_flood", 1);
            assertThat(stat(proxy, "http2.inbound_window_update_frames_flood")).isZero();
        }
    }

    @Test
    void windowUpdatesPastEnvoysLimitAreAFlood() throws Exception {
        try (H2Upstream up = new H2Upstream(null, 0);
                ProxyHarness proxy = proxy(
                        "http2_protocol_options: { max_inbound_window_update_frames_per_data_frame_sent: 1 }",
                        "",
                        "",
                        up.port());
                Socket s = RawH2.connect(proxy.listener("h2"))) {
            OutputStream out = s.getOutputStream();
            RawH2.headers(out, 1, false); // the upstream answers once the request ends: no DATA is sent
            // The limit is 5 + 2 * (streams opened + 1 * DATA frames sent) = 7.
            for (int i = 0; i < 7; i++) {
                RawH2.frame(out, 8, 0, 0, new byte[] {0, 0, 0, 1});
            }
            RawH2.ping(out, s.getInputStream());
            assertThat(stat(proxy, "http2.inbound_window_update_frames_flood")).isZero();
            RawH2.frame(out, 8, 0, 0, new byte[] {0, 0, 0, 1});
            out.flush();
            assertThat(RawH2.goAwayError(s.getInputStream())).isEqualTo(Http2Error.ENHANCE_YOUR_CALM.code());
            awaitStat(proxy, "http2.inbound_window_update_frames_flood", 1);
            assertThat(stat(proxy, "http2.inbound_priority_frames_flood")).isZero();
        }
    }

    @Test
    void pingsFromAPeerThatDoesNotReadAreAnOutboundControlFlood() throws Exception {
        try (H2Upstream up = new H2Upstream(null, 0);
                ProxyHarness proxy =
                        proxy("http2_protocol_options: { max_outbound_control_frames: 100 }", "", "", up.port());
                Socket s = RawH2.connect(proxy.listener("h2"))) {
            OutputStream out = s.getOutputStream();
            byte[] batch = new byte[17 * 1000];
            for (int i = 0; i < 1000; i++) {
                batch[i * 17 + 2] = 8; // length
                batch[i * 17 + 3] = 6; // PING
            }
            // The client reads nothing: once the socket buffers are full (a few MB of PING ACKs), ACKs stay queued
            // in the proxy. Bounded: at most 2,000 batches (34 MB).
            for (int i = 0; i < 2_000; i++) {
                if (i % 20 == 0 && valueOf(proxy, "http2.outbound_control_flood") > 0) {
                    break;
                }
                try {
                    out.write(batch);
                } catch (IOException closedByTheProxy) {
                    break;
                }
            }
            awaitStat(proxy, "http2.outbound_control_flood", 1);
            assertThat(stat(proxy, "http2.inbound_empty_frames_flood")).isZero();
        }
    }

    /** Raw HTTP/2 frames, for peers that break the rules a real codec would not let them break. */
    static final class RawH2 {
        static Socket connect(InetSocketAddress a) throws IOException {
            Socket s = new Socket();
            s.setReceiveBufferSize(4096);
            s.setSoTimeout(10_000);
            s.connect(a, 5_000);
            OutputStream out = s.getOutputStream();
            out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            frame(out, 4, 0, 0, new byte[0]); // SETTINGS
            return s;
        }

        static void frame(OutputStream out, int type, int flags, int stream, byte[] payload) throws IOException {
            int n = payload.length;
            out.write(new byte[] {
                (byte) (n >>> 16),
                (byte) (n >>> 8),
                (byte) n,
                (byte) type,
                (byte) flags,
                (byte) (stream >>> 24),
                (byte) (stream >>> 16),
                (byte) (stream >>> 8),
                (byte) stream
            });
            out.write(payload);
        }

        /** GET / with :authority test, HPACK-coded by hand (static table indexes and one literal). */
        static void headers(OutputStream out, int stream, boolean endStream) throws IOException {
            byte[] block = {(byte) 0x82, (byte) 0x86, (byte) 0x84, 0x01, 0x04, 't', 'e', 's', 't'};
            frame(out, 1, 0x4 | (endStream ? 0x1 : 0), stream, block);
        }

        /** Sends a PING and reads until its ACK: every frame sent before it has been processed. */
        static void ping(OutputStream out, InputStream in) throws IOException {
            frame(out, 6, 0, 0, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
            out.flush();
            while (true) {
                byte[] head = in.readNBytes(9);
                if (head.length < 9) {
                    throw new IOException("connection closed before the PING ACK");
                }
                int n = ((head[0] & 0xff) << 16) | ((head[1] & 0xff) << 8) | (head[2] & 0xff);
                in.readNBytes(n);
                if (head[3] == 6 && (head[4] & 1) == 1) {
                    return;
                }
            }
        }

        /** Reads frames until a GOAWAY; returns its error code. */
        static long goAwayError(InputStream in) throws IOException {
            while (true) {
                byte[] head = in.readNBytes(9);
                if (head.length < 9) {
                    throw new IOException("connection closed without GOAWAY");
                }
                int n = ((head[0] & 0xff) << 16) | ((head[1] & 0xff) << 8) | (head[2] & 0xff);
                byte[] payload = in.readNBytes(n);
                if (head[3] == 7) {
                    return ((payload[4] & 0xffL) << 24)
                            | ((payload[5] & 0xff) << 16)
                            | ((payload[6] & 0xff) << 8)
                            | (payload[7] & 0xff);
                }
            }
        }
    }

    /**
     * An h2c server that answers every request with {@code response} (200 by default) and never answers a PING (a hung
     * peer, for keepalive).
     */
    static final class SilentUpstream implements AutoCloseable {
        private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        private final Channel server;

        SilentUpstream() {
            this(() -> new DefaultHttp2Headers().status("200"));
        }

        SilentUpstream(java.util.function.Supplier<io.netty.handler.codec.http2.Http2Headers> response) {
            server = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline()
                                    .addLast(Http2FrameCodecBuilder.forServer()
                                            .autoAckPingFrame(false)
                                            .build())
                                    .addLast(new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                                        @Override
                                        protected void initChannel(Http2StreamChannel sc) {
                                            sc.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                                @Override
                                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                                    if (msg instanceof Http2HeadersFrame h && h.isEndStream()) {
                                                        ctx.writeAndFlush(
                                                                new DefaultHttp2HeadersFrame(response.get(), true));
                                                    }
                                                    ReferenceCountUtil.release(msg);
                                                }
                                            });
                                        }
                                    }))
                                    .addLast(new ChannelInboundHandlerAdapter() {
                                        @Override
                                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                            ReferenceCountUtil.release(msg);
                                        }
                                    });
                        }
                    })
                    .bind(new InetSocketAddress("127.0.0.1", 0))
                    .syncUninterruptibly()
                    .channel();
        }

        int port() {
            return ((InetSocketAddress) server.localAddress()).getPort();
        }

        @Override
        public void close() {
            server.close().syncUninterruptibly();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
