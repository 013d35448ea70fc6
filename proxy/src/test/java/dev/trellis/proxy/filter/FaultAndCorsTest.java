package dev.trellis.proxy.filter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.proxy.testing.ProxyHarness;
import dev.trellis.proxy.testing.RawHttp;
import dev.trellis.proxy.testing.TestUpstream;
import dev.trellis.testing.LeakCheck;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The fault and CORS filters with per-route configs, as the control plane emits them. */
@ExtendWith(LeakCheck.class)
class FaultAndCorsTest {
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
                      stat_prefix: http
                      route_config:
                        virtual_hosts:
                        - name: all
                          domains: ["*"]
                          routes:
                          - match: { prefix: "/abort" }
                            route: { cluster: up }
                            typed_per_filter_config:
                              envoy.filters.http.fault:
                                "@type": type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault
                                abort: { http_status: 418, percentage: { numerator: 100, denominator: HUNDRED } }
                          - match: { prefix: "/grpc-abort" }
                            route: { cluster: up }
                            typed_per_filter_config:
                              envoy.filters.http.fault:
                                "@type": type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault
                                abort: { grpc_status: 14, percentage: { numerator: 100 } }
                          - match: { prefix: "/delay" }
                            route: { cluster: up }
                            typed_per_filter_config:
                              envoy.filters.http.fault:
                                "@type": type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault
                                delay: { fixed_delay: 0.3s, percentage: { numerator: 100, denominator: HUNDRED } }
                          - match: { prefix: "/cors" }
                            route: { cluster: up }
                            typed_per_filter_config:
                              envoy.filters.http.cors:
                                "@type": type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy
                                allow_origin_string_match: [ { exact: "https://app.example.com" } ]
                                allow_methods: "GET,POST"
                                allow_headers: "x-custom"
                                expose_headers: "x-exposed"
                                max_age: "600"
                          - match: { prefix: "/" }
                            route: { cluster: up }
                      http_filters:
                      - name: envoy.filters.http.fault
                        typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault }
                      - name: envoy.filters.http.cors
                        typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors }
                      - name: envoy.filters.http.router
                        typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
              clusters:
              - name: up
                type: STATIC
                load_assignment:
                  cluster_name: up
                  endpoints: [ { lb_endpoints: [ { endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${UP} } } } } ] } ]
            """;

    static TestUpstream up;
    static ProxyHarness proxy;

    @BeforeAll
    static void start() {
        up = new TestUpstream("u");
        proxy = ProxyHarness.start(BOOTSTRAP, Map.of("UP", up.port()));
    }

    @AfterAll
    static void stop() {
        proxy.close();
        up.close();
    }

    RawHttp.Response get(String request) throws Exception {
        try (RawHttp c = new RawHttp(proxy.listener("http"))) {
            c.send(request);
            return c.read();
        }
    }

    @Test
    void faultAbortAndDelay() throws Exception {
        RawHttp.Response abort = get("GET /abort HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(abort.status()).isEqualTo(418);
        assertThat(abort.body()).isEqualTo("fault filter abort");

        RawHttp.Response grpc = get("POST /grpc-abort HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
        assertThat(grpc.status()).isEqualTo(200);
        assertThat(grpc.header("grpc-status")).isEqualTo("14");
        assertThat(grpc.header("content-type")).isEqualTo("application/grpc");

        long t0 = System.nanoTime();
        RawHttp.Response delayed = get("POST /delay HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nbody");
        assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThanOrEqualTo(280);
        assertThat(delayed.status()).isEqualTo(200);
        assertThat(delayed.body()).contains("POST /delay").endsWith("body");

        assertThat(get("GET /plain HTTP/1.1\r\nHost: x\r\n\r\n").status()).isEqualTo(200);
    }

    @Test
    void corsPreflightAndSimpleRequests() throws Exception {
        RawHttp.Response pre = get("OPTIONS /cors HTTP/1.1\r\nHost: x\r\nOrigin: https://app.example.com\r\n"
                + "Access-Control-Request-Method: POST\r\n\r\n");
        assertThat(pre.status()).isEqualTo(200);
        assertThat(pre.header("access-control-allow-origin")).isEqualTo("https://app.example.com");
        assertThat(pre.header("access-control-allow-methods")).isEqualTo("GET,POST");
        assertThat(pre.header("access-control-max-age")).isEqualTo("600");

        RawHttp.Response simple = get("GET /cors HTTP/1.1\r\nHost: x\r\nOrigin: https://app.example.com\r\n\r\n");
        assertThat(simple.status()).isEqualTo(200);
        assertThat(simple.header("access-control-allow-origin")).isEqualTo("https://app.example.com");
        assertThat(simple.header("access-control-expose-headers")).isEqualTo("x-exposed");

        RawHttp.Response other = get("GET /cors HTTP/1.1\r\nHost: x\r\nOrigin: https://evil.example.com\r\n\r\n");
        assertThat(other.status()).isEqualTo(200);
        assertThat(other.header("access-control-allow-origin")).isNull();
    }
}
