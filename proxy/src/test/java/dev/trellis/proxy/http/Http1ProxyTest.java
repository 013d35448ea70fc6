package dev.trellis.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.proxy.testing.ProxyHarness;
import dev.trellis.proxy.testing.RawHttp;
import dev.trellis.proxy.testing.TestUpstream;
import dev.trellis.testing.LeakCheck;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** HTTP/1.1 through the proxy over real loopback sockets. */
@ExtendWith(LeakCheck.class)
class Http1ProxyTest {
    static final String BOOTSTRAP = """
            admin:
              address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
            static_resources:
              listeners:
              - name: http
                address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
                filter_chains:
                - filters:
                  - name: hcm
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                      stat_prefix: ingress
                      codec_type: AUTO
                      max_request_headers_kb: 4
                      via: trellis-test
                      upgrade_configs: []
                      route_config:
                        name: local
                        response_headers_to_add:
                        - header: { key: x-config-level, value: config }
                        virtual_hosts:
                        - name: other
                          domains: ["other.example.com"]
                          routes:
                          - match: { prefix: "/api" }
                            route: { cluster: backend, prefix_rewrite: "/v2" }
                        - name: all
                          domains: ["*"]
                          request_headers_to_add:
                          - header: { key: x-vhost, value: all }
                          routes:
                          - match: { prefix: "/timeout" }
                            route: { cluster: backend, timeout: 0.3s }
                          - match: { prefix: "/direct" }
                            direct_response: { status: 200, body: { inline_string: "hello direct" } }
                          - match: { prefix: "/redirect" }
                            redirect: { https_redirect: true, response_code: FOUND }
                          - match: { prefix: "/dead" }
                            route: { cluster: dead }
                          - match: { prefix: "/missing-cluster" }
                            route: { cluster: nope }
                          - match: { prefix: "/ws" }
                            route: { cluster: backend, upgrade_configs: [ { upgrade_type: websocket } ] }
                          - match: { prefix: "/idle/" }
                            route: { cluster: backend, prefix_rewrite: "/", idle_timeout: 0.3s }
                          - match: { prefix: "/odst/" }
                            route: { cluster: odst, prefix_rewrite: "/" }
                          - match: { prefix: "/", headers: [ { name: x-block, present_match: true } ] }
                            direct_response: { status: 403 }
                          - match: { prefix: "/" }
                            route: { cluster: backend }
                            response_headers_to_add:
                            - header: { key: x-route-level, value: route }
                      http_filters:
                      - name: envoy.filters.http.router
                        typed_config:
                          "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
              clusters:
              - name: backend
                type: STATIC
                connect_timeout: 1s
                load_assignment:
                  cluster_name: backend
                  endpoints:
                  - lb_endpoints:
                    - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${UP} } } }
              - name: odst
                type: ORIGINAL_DST
                lb_policy: CLUSTER_PROVIDED
                connect_timeout: 1s
                original_dst_lb_config: { use_http_header: true }
              - name: dead
                type: STATIC
                connect_timeout: 0.5s
                load_assignment:
                  cluster_name: dead
                  endpoints:
                  - lb_endpoints:
                    - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${DEAD} } } }
            """;

    static TestUpstream upstream;
    static ProxyHarness proxy;
    static HttpClient client;

    @BeforeAll
    static void start() throws Exception {
        upstream = new TestUpstream("a");
        int dead;
        try (ServerSocket s = new ServerSocket(0)) {
            dead = s.getLocalPort();
        }
        proxy = ProxyHarness.start(BOOTSTRAP, Map.of("UP", upstream.port(), "DEAD", dead));
        client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    }

    @AfterAll
    static void stop() {
        proxy.close();
        upstream.close();
    }

    static HttpResponse<String> get(String path) throws Exception {
        return client.send(
                HttpRequest.newBuilder(URI.create(proxy.url("http", path)))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    RawHttp raw() throws Exception {
        return new RawHttp(proxy.listener("http"));
    }

    @Test
    void proxiesGetWithForwardingHeaders() throws Exception {
        HttpResponse<String> r = get("/hello?x=1");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("upstream=a").contains("GET /hello?x=1");
        assertThat(r.body()).containsPattern("x-request-id: [0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-");
        assertThat(r.body())
                .contains("x-forwarded-proto: http")
                .contains("via: trellis-test")
                .contains("x-vhost: all");
        assertThat(r.headers().firstValue("server")).hasValue("envoy");
        assertThat(r.headers().firstValue("x-route-level")).hasValue("route");
        assertThat(r.headers().firstValue("x-config-level")).hasValue("config");
        assertThat(r.headers().firstValue("x-envoy-upstream-service-time")).isPresent();
    }

    @Test
    void postBodyAndChunkedRequestBody() throws Exception {
        try (RawHttp c = raw()) {
            c.send("POST /post HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).endsWith("\nhello").contains("content-length: 5");
            c.send(
                    "POST /chunk HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
            r = c.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).endsWith("\nabcde");
        }
    }

    @Test
    void chunkedResponseIsRelayed() throws Exception {
        try (RawHttp c = raw()) {
            c.send("GET /chunked/3 HTTP/1.1\r\nHost: x\r\n\r\n");
            RawHttp.Response r = c.read();
            assertThat(r.header("transfer-encoding")).isEqualTo("chunked");
            assertThat(r.body()).isEqualTo("chunk0;chunk1;chunk2;");
        }
    }

    @Test
    void keepAliveReusesUpstreamConnections() throws Exception {
        get("/warm");
        int before = upstream.connections.get();
        try (RawHttp c = raw()) {
            for (int i = 0; i < 20; i++) {
                c.send("GET /k" + i + " HTTP/1.1\r\nHost: x\r\n\r\n");
                assertThat(c.read().body()).contains("GET /k" + i);
            }
        }
        assertThat(upstream.connections.get() - before).isLessThanOrEqualTo(1);
    }

    @Test
    void pipelinedRequestsAnswerInOrder() throws Exception {
        try (RawHttp c = raw()) {
            c.send(
                    "GET /delay/100 HTTP/1.1\r\nHost: x\r\n\r\nGET /p2 HTTP/1.1\r\nHost: x\r\n\r\nGET /direct HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(c.read().body()).contains("GET /delay/100");
            assertThat(c.read().body()).contains("GET /p2");
            assertThat(c.read().body()).isEqualTo("hello direct");
        }
    }

    @Test
    void expectContinueIsAnsweredByTheProxy() throws Exception {
        try (RawHttp c = raw()) {
            c.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
            RawHttp.Response interim = c.read();
            assertThat(interim.status()).isEqualTo(100);
            c.send("data");
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).endsWith("\ndata").doesNotContain("expect:");
        }
    }

    @Test
    void http10WithoutKeepAliveClosesAfterResponse() throws Exception {
        try (RawHttp c = raw()) {
            c.send("GET /ten HTTP/1.0\r\n\r\n");
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).contains("GET /ten");
            assertThat(c.closedByPeer()).isTrue();
        }
    }

    @Test
    void localRepliesCarryReasons() throws Exception {
        HttpResponse<String> direct = get("/direct");
        assertThat(direct.statusCode()).isEqualTo(200);
        assertThat(direct.body()).isEqualTo("hello direct");

        HttpResponse<String> redirect = get("/redirect/a?b=c");
        assertThat(redirect.statusCode()).isEqualTo(302);
        assertThat(redirect.headers().firstValue("location")).hasValue("https://127.0.0.1/redirect/a?b=c");

        HttpResponse<String> uf = get("/dead");
        assertThat(uf.statusCode()).isEqualTo(503);
        assertThat(uf.body()).contains("upstream connect error").contains("connection failure");

        HttpResponse<String> nc = get("/missing-cluster");
        assertThat(nc.statusCode()).isEqualTo(503);
        assertThat(nc.body()).contains("cluster not found");

        HttpResponse<String> ut = get("/timeout/delay");
        assertThat(ut.statusCode()).isEqualTo(200); // fast path under the timeout
        try (RawHttp c = raw()) {
            c.send("GET /timeout HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(c.read().status()).isEqualTo(200);
        }
    }

    @Test
    void routeTimeoutAnswers504() throws Exception {
        try (RawHttp c = raw()) {
            // /timeout routes with a 0.3 s timeout; the upstream path /delay is only reached via the rewrite-free
            // prefix, so ask for a delayed response under the /timeout prefix by its query.
            c.send("GET /timeout HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(c.read().status()).isEqualTo(200);
        }
        // A slow upstream behind the 0.3 s route.
        try (RawHttp c = raw()) {
            c.send("GET /timeout/../delay/2000 HTTP/1.1\r\nHost: x\r\n\r\n");
            RawHttp.Response r = c.read();
            assertThat(r.status()).isIn(200, 504);
        }
    }

    @Test
    void noRouteIs404WithFlagReason() throws Exception {
        try (RawHttp c = raw()) {
            c.send("GET /nothing HTTP/1.1\r\nHost: other.example.com\r\n\r\n");
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.body()).contains("no route");
        }
    }

    @Test
    void virtualHostByHostAndPrefixRewrite() throws Exception {
        try (RawHttp c = raw()) {
            c.send("GET /api/items?q=1 HTTP/1.1\r\nHost: other.example.com\r\n\r\n");
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).contains("GET /v2/items?q=1").contains("x-envoy-original-path: /api/items?q=1");
        }
    }

    @Test
    void headerMatchSelectsRoute() throws Exception {
        try (RawHttp c = raw()) {
            c.send("GET /x HTTP/1.1\r\nHost: x\r\nX-Block: 1\r\n\r\n");
            assertThat(c.read().status()).isEqualTo(403);
        }
    }

    @Test
    void tooLargeHeadersAre431() throws Exception {
        try (RawHttp c = raw()) {
            c.send("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(5000) + "\r\n\r\n");
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(431);
            assertThat(c.closedByPeer()).isTrue();
        }
    }

    @Test
    void malformedRequestIs400AndCloses() throws Exception {
        try (RawHttp c = raw()) {
            c.send("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n");
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(400);
            assertThat(c.closedByPeer()).isTrue();
        }
    }

    @Test
    void upstreamDisconnectBeforeResponseIs503() throws Exception {
        HttpResponse<String> r = get("/close");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).contains("reset reason: connection termination");
    }

    @Test
    void websocketUpgradeRelaysBytes() throws Exception {
        try (RawHttp c = raw()) {
            c.send("GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n");
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(101);
            assertThat(r.header("upgrade")).isEqualToIgnoringCase("websocket");
            c.send("ping-bytes");
            assertThat(new String(c.readN(10), StandardCharsets.UTF_8)).isEqualTo("ping-bytes");
        }
    }

    @Test
    void upgradeOnRouteWithoutItIs403() throws Exception {
        try (RawHttp c = raw()) {
            c.send("GET /other HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n");
            assertThat(c.read().status()).isEqualTo(403);
        }
    }

    @Test
    void bigResponseArrivesWhole() throws Exception {
        HttpResponse<String> r = get("/big/300000");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).hasSize(300000);
    }

    @Test
    void statsCountRequests() throws Exception {
        get("/count");
        String stats = proxy.server.context().stats().text(null);
        assertThat(stats)
                .contains("cluster.backend.upstream_rq_total: ")
                .contains("http.ingress.downstream_rq_total: ");
        assertThat(proxy.server.context().stats().prometheus())
                .contains("envoy_cluster_upstream_rq_total{envoy_cluster_name=\"backend\"}");
    }

    @Test
    void routeIdleTimeoutIs408BeforeResponseHeaders() throws Exception {
        try (RawHttp c = raw()) {
            c.send("GET /idle/delay/3000 HTTP/1.1\r\nHost: x\r\n\r\n");
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(408);
            assertThat(r.body()).isEqualTo("stream timeout");
        }
    }

    @Test
    void originalDstClusterFollowsTheHeader() throws Exception {
        try (RawHttp c = raw()) {
            c.send("GET /odst/here HTTP/1.1\r\nHost: x\r\nx-envoy-original-dst-host: 127.0.0.1:" + upstream.port()
                    + "\r\n\r\n");
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).contains("GET /here");
            // Without the header, a connection that was not redirected has no original destination but the
            // listener itself, which would loop: no healthy upstream.
            c.send("GET /odst/here HTTP/1.1\r\nHost: x\r\n\r\n");
            RawHttp.Response none = c.read();
            assertThat(none.status()).isEqualTo(503);
            assertThat(none.body()).isEqualTo("no healthy upstream");
        }
    }

    @Test
    void headRequestHasNoBody() throws Exception {
        try (RawHttp c = raw()) {
            c.send("HEAD /head HTTP/1.1\r\nHost: x\r\n\r\n");
            String status = c.readLine();
            assertThat(status).startsWith("HTTP/1.1 200");
            String line;
            while (!(line = c.readLine()).isEmpty()) {
                // headers
            }
            c.send("GET /after-head HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(c.read().body()).contains("GET /after-head");
        }
    }
}
