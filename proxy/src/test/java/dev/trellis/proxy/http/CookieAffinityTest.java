package dev.trellis.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.proxy.testing.ProxyHarness;
import dev.trellis.proxy.testing.TestUpstream;
import dev.trellis.testing.LeakCheck;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Sticky sessions as Istio's {@code consistentHash.httpCookie} configures them: a RING_HASH cluster, a cookie hash
 * policy with a ttl. The first response sets the cookie; every request that carries it reaches the same host.
 */
@ExtendWith(LeakCheck.class)
class CookieAffinityTest {
    static final String BOOTSTRAP = """
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
                        - name: all
                          domains: ["*"]
                          routes:
                          - match: { prefix: "/" }
                            route:
                              cluster: pair
                              hash_policy: [ { cookie: { name: session, ttl: 3600s, path: / } } ]
                      http_filters:
                      - name: envoy.filters.http.router
                        typed_config:
                          "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
              clusters:
              - name: pair
                type: STATIC
                lb_policy: RING_HASH
                connect_timeout: 1s
                load_assignment:
                  cluster_name: pair
                  endpoints:
                  - lb_endpoints:
                    - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${A} } } }
                    - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${B} } } }
            """;

    TestUpstream a;
    TestUpstream b;
    ProxyHarness proxy;

    @BeforeEach
    void start() {
        a = new TestUpstream("a");
        b = new TestUpstream("b");
        proxy = ProxyHarness.start(BOOTSTRAP, Map.of("A", a.port(), "B", b.port()));
    }

    @AfterEach
    void stop() {
        proxy.close();
        a.close();
        b.close();
    }

    @Test
    void theFirstResponseSetsTheCookieAndItPinsTheHost() throws Exception {
        HttpClient client =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> first = client.send(
                HttpRequest.newBuilder(URI.create(proxy.url("http", "/"))).build(),
                HttpResponse.BodyHandlers.ofString());
        String setCookie = first.headers().firstValue("set-cookie").orElseThrow();
        assertThat(setCookie).matches("session=\"[0-9a-f]{16}\"; Max-Age=3600; Path=/; HttpOnly");
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        Set<String> hosts = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            // A new connection each time: without the cookie, ring hashing would have nothing to stick to.
            HttpResponse<String> r = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .build()
                    .send(
                            HttpRequest.newBuilder(URI.create(proxy.url("http", "/")))
                                    .header("cookie", cookie)
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("set-cookie")).isEmpty();
            hosts.add(r.body().contains("upstream=a") ? "a" : "b");
        }
        assertThat(hosts).hasSize(1);
        assertThat(first.body()).contains("upstream=" + hosts.iterator().next());
    }
}
