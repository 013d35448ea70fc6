package dev.trellis.proxy.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.proxy.testing.ProxyHarness;
import dev.trellis.testing.LeakCheck;
import io.netty.channel.epoll.Epoll;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Envoy's {@code pipe} endpoints: an upstream on a unix domain socket (what Istio generates for a Sidecar ingress
 * {@code defaultEndpoint: unix://...}).
 */
@ExtendWith(LeakCheck.class)
class PipeEndpointTest {
    @TempDir
    Path dir;

    @Test
    void requestsReachAnUpstreamOnAUnixSocket() throws Exception {
        Assumptions.assumeTrue(Epoll.isAvailable(), "unix sockets need epoll");
        String path = dir.resolve("app.sock").toString();
        String bootstrap = """
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
                            virtual_hosts:
                            - { name: all, domains: ["*"], routes: [ { match: { prefix: "/" }, route: { cluster: app } } ] }
                          http_filters:
                          - name: envoy.filters.http.router
                            typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
                  clusters:
                  - name: app
                    type: STATIC
                    connect_timeout: 1s
                    load_assignment:
                      cluster_name: app
                      endpoints: [ { lb_endpoints: [ { endpoint: { address: { pipe: { path: "${PATH}" } } } } ] } ]
                """;
        try (var app = new dev.trellis.testing.UnixSocketHttpServer(path, "unix");
                ProxyHarness proxy = ProxyHarness.start(bootstrap, Map.of("PATH", path))) {
            HttpClient client =
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> r = client.send(
                        HttpRequest.newBuilder(URI.create(proxy.url("http", "/hello")))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).isEqualTo("unix /hello");
            }
        }
    }
}
