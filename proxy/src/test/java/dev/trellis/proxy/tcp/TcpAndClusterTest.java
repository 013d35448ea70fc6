package dev.trellis.proxy.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.proxy.testing.LoopbackServer;
import dev.trellis.proxy.testing.ProxyHarness;
import dev.trellis.proxy.testing.RawHttp;
import dev.trellis.proxy.testing.TestUpstream;
import dev.trellis.testing.LeakCheck;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** tcp_proxy relaying, circuit breakers, DNS clusters and connection timeouts over loopback. */
@ExtendWith(LeakCheck.class)
class TcpAndClusterTest {
    static final String BOOTSTRAP = """
            static_resources:
              listeners:
              - name: tcp
                address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
                filter_chains:
                - filters:
                  - name: tcp
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                      stat_prefix: tcp
                      cluster: echo
                      idle_timeout: 1s
              - name: http
                address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
                filter_chains:
                - filters:
                  - name: hcm
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                      stat_prefix: http
                      stream_idle_timeout: 1s
                      common_http_protocol_options: { idle_timeout: 0.5s }
                      route_config:
                        virtual_hosts:
                        - name: all
                          domains: ["*"]
                          routes:
                          - match: { prefix: "/limited" }
                            route: { cluster: limited }
                          - match: { prefix: "/dns/" }
                            route: { cluster: dns, prefix_rewrite: "/", auto_host_rewrite: true }
                          - match: { prefix: "/" }
                            route: { cluster: http }
                      http_filters:
                      - name: envoy.filters.http.router
                        typed_config:
                          "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
              clusters:
              - name: echo
                type: STATIC
                connect_timeout: 1s
                load_assignment:
                  cluster_name: echo
                  endpoints: [ { lb_endpoints: [ { endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${ECHO} } } } } ] } ]
              - name: http
                type: STATIC
                connect_timeout: 1s
                load_assignment:
                  cluster_name: http
                  endpoints: [ { lb_endpoints: [ { endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${UP} } } } } ] } ]
              - name: limited
                type: STATIC
                connect_timeout: 1s
                circuit_breakers: { thresholds: [ { max_requests: 1 } ] }
                load_assignment:
                  cluster_name: limited
                  endpoints: [ { lb_endpoints: [ { endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${UP} } } } } ] } ]
              - name: dns
                type: STRICT_DNS
                connect_timeout: 1s
                dns_refresh_rate: 1s
                load_assignment:
                  cluster_name: dns
                  endpoints: [ { lb_endpoints: [ { endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${UP} } } } } ] } ]
            """;

    static ServerSocket echo;
    static ExecutorService pool = Executors.newCachedThreadPool();
    static TestUpstream upstream;
    static ProxyHarness proxy;

    @BeforeAll
    static void start() throws Exception {
        echo = LoopbackServer.echo();
        upstream = new TestUpstream("u");
        proxy = ProxyHarness.start(BOOTSTRAP, Map.of("ECHO", echo.getLocalPort(), "UP", upstream.port()));
        long deadline = System.currentTimeMillis() + 5000;
        while (proxy.server.context().clusters().get("dns") == null && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        upstream.close();
        echo.close();
        pool.shutdownNow();
    }

    @Test
    void tcpProxyRelaysBytesBothWays() throws Exception {
        try (Socket s = new Socket()) {
            s.connect(proxy.listener("tcp"), 2000);
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            byte[] big = new byte[2 * 1024 * 1024];
            for (int i = 0; i < big.length; i++) {
                big[i] = (byte) i;
            }
            // Write and read concurrently: the relay must keep both directions flowing with bounded buffers.
            Future<?> w = pool.submit(() -> {
                out.write(big);
                out.flush();
                return null;
            });
            byte[] back = in.readNBytes(big.length);
            w.get();
            assertThat(back).isEqualTo(big);
        }
        assertThat(proxy.server.context().stats().text("tcp.tcp.downstream_cx_total"))
                .doesNotContain(": 0");
    }

    @Test
    void tcpIdleTimeoutClosesTheConnection() throws Exception {
        try (Socket s = new Socket()) {
            s.connect(proxy.listener("tcp"), 2000);
            s.setSoTimeout(5000);
            s.getOutputStream().write("hi".getBytes(StandardCharsets.UTF_8));
            assertThat(new String(s.getInputStream().readNBytes(2), StandardCharsets.UTF_8))
                    .isEqualTo("hi");
            long t0 = System.nanoTime();
            assertThat(s.getInputStream().read()).isEqualTo(-1);
            assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThan(500);
        }
    }

    @Test
    void circuitBreakerOverflowIs503UO() throws Exception {
        InetSocketAddress a = proxy.listener("http");
        try (RawHttp slow = new RawHttp(a);
                RawHttp second = new RawHttp(a)) {
            slow.send("GET /limited/delay/500 HTTP/1.1\r\nHost: x\r\n\r\n");
            var active = proxy.server.context().clusters().get("limited").circuitBreakers().requests;
            long deadline = System.currentTimeMillis() + 3000;
            while (active.get() == 0 && System.currentTimeMillis() < deadline) {
                Thread.sleep(5);
            }
            second.send("GET /limited/now HTTP/1.1\r\nHost: x\r\n\r\n");
            RawHttp.Response r = second.read();
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.body()).contains("overflow");
            assertThat(slow.read().status()).isEqualTo(200);
        }
        assertThat(proxy.server.context().stats().text("cluster.limited.upstream_rq_pending_overflow"))
                .contains(": 1");
    }

    @Test
    void strictDnsClusterServes() throws Exception {
        try (RawHttp c = new RawHttp(proxy.listener("http"))) {
            c.send("GET /dns/hello HTTP/1.1\r\nHost: x\r\n\r\n");
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(200);
            // auto_host_rewrite uses the endpoint's DNS name.
            assertThat(r.body()).contains("GET /hello").contains("host: 127.0.0.1");
        }
    }

    @Test
    void streamIdleTimeoutIs408() throws Exception {
        try (RawHttp c = new RawHttp(proxy.listener("http"))) {
            c.send("GET /delay/4000 HTTP/1.1\r\nHost: x\r\n\r\n");
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(408);
            assertThat(r.body()).isEqualTo("stream timeout");
        }
    }

    @Test
    void idleConnectionIsClosed() throws Exception {
        try (RawHttp c = new RawHttp(proxy.listener("http"))) {
            c.send("GET /ok HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(c.read().status()).isEqualTo(200);
            long t0 = System.nanoTime();
            assertThat(c.closedByPeer()).isTrue();
            assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThan(300);
        }
    }
}
