package dev.trellis.control.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.trellis.control.cli.ControlPlaneCommand;
import dev.trellis.proxy.bootstrap.BootstrapLoader;
import dev.trellis.proxy.server.ProxyServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * End to end through our own proxy: the control plane (as {@code trellis control-plane} runs it) watches a directory
 * holding a {@code reviews} ServiceEntry with v1/v2 workloads on two in-test HTTP upstreams; our proxy, a sidecar fed
 * over ADS, carries real loopback traffic; each test writes a VirtualService into the directory and waits (bounded)
 * until the traffic shows it, then asserts over a batch.
 *
 * <p>Nothing redirects traffic here (no iptables), so the sidecar says {@code INTERCEPTION_MODE: NONE} and the control
 * plane binds its outbound HTTP listener on {@code 127.0.0.1:<service port>}, where the test sends {@code Host:
 * reviews}. The scenarios share one control plane and proxy and run in order, each replacing the previous route.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProxyTrafficTest {

    private static final long CHANGE_WAIT_MS = 10_000;

    @TempDir
    static Path dir;

    @TempDir
    static Path scratch;

    private static ExecutorService upstreamThreads;
    private static HttpServer v1;
    private static HttpServer v2;
    private static ControlPlaneCommand.Running cp;
    private static ProxyServer proxy;
    private static int servicePort;

    @BeforeAll
    static void start() throws Exception {
        upstreamThreads = Executors.newVirtualThreadPerTaskExecutor();
        v1 = upstream("v1");
        v2 = upstream("v2");
        servicePort = freePort();
        Files.writeString(
                dir.resolve("mesh.yaml"),
                fixture(
                        "mesh.yaml",
                        Map.of(
                                "SERVICE_PORT", servicePort,
                                "V1_PORT", v1.getAddress().getPort(),
                                "V2_PORT", v2.getAddress().getPort())));
        ControlPlaneCommand cmd = new ControlPlaneCommand();
        new CommandLine(cmd)
                .parseArgs(
                        "--config",
                        dir.toString(),
                        "--xds-port",
                        "0",
                        "--monitoring-port",
                        "0",
                        "--debounce-after",
                        "10ms",
                        "--debounce-max",
                        "100ms");
        cp = cmd.start();
        Path bootstrap = scratch.resolve("bootstrap.yaml");
        Files.writeString(
                bootstrap,
                fixture("bootstrap.yaml", Map.of("XDS_PORT", cp.controlPlane().port())));
        proxy = new ProxyServer(BootstrapLoader.load(bootstrap), new ProxyServer.Options(1, 0)).start();
        // Before any VirtualService the default route spreads requests over both versions.
        awaitTraffic(
                "the outbound listener 127.0.0.1_" + servicePort + " to answer",
                () -> get(Map.of()),
                r -> r.status == 200);
    }

    @AfterAll
    static void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        if (cp != null) {
            cp.close();
        }
        if (v1 != null) {
            v1.stop(0);
        }
        if (v2 != null) {
            v2.stop(0);
        }
        if (upstreamThreads != null) {
            upstreamThreads.shutdownNow();
        }
    }

    /** Without {@code INTERCEPTION_MODE: NONE} handling the listener would be virtual (unbound) and unreachable here. */
    @Test
    @Order(0)
    void aSidecarWithoutInterceptionGetsItsOutboundListenerBoundOnLoopback() {
        assertThat(proxy.listeners().active()).containsOnlyKeys("127.0.0.1_" + servicePort);
        assertThat(proxy.listenerAddress("127.0.0.1_" + servicePort))
                .isEqualTo(new InetSocketAddress("127.0.0.1", servicePort));
    }

    @Test
    @Order(1)
    void allTrafficToV1() throws Exception {
        applyVirtualService("""
                  http:
                  - route: [{destination: {host: reviews, subset: v1}}]
                """);
        awaitTraffic("every request on v1", () -> batch(Map.of(), 10), rs -> versions(rs)
                .equals(repeat("v1", 10)));
        assertThat(versions(batch(Map.of(), 50))).containsOnly("v1");
    }

    @Test
    @Order(2)
    void headerMatchSendsJasonToV2() throws Exception {
        applyVirtualService("""
                  http:
                  - match: [{headers: {end-user: {exact: jason}}}]
                    route: [{destination: {host: reviews, subset: v2}}]
                  - route: [{destination: {host: reviews, subset: v1}}]
                """);
        awaitTraffic("jason on v2", () -> get(Map.of("end-user", "jason")), r -> "v2".equals(r.body));
        assertThat(versions(batch(Map.of("end-user", "jason"), 30))).containsOnly("v2");
        assertThat(versions(batch(Map.of("end-user", "alice"), 30))).containsOnly("v1");
        assertThat(versions(batch(Map.of(), 30))).containsOnly("v1");
    }

    @Test
    @Order(3)
    void weightedSplit80To20() throws Exception {
        applyVirtualService("""
                  http:
                  - route:
                    - {destination: {host: reviews, subset: v1}, weight: 80}
                    - {destination: {host: reviews, subset: v2}, weight: 20}
                """);
        // The previous route sent everyone without a header to v1: a v2 answer means the split is in place.
        awaitTraffic("some requests on v2", () -> batch(Map.of(), 10), rs -> versions(rs)
                .contains("v2"));
        List<String> versions = versions(batch(Map.of(), 200));
        long onV2 = versions.stream().filter("v2"::equals).count();
        assertThat(versions).containsOnly("v1", "v2");
        // 200 draws at p = 0.2: mean 40, standard deviation about 5.7; 20..60 is beyond 3.5 deviations each way.
        assertThat(onV2).isBetween(20L, 60L);
    }

    @Test
    @Order(4)
    void faultAbortAll503() throws Exception {
        applyVirtualService("""
                  http:
                  - fault: {abort: {httpStatus: 503, percentage: {value: 100}}}
                    route: [{destination: {host: reviews, subset: v1}}]
                """);
        awaitTraffic("503 from the fault filter", () -> get(Map.of()), r -> r.status == 503);
        assertThat(batch(Map.of(), 30)).allSatisfy(r -> assertThat(r.status).isEqualTo(503));
    }

    @Test
    @Order(5)
    void routeTimeoutGives504OnASlowUpstream() throws Exception {
        applyVirtualService("""
                  http:
                  - timeout: 200ms
                    route: [{destination: {host: reviews, subset: v1}}]
                """);
        // The fault abort answered before any upstream was asked: a 200 means the new route is in place.
        awaitTraffic("the fault gone", () -> get(Map.of()), r -> r.status == 200 && "v1".equals(r.body));
        for (int i = 0; i < 3; i++) {
            long t0 = System.nanoTime();
            Response r = get(Map.of("x-delay-ms", "2000"));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(r.status)
                    .as("answer to a request the upstream holds for 2 s")
                    .isEqualTo(504);
            assertThat(ms)
                    .as("the proxy gives up long before the upstream answers")
                    .isLessThan(1_500);
        }
        assertThat(versions(batch(Map.of(), 10))).containsOnly("v1");
    }

    /**
     * A Sidecar whose only egress listener names its own port: the proxy then listens there (bound on loopback, capture
     * mode NONE) and routes to the listener's host, and the catch-all listener on the service port goes away.
     */
    @Test
    @Order(6)
    void aSidecarEgressListenerOnItsOwnPortReplacesTheCatchAll() throws Exception {
        int egressPort = freePort();
        applyVirtualService("""
                  http:
                  - route: [{destination: {host: reviews, subset: v2}}]
                """);
        Path tmp = scratch.resolve("sidecar.yaml.tmp");
        Files.writeString(tmp, """
                apiVersion: networking.istio.io/v1
                kind: Sidecar
                metadata: {name: default, namespace: default}
                spec:
                  egress:
                  - port: {number: %d, protocol: HTTP, name: http}
                    captureMode: NONE
                    hosts: [./reviews.default.svc.cluster.local]
                """.formatted(egressPort));
        Files.move(tmp, dir.resolve("sidecar.yaml"), StandardCopyOption.ATOMIC_MOVE);
        try {
            awaitTraffic(
                    "reviews v2 answering on the egress listener's port",
                    () -> get(egressPort, Map.of()),
                    r -> r.status == 200 && "v2".equals(r.body));
            assertThat(versions(batch(egressPort, Map.of(), 20))).containsOnly("v2");
            assertThat(proxy.listeners().active()).containsOnlyKeys("127.0.0.1_" + egressPort);
        } finally {
            Files.delete(dir.resolve("sidecar.yaml"));
        }
        awaitTraffic("the catch-all listener back", () -> get(Map.of()), r -> r.status == 200);
        assertThat(proxy.listeners().active()).containsOnlyKeys("127.0.0.1_" + servicePort);
    }

    /**
     * A Sidecar ingress listener whose {@code defaultEndpoint} is a unix socket: the control plane makes the inbound
     * cluster a {@code pipe} endpoint and the proxy, listening on the ingress port (capture mode NONE), connects to it.
     */
    @Test
    @Order(7)
    void aSidecarIngressListenerReachesAnAppOnAUnixSocket() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                io.netty.channel.epoll.Epoll.isAvailable(), "unix sockets need epoll");
        int ingressPort = freePort();
        String socket = scratch.resolve("app.sock").toString();
        var app = new dev.trellis.testing.UnixSocketHttpServer(socket, "unix-app");
        Path tmp = scratch.resolve("sidecar.yaml.tmp");
        Files.writeString(tmp, """
                apiVersion: networking.istio.io/v1
                kind: Sidecar
                metadata: {name: default, namespace: default}
                spec:
                  ingress:
                  - port: {number: %d, protocol: HTTP, name: http}
                    bind: 127.0.0.1
                    captureMode: NONE
                    defaultEndpoint: unix://%s
                  egress:
                  - hosts: ["./*"]
                """.formatted(ingressPort, socket));
        Files.move(tmp, dir.resolve("sidecar.yaml"), StandardCopyOption.ATOMIC_MOVE);
        try {
            awaitTraffic(
                    "the unix-socket app answering on the ingress port",
                    () -> get(ingressPort, Map.of()),
                    r -> r.status == 200 && "unix-app /".equals(r.body));
        } finally {
            Files.delete(dir.resolve("sidecar.yaml"));
            app.close();
        }
        awaitTraffic("the catch-all listener back", () -> get(Map.of()), r -> r.status == 200);
    }

    // ---- fixtures and helpers

    record Response(int status, String body) {}

    /** An upstream answering its version; {@code x-delay-ms} makes it hold the answer that long. */
    private static HttpServer upstream(String version) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        s.createContext("/", ex -> {
            try (ex) {
                ex.getRequestBody().readAllBytes();
                String delay = ex.getRequestHeaders().getFirst("x-delay-ms");
                if (delay != null) {
                    try {
                        Thread.sleep(Long.parseLong(delay));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                byte[] body = version.getBytes(StandardCharsets.US_ASCII);
                ex.getResponseHeaders().add("content-type", "text/plain");
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
            } catch (IOException e) {
                // The proxy gave up on this request (timeout): nothing to answer to.
            }
        });
        s.setExecutor(upstreamThreads);
        s.start();
        return s;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String fixture(String name, Map<String, Integer> values) throws IOException {
        String text;
        try (InputStream in = Objects.requireNonNull(
                ProxyTrafficTest.class.getResourceAsStream("/e2e/" + name), "fixture e2e/" + name)) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        for (var e : values.entrySet()) {
            text = text.replace("${" + e.getKey() + "}", Integer.toString(e.getValue()));
        }
        return text;
    }

    /** Replaces the reviews VirtualService in one rename, so the watcher never reads half a file. */
    private static void applyVirtualService(String http) throws IOException {
        String yaml = """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: reviews, namespace: default}
                spec:
                  hosts: [reviews]
                """ + http;
        Path tmp = scratch.resolve("vs.yaml.tmp");
        Files.writeString(tmp, yaml);
        Files.move(tmp, dir.resolve("vs.yaml"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    interface Probe<T> {
        T run() throws IOException;
    }

    /** Polls (bounded) until the traffic shows the expected behaviour; fails naming what never appeared. */
    private static <T> void awaitTraffic(String what, Probe<T> probe, Predicate<T> ok) throws Exception {
        long deadline = System.nanoTime() + CHANGE_WAIT_MS * 1_000_000;
        T last = null;
        Exception lastError = null;
        while (System.nanoTime() < deadline) {
            try {
                last = probe.run();
                lastError = null;
                if (ok.test(last)) {
                    return;
                }
            } catch (IOException e) {
                lastError = e;
            }
            Thread.sleep(50);
        }
        throw new AssertionError(
                "waited " + CHANGE_WAIT_MS + " ms for " + what + "; last: " + (lastError != null ? lastError : last),
                lastError);
    }

    private static List<Response> batch(Map<String, String> headers, int n) throws IOException {
        return batch(servicePort, headers, n);
    }

    private static List<Response> batch(int port, Map<String, String> headers, int n) throws IOException {
        List<Response> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(get(port, headers));
        }
        return out;
    }

    private static List<String> versions(List<Response> rs) {
        return rs.stream()
                .map(r -> r.status == 200 ? r.body : "status " + r.status)
                .toList();
    }

    private static List<String> repeat(String s, int n) {
        return java.util.Collections.nCopies(n, s);
    }

    private static Response get(Map<String, String> headers) throws IOException {
        return get(servicePort, headers);
    }

    /** One HTTP/1.1 request on its own connection to the sidecar's listener on {@code port}, {@code Host: reviews}. */
    private static Response get(int port, Map<String, String> headers) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
            s.setSoTimeout(5_000);
            StringBuilder req = new StringBuilder("GET / HTTP/1.1\r\nHost: reviews\r\n");
            headers.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
            req.append("Connection: close\r\n\r\n");
            OutputStream out = s.getOutputStream();
            out.write(req.toString().getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String raw = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            int lineEnd = raw.indexOf("\r\n");
            int headEnd = raw.indexOf("\r\n\r\n");
            if (lineEnd < 0 || headEnd < 0) {
                throw new IOException("incomplete response: " + raw);
            }
            String[] statusLine = raw.substring(0, lineEnd).split(" ", 3);
            return new Response(Integer.parseInt(statusLine[1]), raw.substring(headEnd + 4));
        }
    }
}
