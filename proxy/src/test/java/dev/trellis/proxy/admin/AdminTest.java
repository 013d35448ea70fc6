package dev.trellis.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.proxy.log.LogLevel;
import dev.trellis.proxy.log.Logging;
import dev.trellis.proxy.testing.ProxyHarness;
import dev.trellis.testing.LeakCheck;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LeakCheck.class)
class AdminTest {
    static final String BOOTSTRAP = """
            node: { id: test-node, cluster: test }
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
                      route_config:
                        name: local
                        virtual_hosts: [ { name: all, domains: ["*"], routes: [ { match: { prefix: "/" }, direct_response: { status: 200 } } ] } ]
                      http_filters:
                      - name: envoy.filters.http.router
                        typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
              clusters:
              - name: backend
                type: STATIC
                load_assignment:
                  cluster_name: backend
                  endpoints: [ { lb_endpoints: [ { endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: 9 } } } } ] } ]
            """;

    static HttpResponse<String> call(ProxyHarness p, String method, String path) throws Exception {
        var a = p.server.adminAddress();
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.getPort() + path))
                                .method(method, HttpRequest.BodyPublishers.noBody())
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void endpoints() throws Exception {
        try (ProxyHarness p = ProxyHarness.start(BOOTSTRAP, Map.of())) {
            assertThat(call(p, "GET", "/ready").body()).isEqualTo("LIVE\n");
            assertThat(call(p, "GET", "/server_info").body())
                    .contains("\"state\": \"LIVE\"")
                    .contains("test-node");
            assertThat(call(p, "GET", "/stats").body()).contains("listener.127.0.0.1_");
            assertThat(call(p, "GET", "/stats/prometheus").body()).contains("# TYPE envoy_");
            String dump = call(p, "GET", "/config_dump").body();
            assertThat(dump)
                    .contains("envoy.admin.v3.BootstrapConfigDump")
                    .contains("\"static_clusters\"")
                    .contains("\"static_listeners\"")
                    .contains("\"stat_prefix\": \"ingress\"");
            assertThat(call(p, "GET", "/clusters").body()).contains("backend::127.0.0.1:9::health_flags::healthy");
            assertThat(call(p, "GET", "/listeners").body()).startsWith("http::127.0.0.1:");
            assertThat(call(p, "GET", "/nope").statusCode()).isEqualTo(404);
            assertThat(call(p, "GET", "/quitquitquit").statusCode()).isEqualTo(405);
            assertThat(call(p, "POST", "/healthcheck/fail").statusCode()).isEqualTo(200);
            assertThat(call(p, "GET", "/ready").statusCode()).isEqualTo(503);
            call(p, "POST", "/healthcheck/ok");
            assertThat(call(p, "GET", "/ready").statusCode()).isEqualTo(200);
            try {
                assertThat(call(p, "POST", "/logging?level=debug").body())
                        .isEqualTo("active loggers:\n  grpc: debug\n  netty: debug\n  trellis: debug\n");
                assertThat(call(p, "POST", "/logging?netty=warning").body())
                        .isEqualTo("active loggers:\n  grpc: debug\n  netty: warning\n  trellis: debug\n");
                assertThat(dev.trellis.proxy.log.Log.named("io.netty.channel.X").enabled(LogLevel.INFO))
                        .isFalse();
                assertThat(dev.trellis.proxy.log.Log.named("dev.trellis.proxy.X")
                                .enabled(LogLevel.DEBUG))
                        .isTrue();
                var bad = call(p, "POST", "/logging?level=loud");
                assertThat(bad.statusCode()).isEqualTo(400);
                assertThat(bad.body()).contains("unknown level 'loud'");
                assertThat(call(p, "POST", "/logging?kernel=info").body()).contains("unknown logger 'kernel'");
                assertThat(call(p, "GET", "/logging").body()).contains("trellis: debug");
            } finally {
                Logging.setLevels(Logging.Levels.defaults(LogLevel.INFO));
            }
            assertThat(call(p, "POST", "/quitquitquit").body()).isEqualTo("OK\n");
            assertThat(p.server.awaitStopped(5000)).isTrue();
        }
    }

    @Test
    void drainListenersStopsAccepting() throws Exception {
        try (ProxyHarness p = ProxyHarness.start(BOOTSTRAP, Map.of())) {
            var listener = p.listener("http");
            try (var s = new java.net.Socket(listener.getAddress(), listener.getPort())) {
                assertThat(s.isConnected()).isTrue();
            }
            assertThat(call(p, "GET", "/drain_listeners").statusCode()).isEqualTo(405);
            assertThat(call(p, "POST", "/drain_listeners?inboundonly").statusCode())
                    .isEqualTo(400);
            assertThat(call(p, "POST", "/drain_listeners").body()).isEqualTo("OK\n");
            org.assertj.core.api.Assertions.assertThatThrownBy(
                            () -> new java.net.Socket(listener.getAddress(), listener.getPort()).close())
                    .isInstanceOf(java.net.ConnectException.class);
        }
    }

    @Test
    void nonLoopbackAdminIsRejected() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ProxyHarness.start(
                        BOOTSTRAP.replace("address: 127.0.0.1, port_value: 0 } }\nstatic", "x"), Map.of()))
                .isNotNull();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ProxyHarness.start(
                        "admin: { address: { socket_address: { address: 0.0.0.0, port_value: 0 } } }", Map.of()))
                .hasMessageContaining("loopback");
    }
}
