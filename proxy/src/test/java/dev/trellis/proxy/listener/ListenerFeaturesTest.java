package dev.trellis.proxy.listener;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.proxy.testing.ProxyHarness;
import dev.trellis.proxy.testing.RawHttp;
import dev.trellis.proxy.testing.TestUpstream;
import dev.trellis.testing.LeakCheck;
import java.net.InetSocketAddress;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Listener filters and chain selection over real sockets; bind_to_port false; original destination. */
@ExtendWith(LeakCheck.class)
class ListenerFeaturesTest {
    static final String BOOTSTRAP = """
            static_resources:
              listeners:
              - name: inspect
                address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
                listener_filters:
                - name: envoy.filters.listener.http_inspector
                  typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.listener.http_inspector.v3.HttpInspector }
                - name: envoy.filters.listener.original_dst
                  typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.listener.original_dst.v3.OriginalDst }
                use_original_dst: true
                filter_chains:
                - filter_chain_match: { application_protocols: ["http/1.1", "http/1.0"] }
                  filters:
                  - name: hcm
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                      stat_prefix: inspected_http
                      route_config:
                        virtual_hosts: [ { name: all, domains: ["*"], routes: [ { match: { prefix: "/" }, route: { cluster: up } } ] } ]
                      http_filters:
                      - name: envoy.filters.http.router
                        typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
                - filters:
                  - name: tcp
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                      stat_prefix: raw
                      cluster: up
              - name: virtual
                address: { socket_address: { address: 0.0.0.0, port_value: 15999 } }
                bind_to_port: false
                filter_chains:
                - filters:
                  - name: tcp
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                      stat_prefix: virtual
                      cluster: up
              clusters:
              - name: up
                type: STATIC
                load_assignment:
                  cluster_name: up
                  endpoints: [ { lb_endpoints: [ { endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${UP} } } } } ] } ]
            """;

    @Test
    void httpInspectorPicksTheHttpChainAndOthersFallBack() throws Exception {
        try (TestUpstream up = new TestUpstream("u");
                ProxyHarness p = ProxyHarness.start(BOOTSTRAP, Map.of("UP", up.port()))) {
            InetSocketAddress a = p.listener("inspect");
            try (RawHttp c = new RawHttp(a)) {
                c.send("GET /x HTTP/1.1\r\nHost: h\r\n\r\n");
                RawHttp.Response r = c.read();
                assertThat(r.status()).isEqualTo(200);
                // Through the HTTP connection manager: the proxy added its headers.
                assertThat(r.body()).contains("x-request-id:");
                assertThat(r.header("server")).isEqualTo("envoy");
            }
            assertThat(p.server.context().stats().text("http.inspected_http.downstream_rq_total"))
                    .contains(": 1");
            // Not redirected: the original destination is the listener itself, so no hand-off happens.
            assertThat(p.server.context().stats().text("tcp.virtual")).doesNotContain(": 1");
            // The bind_to_port: false listener exists but is not bound.
            assertThat(p.server.listeners().active()).containsKey("virtual");
            assertThat(p.listener("virtual").getPort()).isEqualTo(15999);
            try (var s = new java.net.Socket()) {
                org.assertj.core.api.Assertions.assertThatThrownBy(
                                () -> s.connect(new InetSocketAddress("127.0.0.1", 15999), 500))
                        .isInstanceOf(java.io.IOException.class);
            }
        }
    }

    @Test
    void sockaddrParsing() throws Exception {
        try (var arena = java.lang.foreign.Arena.ofConfined()) {
            var seg = arena.allocate(28);
            byte[] v4 = {2, 0, 0x1F, (byte) 0x90, 10, 1, 2, 3};
            java.lang.foreign.MemorySegment.copy(v4, 0, seg, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, v4.length);
            assertThat(OriginalDestination.parse(seg, false)).isEqualTo(new InetSocketAddress("10.1.2.3", 8080));
        }
    }
}
