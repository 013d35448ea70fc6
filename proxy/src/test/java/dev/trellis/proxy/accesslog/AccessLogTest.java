package dev.trellis.proxy.accesslog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trellis.proxy.config.ConfigException;
import dev.trellis.proxy.testing.ProxyHarness;
import dev.trellis.proxy.testing.RawHttp;
import dev.trellis.proxy.testing.TestUpstream;
import dev.trellis.testing.LeakCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(LeakCheck.class)
class AccessLogTest {
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
                      access_log:
                      - name: envoy.access_loggers.file
                        typed_config:
                          "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
                          path: ${DIR}/text.log
                          log_format:
                            text_format_source:
                              inline_string: "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL% %RESPONSE_CODE% %RESPONSE_FLAGS% %UPSTREAM_CLUSTER% %ROUTE_NAME% %BYTES_SENT% %REQ(X-MISSING)%\\n"
                      - name: envoy.access_loggers.file
                        typed_config:
                          "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
                          path: ${DIR}/json.log
                          log_format:
                            json_format: { code: "%RESPONSE_CODE%", flags: "%RESPONSE_FLAGS%", host: "%UPSTREAM_HOST%" }
                      - name: envoy.access_loggers.file
                        typed_config:
                          "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
                          path: ${DIR}/omit.log
                          log_format:
                            text_format_source:
                              inline_string: "[%RESPONSE_FLAGS%] [%REQ(X-MISSING)%] %RESPONSE_CODE%\\n"
                            omit_empty_values: true
                      - name: envoy.access_loggers.file
                        typed_config:
                          "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
                          path: ${DIR}/omit.json
                          log_format:
                            json_format: { code: "%RESPONSE_CODE%", flags: "%RESPONSE_FLAGS%", num: "%REQ(X-NUM)%", mixed: "m-%REQ(X-MISSING)%" }
                            omit_empty_values: true
                      route_config:
                        virtual_hosts:
                        - name: all
                          domains: ["*"]
                          routes:
                          - name: api
                            match: { prefix: "/api" }
                            route: { cluster: up }
                      http_filters:
                      - name: envoy.filters.http.router
                        typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
              clusters:
              - name: up
                type: STATIC
                load_assignment:
                  cluster_name: up
                  endpoints: [ { lb_endpoints: [ { endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${UP} } } } } ] } ]
            """;

    static List<String> lines(Path p, int n) throws Exception {
        long deadline = System.currentTimeMillis() + 5000;
        while (System.currentTimeMillis() < deadline) {
            if (Files.exists(p)) {
                List<String> l = Files.readAllLines(p);
                if (l.size() >= n) {
                    return l;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no " + n + " lines in " + p);
    }

    @Test
    void textAndJsonLogsWithResponseFlags(@TempDir Path dir) throws Exception {
        try (TestUpstream up = new TestUpstream("u");
                ProxyHarness p = ProxyHarness.start(BOOTSTRAP, Map.of("UP", up.port(), "DIR", dir))) {
            try (RawHttp c = new RawHttp(p.listener("http"))) {
                c.send("GET /api/x HTTP/1.1\r\nHost: h\r\nx-num: 42\r\n\r\n");
                assertThat(c.read().status()).isEqualTo(200);
                c.send("GET /nowhere HTTP/1.1\r\nHost: h\r\n\r\n");
                assertThat(c.read().status()).isEqualTo(404);
            }
            List<String> text = lines(dir.resolve("text.log"), 2);
            assertThat(text.get(0))
                    .startsWith("GET /api/x HTTP/1.1 200 - up api ")
                    .endsWith(" -");
            assertThat(text.get(1)).startsWith("GET /nowhere HTTP/1.1 404 NR - - ");
            List<String> json = lines(dir.resolve("json.log"), 2);
            // As Envoy: "no flags" is "-", a missing upstream host is null.
            assertThat(json.get(0))
                    .isEqualTo("{\"code\":200,\"flags\":\"-\",\"host\":\"127.0.0.1:" + up.port() + "\"}");
            assertThat(json.get(1)).isEqualTo("{\"code\":404,\"flags\":\"NR\",\"host\":null}");
            // omit_empty_values: a missing value prints as nothing in text, and its key is left out in JSON. A header
            // that looks like a number stays a string; only numeric operators alone are JSON numbers, as in Envoy.
            List<String> omit = lines(dir.resolve("omit.log"), 2);
            assertThat(omit.get(0)).isEqualTo("[-] [] 200");
            assertThat(omit.get(1)).isEqualTo("[NR] [] 404");
            List<String> omitJson = lines(dir.resolve("omit.json"), 2);
            assertThat(omitJson.get(0)).isEqualTo("{\"code\":200,\"flags\":\"-\",\"mixed\":\"m-\",\"num\":\"42\"}");
            assertThat(omitJson.get(1)).isEqualTo("{\"code\":404,\"flags\":\"NR\",\"mixed\":\"m-\"}");
        }
    }

    @Test
    void istiosDefaultTextFormatCompiles() {
        // pilot's EnvoyTextLogFormat, which Istio installs for HTTP and TCP listeners alike.
        String istio = "[%START_TIME%] \"%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%\" "
                + "%RESPONSE_CODE% %RESPONSE_FLAGS% %RESPONSE_CODE_DETAILS% %CONNECTION_TERMINATION_DETAILS% "
                + "\"%UPSTREAM_TRANSPORT_FAILURE_REASON%\" %BYTES_RECEIVED% %BYTES_SENT% %DURATION% "
                + "%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% \"%REQ(X-FORWARDED-FOR)%\" \"%REQ(USER-AGENT)%\" "
                + "\"%REQ(X-REQUEST-ID)%\" \"%REQ(:AUTHORITY)%\" \"%UPSTREAM_HOST%\" %UPSTREAM_CLUSTER_RAW% "
                + "%UPSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_REMOTE_ADDRESS% "
                + "%REQUESTED_SERVER_NAME% %ROUTE_NAME%\n";
        assertThatCode(() -> LogFormat.compile(istio, "x")).doesNotThrowAnyException();
    }

    @Test
    void unknownOperatorIsAConfigError() {
        assertThatThrownBy(() -> LogFormat.compile("%NOPE%", "x"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("%NOPE%");
        assertThatThrownBy(() -> LogFormat.compile("%REQ(a)", "x")).hasMessageContaining("unterminated");
    }
}
