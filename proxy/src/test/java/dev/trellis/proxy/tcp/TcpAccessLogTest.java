package dev.trellis.proxy.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import dev.trellis.proxy.accesslog.AccessLogs;
import dev.trellis.proxy.accesslog.LogFormat;
import dev.trellis.proxy.config.ConfigException;
import dev.trellis.proxy.http.ConnectionInfo;
import dev.trellis.proxy.testing.LoopbackServer;
import dev.trellis.proxy.testing.ProxyHarness;
import dev.trellis.testing.LeakCheck;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * tcp_proxy's access log over real loopback sockets, on both data paths ("splice": epoll, zero-copy; "copy": NIO,
 * Netty buffers): one line per downstream connection when it closes, in Istio's default text and JSON formats, with
 * exact byte counts, the upstream reached, and Envoy's response flags for connections that never reached one; the
 * connected and periodic flushes of {@code access_log_options}; and bad configurations.
 */
@ExtendWith(LeakCheck.class)
class TcpAccessLogTest {
    /** Istio's default text format (pilot's EnvoyTextLogFormat), used for HTTP and TCP alike. */
    static final String ISTIO_TEXT = "[%START_TIME%] \\\"%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% "
            + "%PROTOCOL%\\\" %RESPONSE_CODE% %RESPONSE_FLAGS% %RESPONSE_CODE_DETAILS% %CONNECTION_TERMINATION_DETAILS% "
            + "\\\"%UPSTREAM_TRANSPORT_FAILURE_REASON%\\\" %BYTES_RECEIVED% %BYTES_SENT% %DURATION% "
            + "%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% \\\"%REQ(X-FORWARDED-FOR)%\\\" \\\"%REQ(USER-AGENT)%\\\" "
            + "\\\"%REQ(X-REQUEST-ID)%\\\" \\\"%REQ(:AUTHORITY)%\\\" \\\"%UPSTREAM_HOST%\\\" %UPSTREAM_CLUSTER_RAW% "
            + "%UPSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_REMOTE_ADDRESS% "
            + "%REQUESTED_SERVER_NAME% %ROUTE_NAME%\\n";

    /** Istio's default JSON format (EnvoyJSONLogFormatIstio), as a YAML flow map. */
    static final String ISTIO_JSON = "{ "
            + "start_time: \"%START_TIME%\", "
            + "route_name: \"%ROUTE_NAME%\", "
            + "method: \"%REQ(:METHOD)%\", "
            + "path: \"%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%\", "
            + "protocol: \"%PROTOCOL%\", "
            + "response_code: \"%RESPONSE_CODE%\", "
            + "response_flags: \"%RESPONSE_FLAGS%\", "
            + "response_code_details: \"%RESPONSE_CODE_DETAILS%\", "
            + "connection_termination_details: \"%CONNECTION_TERMINATION_DETAILS%\", "
            + "bytes_received: \"%BYTES_RECEIVED%\", "
            + "bytes_sent: \"%BYTES_SENT%\", "
            + "duration: \"%DURATION%\", "
            + "upstream_service_time: \"%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)%\", "
            + "x_forwarded_for: \"%REQ(X-FORWARDED-FOR)%\", "
            + "user_agent: \"%REQ(USER-AGENT)%\", "
            + "request_id: \"%REQ(X-REQUEST-ID)%\", "
            + "authority: \"%REQ(:AUTHORITY)%\", "
            + "upstream_host: \"%UPSTREAM_HOST%\", "
            + "upstream_cluster: \"%UPSTREAM_CLUSTER_RAW%\", "
            + "upstream_local_address: \"%UPSTREAM_LOCAL_ADDRESS%\", "
            + "downstream_local_address: \"%DOWNSTREAM_LOCAL_ADDRESS%\", "
            + "downstream_remote_address: \"%DOWNSTREAM_REMOTE_ADDRESS%\", "
            + "requested_server_name: \"%REQUESTED_SERVER_NAME%\", "
            + "upstream_transport_failure_reason: \"%UPSTREAM_TRANSPORT_FAILURE_REASON%\" }";

    static final String ISTIO_LOGS = """
                      access_log:
                      - name: envoy.access_loggers.file
                        typed_config:
                          "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
                          path: ${DIR}/istio.log
                          log_format:
                            text_format_source:
                              inline_string: "%s"
                      - name: envoy.access_loggers.file
                        typed_config:
                          "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
                          path: ${DIR}/istio.json
                          log_format:
                            json_format: %s
                            json_format_options: { sort_properties: false }
            """.formatted(ISTIO_TEXT, ISTIO_JSON);

    static String listener(String name, String cluster, String more) {
        return """
              - name: %s
                address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
                filter_chains:
                - filters:
                  - name: tcp
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                      stat_prefix: %s
                      cluster: %s
            %s""".formatted(name, name, cluster, more);
    }

    static String cluster(String name, String port, String more) {
        String endpoints = port == null
                ? "[]"
                : "[ { lb_endpoints: [ { endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: "
                        + port + " } } } } ] } ]";
        return """
              - name: %s
                connect_timeout: 1s
            %s    load_assignment: { cluster_name: %s, endpoints: %s }
            """.formatted(name, more, name, endpoints);
    }

    static final String PERIODIC_LOG = """
                      access_log_options: { access_log_flush_interval: 0.05s, flush_access_log_on_connected: true }
                      access_log:
                      - name: envoy.access_loggers.file
                        typed_config:
                          "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
                          path: ${DIR}/periodic.log
                          log_format:
                            text_format_source:
                              inline_string: "%ACCESS_LOG_TYPE% %BYTES_RECEIVED% %BYTES_SENT% %UPSTREAM_HOST% %DOWNSTREAM_REMOTE_ADDRESS%\\n"
            """;

    /** tls_inspector in front of tcp_proxy: the ClientHello's SNI is the log's %REQUESTED_SERVER_NAME%. */
    static final String SNI_LISTENER = """
              - name: sni
                address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
                listener_filters:
                - name: envoy.filters.listener.tls_inspector
                  typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector }
                filter_chains:
                - filters:
                  - name: tcp
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                      stat_prefix: sni
                      cluster: echo
                      access_log:
                      - name: envoy.access_loggers.file
                        typed_config:
                          "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
                          path: ${DIR}/sni.log
                          log_format:
                            text_format_source:
                              inline_string: "%REQUESTED_SERVER_NAME% %DOWNSTREAM_REMOTE_ADDRESS%\\n"
            """;

    static final String BOOTSTRAP = "static_resources:\n  listeners:\n"
            + listener("istio", "reply", ISTIO_LOGS)
            + listener("refused", "refused", ISTIO_LOGS)
            + listener("nohost", "nohost", ISTIO_LOGS)
            + listener("nocluster", "ghost", ISTIO_LOGS)
            + listener("full", "full", ISTIO_LOGS)
            + listener("periodic", "echo", PERIODIC_LOG)
            + SNI_LISTENER
            + "  clusters:\n"
            + cluster("reply", "${REPLY}", "")
            + cluster("refused", "${REFUSED}", "")
            + cluster("nohost", null, "")
            + cluster("full", "${REPLY}", "    circuit_breakers: { thresholds: [ { max_connections: 0 } ] }\n")
            + cluster("echo", "${ECHO}", "");

    static final int REPLY_BYTES = 100_000;
    static ServerSocket reply;
    static ServerSocket echo;
    static int refusedPort;
    /** Where the "reply" upstream saw each connection come from (the proxy's upstream local address). */
    static final BlockingQueue<SocketAddress> replyPeers = new ArrayBlockingQueue<>(64);

    static Path spliceDir;
    static Path copyDir;
    static RelayPaths paths;

    @BeforeAll
    static void start() throws Exception {
        // Reads to end of stream, then answers with the count and 100,000 bytes: the two directions differ in size.
        reply = LoopbackServer.serve(s -> {
            replyPeers.add(s.getRemoteSocketAddress());
            long n = s.getInputStream().transferTo(OutputStream.nullOutputStream());
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeLong(n);
            out.write(new byte[REPLY_BYTES]);
            out.flush();
        });
        echo = LoopbackServer.echo();
        try (ServerSocket gone = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            refusedPort = gone.getLocalPort();
        }
        spliceDir = Files.createTempDirectory("trellis-tcp-log-splice");
        copyDir = Files.createTempDirectory("trellis-tcp-log-copy");
        paths = RelayPaths.start(BOOTSTRAP, path -> vars(dir(path)));
    }

    static Map<String, Object> vars(Path dir) {
        return Map.of("DIR", dir, "REPLY", reply.getLocalPort(), "ECHO", echo.getLocalPort(), "REFUSED", refusedPort);
    }

    @AfterAll
    static void stop() throws Exception {
        if (paths != null) {
            paths.close();
        }
        reply.close();
        echo.close();
        for (Path d : new Path[] {spliceDir, copyDir}) {
            try (var files = Files.list(d)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(d);
        }
    }

    static ProxyHarness proxy(String path) {
        return paths.proxy(path);
    }

    static Path dir(String path) {
        return path.equals("splice") ? spliceDir : copyDir;
    }

    static Socket connect(String path, String listener) throws IOException {
        return paths.connect(path, listener);
    }

    /** The lines of a log that mention {@code needle}, waiting (bounded) until there are {@code n} of them. */
    static List<String> lines(Path file, String needle, int n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        List<String> found = List.of();
        while (System.nanoTime() < deadline) {
            if (Files.exists(file)) {
                found = Files.readAllLines(file).stream()
                        .filter(l -> l.contains(needle))
                        .toList();
                if (found.size() >= n) {
                    return found;
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("wanted " + n + " lines with '" + needle + "' in " + file + ", found " + found);
    }

    static String only(Path file, String needle) throws Exception {
        List<String> l = lines(file, needle, 1);
        assertThat(l).hasSize(1);
        return l.get(0);
    }

    static Map<String, Value> json(String line) throws Exception {
        Struct.Builder b = Struct.newBuilder();
        JsonFormat.parser().merge(line, b);
        return b.getFieldsMap();
    }

    static String port(String path, String listener) {
        return Integer.toString(proxy(path).listener(listener).getPort());
    }

    @ParameterizedTest
    @ValueSource(strings = {"splice", "copy"})
    void theSniThatTlsInspectorReadIsTheRequestedServerName(String path) throws Exception {
        // A real ClientHello from the JDK's TLS client, naming the server the way a sidecar's client would.
        javax.net.ssl.SSLEngine client = javax.net.ssl.SSLContext.getDefault().createSSLEngine();
        client.setUseClientMode(true);
        javax.net.ssl.SSLParameters params = client.getSSLParameters();
        params.setServerNames(List.of(new javax.net.ssl.SNIHostName("reviews.default.svc.cluster.local")));
        client.setSSLParameters(params);
        java.nio.ByteBuffer hello =
                java.nio.ByteBuffer.allocate(client.getSession().getPacketBufferSize());
        client.wrap(java.nio.ByteBuffer.allocate(0), hello);
        hello.flip();
        byte[] bytes = new byte[hello.remaining()];
        hello.get(bytes);
        String me;
        try (Socket s = connect(path, "sni")) {
            me = "127.0.0.1:" + s.getLocalPort();
            s.getOutputStream().write(bytes);
            s.shutdownOutput();
            assertThat(s.getInputStream().readAllBytes()).isEqualTo(bytes);
        }
        assertThat(only(dir(path).resolve("sni.log"), me)).isEqualTo("reviews.default.svc.cluster.local " + me);
        // Without a ClientHello there is no server name: Envoy prints "-".
        try (Socket s = connect(path, "istio")) {
            me = "127.0.0.1:" + s.getLocalPort();
            s.shutdownOutput();
            s.getInputStream().readAllBytes();
        }
        assertThat(only(dir(path).resolve("istio.log"), " " + me + " ")).endsWith(" " + me + " - -");
    }

    @ParameterizedTest
    @ValueSource(strings = {"splice", "copy"})
    void istioFormatsLogARelayedConnectionWithExactByteCounts(String path) throws Exception {
        replyPeers.clear();
        long relays0 = SpliceRelay.relays();
        byte[] data = new byte[300_000];
        new Random(11).nextBytes(data);
        String me;
        try (Socket s = connect(path, "istio")) {
            me = "127.0.0.1:" + s.getLocalPort();
            s.getOutputStream().write(data);
            s.shutdownOutput();
            DataInputStream in = new DataInputStream(s.getInputStream());
            assertThat(in.readLong()).isEqualTo(data.length);
            assertThat(in.readNBytes(REPLY_BYTES)).hasSize(REPLY_BYTES);
            assertThat(in.read()).isEqualTo(-1);
        }
        // The connection took the path under test: the kernel moved the bytes, or Netty buffers did.
        assertThat(SpliceRelay.relays() - relays0).isEqualTo(path.equals("splice") ? 1 : 0);
        InetSocketAddress peer = (InetSocketAddress) replyPeers.poll(5, TimeUnit.SECONDS);
        String upstreamLocal = "127.0.0.1:" + peer.getPort();
        String text = only(dir(path).resolve("istio.log"), " " + me + " ");
        // Envoy's TCP line in Istio's format: no request, response code 0, downstream bytes in and out.
        assertThat(text)
                .matches(Pattern.quote("[") + "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"
                        + Pattern.quote("] \"- - -\" 0 - - - \"-\" " + data.length + " " + (8 + REPLY_BYTES) + " ")
                        + "\\d+"
                        + Pattern.quote(" - \"-\" \"-\" \"-\" \"-\" \"127.0.0.1:" + reply.getLocalPort() + "\" reply "
                                + upstreamLocal + " 127.0.0.1:" + port(path, "istio") + " " + me + " - -"));
        Map<String, Value> j = json(only(dir(path).resolve("istio.json"), "\"" + me + "\""));
        assertThat(j.get("bytes_received").getNumberValue()).isEqualTo(data.length);
        assertThat(j.get("bytes_sent").getNumberValue()).isEqualTo(8 + REPLY_BYTES);
        assertThat(j.get("response_code").getNumberValue()).isEqualTo(0);
        assertThat(j.get("upstream_cluster").getStringValue()).isEqualTo("reply");
        assertThat(j.get("upstream_host").getStringValue()).isEqualTo("127.0.0.1:" + reply.getLocalPort());
        assertThat(j.get("upstream_local_address").getStringValue()).isEqualTo(upstreamLocal);
        assertThat(j.get("downstream_local_address").getStringValue()).isEqualTo("127.0.0.1:" + port(path, "istio"));
        assertThat(j.get("start_time").getStringValue()).endsWith("Z");
        for (String absent : List.of("method", "path", "protocol", "authority", "route_name")) {
            assertThat(j.get(absent).hasNullValue()).as(absent).isTrue();
        }
        // "No flags" is a value, "-", in Envoy's JSON logs too.
        assertThat(j.get("response_flags").getStringValue()).isEqualTo("-");
    }

    @ParameterizedTest
    @ValueSource(strings = {"splice", "copy"})
    void aRefusedConnectIsLoggedUfUrxWithNoBytes(String path) throws Exception {
        String me;
        try (Socket s = connect(path, "refused")) {
            me = "127.0.0.1:" + s.getLocalPort();
            s.getOutputStream().write(new byte[100]);
            int r;
            try {
                r = s.getInputStream().read();
            } catch (SocketException reset) {
                r = -1;
            }
            assertThat(r).isEqualTo(-1);
        }
        // Envoy's tcp_proxy: UF for the failed connect, URX because max_connect_attempts (1) is used up; the host
        // that refused is named; nothing was read from the downstream since there was nowhere to send it.
        assertThat(only(dir(path).resolve("istio.log"), " " + me + " "))
                .contains("\"- - -\" 0 UF,URX - - \"-\" 0 0 ")
                .endsWith(" \"127.0.0.1:" + refusedPort + "\" refused - 127.0.0.1:" + port(path, "refused") + " " + me
                        + " - -");
        Map<String, Value> j = json(only(dir(path).resolve("istio.json"), "\"" + me + "\""));
        assertThat(j.get("response_flags").getStringValue()).isEqualTo("UF,URX");
        assertThat(j.get("bytes_received").getNumberValue()).isEqualTo(0);
        assertThat(j.get("bytes_sent").getNumberValue()).isEqualTo(0);
        assertThat(j.get("upstream_local_address").hasNullValue()).isTrue();
    }

    @ParameterizedTest
    @CsvSource({
        // listener, flags, cluster in the log
        "nohost, UH, nohost",
        "nocluster, NC, -",
        "full, UO, full"
    })
    void connectionsThatNeverReachAnUpstreamCarryEnvoysFlag(String listener, String flags, String cluster)
            throws Exception {
        String me;
        try (Socket s = connect("splice", listener)) {
            me = "127.0.0.1:" + s.getLocalPort();
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
        assertThat(only(dir("splice").resolve("istio.log"), " " + me + " "))
                .contains("\"- - -\" 0 " + flags + " - - \"-\" 0 0 ")
                .endsWith(" \"-\" " + cluster + " - 127.0.0.1:" + port("splice", listener) + " " + me + " - -");
    }

    @ParameterizedTest
    @ValueSource(strings = {"splice", "copy"})
    void connectedAndPeriodicFlushesThenTheEnd(String path) throws Exception {
        Path log = dir(path).resolve("periodic.log");
        long relays0 = SpliceRelay.relays();
        String me;
        String up = "127.0.0.1:" + echo.getLocalPort();
        try (Socket s = connect(path, "periodic")) {
            me = "127.0.0.1:" + s.getLocalPort();
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write(new byte[10]);
            assertThat(in.readNBytes(10)).hasSize(10);
            // Periodic lines carry the counts so far: wait for one that has seen the first exchange.
            lines(log, "TcpPeriodic 10 10 " + up + " " + me, 1);
            out.write(new byte[5]);
            assertThat(in.readNBytes(5)).hasSize(5);
            s.shutdownOutput();
            assertThat(in.read()).isEqualTo(-1);
        }
        assertThat(SpliceRelay.relays() - relays0).isEqualTo(path.equals("splice") ? 1 : 0);
        lines(log, "TcpConnectionEnd 15 15 " + up + " " + me, 1);
        List<String> all = Files.readAllLines(log).stream()
                .filter(l -> l.endsWith(" " + me))
                .toList();
        // Connected before a byte moved (reads start once the upstream is there); the end line last, with all bytes.
        assertThat(all)
                .filteredOn(l -> l.startsWith("TcpUpstreamConnected"))
                .containsExactly("TcpUpstreamConnected 0 0 " + up + " " + me);
        assertThat(all.get(all.size() - 1)).isEqualTo("TcpConnectionEnd 15 15 " + up + " " + me);
        assertThat(all)
                .filteredOn(l -> !l.startsWith("TcpUpstreamConnected") && !l.startsWith("TcpConnectionEnd"))
                .isNotEmpty()
                .allMatch(l -> l.startsWith("TcpPeriodic "));
        // Exactly one end line, and no periodic line after it (the timer stops with the connection).
        Thread.sleep(150);
        List<String> later = Files.readAllLines(log).stream()
                .filter(l -> l.endsWith(" " + me))
                .toList();
        assertThat(later).isEqualTo(all);
    }

    @Test
    void tcpMeaningOfTheOperatorsAndTheOriginalDestination() {
        // Captured by a virtualOutbound-style listener: the client meant 10.9.9.9:8080, the socket is 15001's.
        ConnectionInfo info = new ConnectionInfo(
                new InetSocketAddress("10.1.1.1", 5555),
                new InetSocketAddress("127.0.0.1", 15001),
                new InetSocketAddress("10.9.9.9", 8080));
        TcpConnectionLog e = new TcpConnectionLog(AccessLogs.NONE, info, () -> 7, () -> 9);
        e.flag(TcpConnectionLog.NC
                | TcpConnectionLog.URX
                | TcpConnectionLog.UO
                | TcpConnectionLog.UF
                | TcpConnectionLog.UH);
        String line = LogFormat.compile(
                        "%DOWNSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_LOCAL_ADDRESS_WITHOUT_PORT% %DOWNSTREAM_REMOTE_ADDRESS% "
                                + "%REQ(:METHOD)% %RESP(CONTENT-TYPE)% %RESPONSE_CODE% %PROTOCOL% %RESPONSE_CODE_DETAILS% "
                                + "%ROUTE_NAME% %RESPONSE_FLAGS% %BYTES_RECEIVED% %BYTES_SENT% %UPSTREAM_HOST% "
                                + "%UPSTREAM_LOCAL_ADDRESS% %ACCESS_LOG_TYPE%",
                        "test")
                .format(e);
        // Envoy orders flags by its own enum (UH, UF, UO, URX, NC), whatever order they were raised in.
        assertThat(line)
                .isEqualTo("10.9.9.9:8080 10.9.9.9 10.1.1.1:5555 - - 0 - - - UH,UF,UO,URX,NC 7 9 - - "
                        + "TcpConnectionEnd");
    }

    static Stream<Arguments> badConfigurations() {
        // What to add to a tcp_proxy, and what the error must say.
        return Stream.of(
                Arguments.of(
                        "access_log: [ { name: g, typed_config: { '@type': "
                                + "type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog, "
                                + "log_format: { text_format: '%NOPE%' } } } ]",
                        "tcp_proxy access_log[0]: access log operator %NOPE% is not supported"),
                Arguments.of(
                        "access_log: [ { name: g, typed_config: { '@type': "
                                + "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy } } ]",
                        "tcp_proxy access_log[0]: access logger "
                                + "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy is not "
                                + "supported"),
                Arguments.of(
                        "access_log_options: { access_log_flush_interval: 0s }",
                        "tcp_proxy access_log_options access_log_flush_interval: must be at least 1ms"),
                Arguments.of(
                        "access_log_flush_interval: 0.0005s",
                        "tcp_proxy access_log_flush_interval: must be at least 1ms"),
                Arguments.of(
                        "access_log_options: {}, flush_access_log_on_connected: true",
                        "tcp_proxy: only one of 'flush_access_log_on_connected' or 'access_log_options' can be set"),
                Arguments.of(
                        "access_log_options: {}, access_log_flush_interval: 1s",
                        "tcp_proxy: only one of 'access_log_flush_interval' or 'access_log_options' can be set"),
                Arguments.of(
                        "max_downstream_connection_duration: 1s",
                        "tcp_proxy: field 'max_downstream_connection_duration'"));
    }

    @ParameterizedTest
    @MethodSource("badConfigurations")
    void badConfigurationsAreStartupErrorsNamingTheField(String extra, String message) {
        String yaml = """
                static_resources:
                  listeners:
                  - name: bad
                    address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
                    filter_chains:
                    - filters:
                      - name: tcp
                        typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy, stat_prefix: bad, cluster: c, %s }
                  clusters:
                  - name: c
                    load_assignment: { cluster_name: c, endpoints: [] }
                """.formatted(extra);
        assertThatThrownBy(() -> ProxyHarness.start(yaml, Map.of()).close())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("listener \"bad\"")
                .hasMessageContaining(message);
    }
}
