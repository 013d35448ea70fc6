package dev.trellis.proxy.http2;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.proxy.server.ProxyServer;
import dev.trellis.proxy.testing.ProxyHarness;
import dev.trellis.testing.LeakCheck;
import io.netty.handler.codec.http2.Http2Error;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/2 through the proxy over loopback: a real Netty h2c client, the proxy (codec HTTP2 downstream, an explicit
 * HTTP/2 cluster upstream) and a real Netty h2c server ({@link H2Upstream}).
 */
@ExtendWith(LeakCheck.class)
class Http2ProxyTest {
    @TempDir
    Path dir;

    /** A bootstrap with {@code hcm} lines added to the connection manager and {@code cluster} to the h2 options. */
    static String bootstrap(String hcm, String clusterH2, String clusterExtra, int upPort, Path log) {
        return bootstrap(hcm, "", clusterH2, clusterExtra, upPort, log);
    }

    /** The same, with {@code clusterCommon} as the cluster's HttpProtocolOptions common_http_protocol_options. */
    static String bootstrap(
            String hcm, String clusterCommon, String clusterH2, String clusterExtra, int upPort, Path log) {
        return """
                static_resources:
                  listeners:
                  - name: h2
                    address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
                    filter_chains:
                    - filters:
                      - name: hcm
                        typed_config:
                          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                          stat_prefix: h2
                          codec_type: HTTP2
                          drain_timeout: 0.2s
                          access_log:
                          - name: envoy.access_loggers.file
                            typed_config:
                              "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
                              path: %s
                              log_format:
                                text_format_source:
                                  inline_string: "%%REQ(:PATH)%% %%PROTOCOL%% %%RESPONSE_CODE%% %%RESPONSE_FLAGS%%\\n"
                %s
                          route_config:
                            virtual_hosts:
                            - name: all
                              domains: ["*"]
                              routes:
                              - match: { prefix: "/" }
                                route: { cluster: up, timeout: 0s }
                          http_filters:
                          - name: envoy.filters.http.router
                            typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
                  clusters:
                  - name: up
                    type: STATIC
                    connect_timeout: 2s
                %s
                    typed_extension_protocol_options:
                      envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
                        "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
                %s
                        explicit_http_config: { http2_protocol_options: { %s } }
                    load_assignment:
                      cluster_name: up
                      endpoints:
                      - lb_endpoints:
                        - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: %d } } }
                """.formatted(
                log,
                indent(hcm, 10),
                indent(clusterExtra, 4),
                clusterCommon.isEmpty() ? "" : indent("common_http_protocol_options: { " + clusterCommon + " }", 8),
                clusterH2,
                upPort);
    }

    private static String indent(String lines, int n) {
        if (lines.isBlank()) {
            return "";
        }
        String pad = " ".repeat(n);
        return pad + lines.strip().replace("\n", "\n" + pad);
    }

    private ProxyHarness proxy(String hcm, String clusterH2, String clusterExtra, H2Upstream up) {
        return ProxyHarness.start(
                bootstrap(hcm, clusterH2, clusterExtra, up.port(), dir.resolve("access.log")),
                Map.of(),
                new ProxyServer.Options(1, 10_000));
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    private List<String> accessLog(int lines) throws Exception {
        Path p = dir.resolve("access.log");
        await(
                () -> {
                    try {
                        return Files.exists(p) && Files.readAllLines(p).size() >= lines;
                    } catch (java.io.IOException e) {
                        return false;
                    }
                },
                lines + " access log lines");
        return Files.readAllLines(p);
    }

    // ---- SETTINGS ---------------------------------------------------------------------------------------------

    @Test
    void hcmHttp2OptionsSetTheSettingsAndWindows() throws Exception {
        try (H2Upstream up = new H2Upstream(null, 0);
                ProxyHarness proxy = proxy("""
                        http2_protocol_options:
                          max_concurrent_streams: 7
                          initial_stream_window_size: 524288
                          initial_connection_window_size: 1048576
                          hpack_table_size: 8192
                        """, "", "", up);
                H2Client client = new H2Client(proxy.listener("h2"))) {
            var x = client.get("/hello");
            x.done.get(5, TimeUnit.SECONDS);
            assertThat(x.status()).isEqualTo("200");
            var s = client.serverSettings();
            assertThat(s.maxConcurrentStreams()).isEqualTo(7L);
            assertThat(s.initialWindowSize()).isEqualTo(524288);
            assertThat(s.headerTableSize()).isEqualTo(8192L);
            // What the client may still send on the connection: the proxy's connection window (minus nothing, the
            // request had no body).
            int connWindow = client.ch
                    .eventLoop()
                    .submit(() -> client.codec
                            .connection()
                            .remote()
                            .flowController()
                            .windowSize(client.codec.connection().connectionStream()))
                    .get();
            assertThat(connWindow).isEqualTo(1048576);
        }
    }

    @Test
    void defaultSettingsAreEnvoys() throws Exception {
        try (H2Upstream up = new H2Upstream(null, 0);
                ProxyHarness proxy = proxy("", "", "", up);
                H2Client client = new H2Client(proxy.listener("h2"))) {
            client.get("/x").done.get(5, TimeUnit.SECONDS);
            var s = client.serverSettings();
            assertThat(s.maxConcurrentStreams()).isEqualTo(2147483647L);
            assertThat(s.initialWindowSize()).isEqualTo(268435456);
        }
    }

    @Test
    void streamsBeyondMaxConcurrentStreamsAreRefused() throws Exception {
        try (H2Upstream up = new H2Upstream(null, 2);
                ProxyHarness proxy = proxy("http2_protocol_options: { max_concurrent_streams: 2 }", "", "", up);
                H2Client client = new H2Client(proxy.listener("h2"))) {
            client.serverSettings();
            var a = client.get("/hold");
            var b = client.get("/hold");
            assertThat(up.holdArrived.await(5, TimeUnit.SECONDS)).isTrue();
            client.ignoreServerStreamLimit();
            var c = client.get("/third");
            c.done.get(5, TimeUnit.SECONDS);
            assertThat(c.reset).isEqualTo(Http2Error.REFUSED_STREAM);
            assertThat(c.headers).isNotDone();
            up.release();
            a.done.get(5, TimeUnit.SECONDS);
            b.done.get(5, TimeUnit.SECONDS);
            assertThat(a.status()).isEqualTo("200");
            assertThat(b.status()).isEqualTo("200");
            assertThat(up.paths).doesNotContain("/third");
            // Once streams are free again, the connection takes new ones.
            var d = client.get("/fourth");
            d.done.get(5, TimeUnit.SECONDS);
            assertThat(d.status()).isEqualTo("200");
        }
    }

    @Test
    void oversizeHeaderListGets431() throws Exception {
        try (H2Upstream up = new H2Upstream(null, 0);
                ProxyHarness proxy = proxy("max_request_headers_kb: 1", "", "", up);
                H2Client client = new H2Client(proxy.listener("h2"))) {
            client.serverSettings();
            var big = client.request("GET", "/big-headers", Map.of("x-big", "v".repeat(1100)), null);
            big.done.get(5, TimeUnit.SECONDS);
            assertThat(big.status()).isEqualTo("431");
            assertThat(up.paths).doesNotContain("/big-headers");
            var ok = client.get("/after");
            ok.done.get(5, TimeUnit.SECONDS);
            assertThat(ok.status()).isEqualTo("200");
        }
    }

    // ---- GOAWAY -----------------------------------------------------------------------------------------------

    @Test
    void drainSendsGoAwayAndLetsStreamsInFlightFinish() throws Exception {
        try (H2Upstream up = new H2Upstream(null, 1);
                ProxyHarness proxy = proxy("", "", "", up);
                H2Client client = new H2Client(proxy.listener("h2"))) {
            var held = client.get("/hold");
            assertThat(up.holdArrived.await(5, TimeUnit.SECONDS)).isTrue();
            proxy.server.listeners().drainAll();
            await(() -> client.goAways.size() >= 1, "the first GOAWAY");
            // Envoy's first GOAWAY names the largest id: streams racing with it are still served.
            assertThat(client.goAways.get(0)).isEqualTo(Integer.MAX_VALUE);
            // After drain_timeout (0.2 s) the final GOAWAY names the last stream the client opened.
            await(() -> client.goAways.size() >= 2, "the final GOAWAY");
            assertThat(client.goAways.get(1)).isEqualTo(held.stream.stream().id());
            assertThat(client.ch.isActive())
                    .as("open while a stream is in flight")
                    .isTrue();
            up.release();
            held.done.get(5, TimeUnit.SECONDS);
            assertThat(held.status()).as(held.toString()).isEqualTo("200");
            assertThat(held.bodyText()).startsWith("/hold");
            assertThat(client.ch.closeFuture().await(5, TimeUnit.SECONDS))
                    .as("closed once its streams are done")
                    .isTrue();
        }
    }

    @Test
    void upstreamGoAwayDrainsTheConnectionAndNewRequestsUseAnother() throws Exception {
        try (H2Upstream up = new H2Upstream(null, 1);
                ProxyHarness proxy = proxy("", "", "", up);
                H2Client client = new H2Client(proxy.listener("h2"))) {
            var held = client.get("/hold");
            assertThat(up.holdArrived.await(5, TimeUnit.SECONDS)).isTrue();
            up.goAwayAll(); // last-stream-id = the held stream: it must still complete
            Thread.sleep(100);
            var next = client.get("/next");
            next.done.get(5, TimeUnit.SECONDS);
            assertThat(next.bodyText()).isEqualTo("/next conn=2 len=0");
            up.release();
            held.done.get(5, TimeUnit.SECONDS);
            assertThat(held.status()).isEqualTo("200");
            assertThat(held.bodyText()).isEqualTo("/hold conn=1");
        }
    }

    @Test
    void noRequestFailsWhileTheUpstreamKeepsSendingGoAway() throws Exception {
        try (H2Upstream up = new H2Upstream(null, 0);
                ProxyHarness proxy = proxy("", "", "", up);
                H2Client client = new H2Client(proxy.listener("h2"))) {
            List<H2Client.Exchange> all = new ArrayList<>();
            for (int batch = 0; batch < 8; batch++) {
                List<H2Client.Exchange> xs = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    xs.add(client.get(i == 2 ? "/goaway-after" : "/r" + batch + "-" + i));
                }
                for (var x : xs) {
                    x.done.get(5, TimeUnit.SECONDS);
                }
                all.addAll(xs);
            }
            assertThat(all)
                    .allSatisfy(x -> assertThat(x.status()).as(x.toString()).isEqualTo("200"));
            assertThat(up.connections()).isGreaterThan(1);
        }
    }

    @Test
    void streamsTheServerDidNotProcessAreSentAgain() throws Exception {
        try (H2Upstream up = new H2Upstream(null, 0);
                ProxyHarness proxy = proxy("", "", "", up);
                H2Client client = new H2Client(proxy.listener("h2"))) {
            client.get("/warm").done.get(5, TimeUnit.SECONDS);
            byte[] body = "the request body".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            // RST_STREAM REFUSED_STREAM: sent again (with its body) on the same connection.
            var refused = client.request("POST", "/refuse-once", Map.of(), body);
            refused.done.get(5, TimeUnit.SECONDS);
            assertThat(refused.status()).isEqualTo("200");
            assertThat(refused.bodyText()).isEqualTo("/refuse-once conn=1 len=" + body.length);
            // GOAWAY with a last-stream-id below the stream: sent again on a new connection.
            var goneAway = client.request("POST", "/goaway-refuse", Map.of(), body);
            goneAway.done.get(5, TimeUnit.SECONDS);
            assertThat(goneAway.status()).isEqualTo("200");
            assertThat(goneAway.bodyText()).isEqualTo("/goaway-refuse conn=2 len=" + body.length);
            assertThat(up.paths)
                    .containsSubsequence("/refuse-once", "/refuse-once", "/goaway-refuse", "/goaway-refuse");
        }
    }

    // ---- upstream stream limits -------------------------------------------------------------------------------

    @Test
    void serverStreamLimitOpensMoreConnections() throws Exception {
        try (H2Upstream up = new H2Upstream(2L, 5);
                ProxyHarness proxy = proxy("", "", "", up);
                H2Client client = new H2Client(proxy.listener("h2"))) {
            List<H2Client.Exchange> xs = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                xs.add(client.get("/hold"));
            }
            assertThat(up.holdArrived.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(up.connections()).isEqualTo(3);
            assertThat(up.maxConcurrentSeen.values())
                    .allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(2));
            up.release();
            for (var x : xs) {
                x.done.get(5, TimeUnit.SECONDS);
                assertThat(x.status()).isEqualTo("200");
            }
        }
    }

    @Test
    void clusterStreamLimitAndConnectionBreakerQueueRequests() throws Exception {
        try (H2Upstream up = new H2Upstream(null, 1);
                ProxyHarness proxy = proxy(
                        "",
                        "max_concurrent_streams: 1",
                        "circuit_breakers: { thresholds: [ { max_connections: 1 } ] }",
                        up);
                H2Client client = new H2Client(proxy.listener("h2"))) {
            var held = client.get("/hold");
            assertThat(up.holdArrived.await(5, TimeUnit.SECONDS)).isTrue();
            var queued = client.get("/queued");
            Thread.sleep(200);
            assertThat(queued.done).as("waits for a free stream").isNotDone();
            up.release();
            held.done.get(5, TimeUnit.SECONDS);
            queued.done.get(5, TimeUnit.SECONDS);
            assertThat(queued.bodyText()).isEqualTo("/queued conn=1 len=0");
            assertThat(up.connections()).isEqualTo(1);
            assertThat(up.maxConcurrentSeen.get(1)).isEqualTo(1);
        }
    }

    // ---- RST_STREAM -------------------------------------------------------------------------------------------

    @Test
    void clientResetCancelsTheUpstreamStreamAndLogsDc() throws Exception {
        try (H2Upstream up = new H2Upstream(null, 1);
                ProxyHarness proxy = proxy("", "", "", up);
                H2Client client = new H2Client(proxy.listener("h2"))) {
            var held = client.get("/hold");
            assertThat(up.holdArrived.await(5, TimeUnit.SECONDS)).isTrue();
            held.cancel();
            await(() -> up.resetsSeen.contains("/hold CANCEL"), "the upstream stream reset");
            assertThat(accessLog(1)).containsExactly("/hold HTTP/2 0 DC");
            var other = client.get("/other");
            other.done.get(5, TimeUnit.SECONDS);
            assertThat(other.status()).isEqualTo("200");
            assertThat(other.bodyText()).isEqualTo("/other conn=1 len=0");
        }
    }

    @Test
    void upstreamResetBeforeHeadersIs503AfterHeadersIsAReset() throws Exception {
        try (H2Upstream up = new H2Upstream(null, 0);
                ProxyHarness proxy = proxy("", "", "", up);
                H2Client client = new H2Client(proxy.listener("h2"))) {
            var before = client.get("/reset-before");
            before.done.get(5, TimeUnit.SECONDS);
            assertThat(before.status()).isEqualTo("503");
            assertThat(before.bodyText())
                    .isEqualTo("upstream connect error or disconnect/reset before headers. reset reason: remote reset");

            var after = client.get("/reset-after");
            after.done.get(5, TimeUnit.SECONDS);
            assertThat(after.status()).isEqualTo("200");
            await(() -> after.reset != null, "the downstream reset");
            assertThat(after.reset).isNotNull();

            // The connections (downstream and upstream) and their other streams are unaffected.
            var ok = client.get("/ok");
            ok.done.get(5, TimeUnit.SECONDS);
            assertThat(ok.bodyText()).isEqualTo("/ok conn=1 len=0");
            assertThat(client.ch.isActive()).isTrue();
            // Envoy's flag for a stream the upstream reset is UR (UC is for a connection that ended).
            assertThat(accessLog(3))
                    .contains("/reset-before HTTP/2 503 UR", "/reset-after HTTP/2 200 UR", "/ok HTTP/2 200 -");
        }
    }

    // ---- connection lifetimes ---------------------------------------------------------------------------------

    @Test
    void anIdleDownstreamConnectionIsDrainedWithGoAway() throws Exception {
        try (H2Upstream up = new H2Upstream(null, 0);
                ProxyHarness proxy = proxy("common_http_protocol_options: { idle_timeout: 0.3s }", "", "", up);
                H2Client client = new H2Client(proxy.listener("h2"))) {
            var x = client.get("/once");
            x.done.get(5, TimeUnit.SECONDS);
            assertThat(client.ch.closeFuture().await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(client.goAways).startsWith(Integer.MAX_VALUE).hasSize(2);
            assertThat(client.goAways.get(1)).isEqualTo(x.stream.stream().id());
        }
    }

    @Test
    void maxRequestsPerConnectionRetiresUpstreamConnections() throws Exception {
        try (H2Upstream up = new H2Upstream(null, 0);
                ProxyHarness proxy = ProxyHarness.start(
                        bootstrap("", "max_requests_per_connection: 2", "", "", up.port(), dir.resolve("a.log")),
                        Map.of(),
                        new ProxyServer.Options(1, 10_000));
                H2Client client = new H2Client(proxy.listener("h2"))) {
            List<String> bodies = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                var x = client.get("/n" + i);
                x.done.get(5, TimeUnit.SECONDS);
                bodies.add(x.bodyText());
            }
            assertThat(bodies)
                    .containsExactly(
                            "/n0 conn=1 len=0",
                            "/n1 conn=1 len=0",
                            "/n2 conn=2 len=0",
                            "/n3 conn=2 len=0",
                            "/n4 conn=3 len=0");
        }
    }

    // ---- HTTP/1.1 downstream, HTTP/2 upstream -----------------------------------------------------------------

    @Test
    void http1RequestsTravelOverTheHttp2Pool() throws Exception {
        try (H2Upstream up = new H2Upstream(null, 0);
                ProxyHarness proxy = ProxyHarness.start(
                        bootstrap("", "", "", up.port(), dir.resolve("access.log"))
                                .replace("codec_type: HTTP2", "codec_type: AUTO"),
                        Map.of(),
                        new ProxyServer.Options(1, 10_000));
                var http = new dev.trellis.proxy.testing.RawHttp(proxy.listener("h2"))) {
            http.send("GET /get HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(http.read().body()).isEqualTo("/get conn=1 len=0");
            http.send("POST /length HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello");
            assertThat(http.read().body()).isEqualTo("/length conn=1 len=5");
            http.send("POST /chunked HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
            assertThat(http.read().body()).isEqualTo("/chunked conn=1 len=5");
            assertThat(up.connections()).isEqualTo(1);
        }
    }

    @Test
    void keepalivePingsAndClosesAConnectionWhosePeerDoesNotAnswer() throws Exception {
        String keepalive = "http2_protocol_options: { connection_keepalive: { interval: 0.1s, timeout: 0.3s } }";
        try (H2Upstream up = new H2Upstream(null, 0);
                ProxyHarness proxy = proxy(keepalive, "", "", up);
                H2Client alive = new H2Client(proxy.listener("h2"));
                H2Client dead = new H2Client(proxy.listener("h2"), false)) {
            assertThat(dead.ch.closeFuture().await(5, TimeUnit.SECONDS))
                    .as("closed when a PING goes unanswered")
                    .isTrue();
            assertThat(dead.pings).hasSize(1);
            await(() -> alive.pings.size() >= 3, "PINGs on the live connection");
            assertThat(alive.ch.isActive()).isTrue();
            var x = alive.get("/still-there");
            x.done.get(5, TimeUnit.SECONDS);
            assertThat(x.status()).isEqualTo("200");
        }
    }

    @Test
    void anUpstreamConnectionLostUnderAStreamIs503AndTheNextRequestReconnects() throws Exception {
        try (H2Upstream up = new H2Upstream(null, 1);
                ProxyHarness proxy = proxy("", "", "", up);
                H2Client client = new H2Client(proxy.listener("h2"))) {
            var held = client.get("/hold");
            assertThat(up.holdArrived.await(5, TimeUnit.SECONDS)).isTrue();
            up.closeAll();
            held.done.get(5, TimeUnit.SECONDS);
            assertThat(held.status()).isEqualTo("503");
            assertThat(held.bodyText())
                    .isEqualTo("upstream connect error or disconnect/reset before headers. reset reason: connection"
                            + " termination");
            var next = client.get("/next");
            next.done.get(5, TimeUnit.SECONDS);
            assertThat(next.bodyText()).isEqualTo("/next conn=2 len=0");
        }
    }

    @Test
    void maxConnectionDurationDrainsWithStreamsInFlight() throws Exception {
        try (H2Upstream up = new H2Upstream(null, 1);
                ProxyHarness proxy =
                        proxy("common_http_protocol_options: { max_connection_duration: 0.5s }", "", "", up);
                H2Client client = new H2Client(proxy.listener("h2"))) {
            var held = client.get("/hold");
            assertThat(up.holdArrived.await(5, TimeUnit.SECONDS)).isTrue();
            await(() -> client.goAways.size() >= 2, "both GOAWAYs");
            assertThat(client.goAways)
                    .containsExactly(Integer.MAX_VALUE, held.stream.stream().id());
            up.release();
            held.done.get(5, TimeUnit.SECONDS);
            assertThat(held.status()).isEqualTo("200");
            assertThat(client.ch.closeFuture().await(5, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void aResponseCompleteBeforeItsRequestEndsIsFollowedByResetNoError() throws Exception {
        try (H2Upstream up = new H2Upstream(null, 0);
                ProxyHarness proxy = proxy("", "", "", up);
                H2Client client = new H2Client(proxy.listener("h2"))) {
            // Headers without END_STREAM, and no body yet: the request stays open.
            var early = client.open("POST", "/early", Map.of(), s -> {}, s -> {});
            early.done.get(5, TimeUnit.SECONDS);
            assertThat(early.status()).isEqualTo("200");
            assertThat(early.bodyText()).isEqualTo("/early answered before the request ended");
            await(() -> early.reset != null, "the reset after the response");
            assertThat(early.reset).isEqualTo(Http2Error.NO_ERROR);
            var next = client.get("/next");
            next.done.get(5, TimeUnit.SECONDS);
            assertThat(next.status()).isEqualTo("200");
        }
    }
}
