package dev.trellis.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code trellis proxy --check}: compiles the bootstrap without binding ports, for validation and AOT training. */
class ProxyCommandCheckTest {
    @TempDir
    Path dir;

    record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        var o = new ByteArrayOutputStream();
        var e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int code = new CommandLine(new ProxyCommand()).execute(args);
            return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    private Path bootstrapOn(int listenerPort, int adminPort) throws Exception {
        String yaml = Files.readString(Path.of("src/test/resources/bootstrap/static-http.yaml"))
                .replace("port_value: 10000", "port_value: " + listenerPort)
                .replace("port_value: 9901", "port_value: " + adminPort);
        Path f = dir.resolve("bootstrap.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    @Test
    void validBootstrapIsReportedWithoutBindingItsPorts() throws Exception {
        // The listener's and admin's ports are held by this test: a check that bound them would fail.
        try (var l = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                var a = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Path f = bootstrapOn(l.getLocalPort(), a.getLocalPort());
            Run r = run("--check", "-c", f.toString());
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.out()).contains(f + ": OK (1 listener(s), 1 cluster(s), admin)");
        }
    }

    @Test
    void initOnlyBindsThePortsThenExits() throws Exception {
        // Free ports: it starts, binds, shuts down and returns (a serving proxy would never return).
        Run ok = run(
                "--mode",
                "init_only",
                "--concurrency",
                "1",
                "-c",
                bootstrapOn(0, 0).toString());
        assertThat(ok.code()).as(ok.err()).isZero();
        // A port held by someone else: unlike validate, init_only really binds, so it fails.
        try (var l = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Run busy = run(
                    "--mode",
                    "init_only",
                    "-c",
                    bootstrapOn(l.getLocalPort(), 0).toString());
            assertThat(busy.code()).isNotZero();
            assertThat(busy.err()).contains(String.valueOf(l.getLocalPort()));
        }
    }

    @Test
    void invalidBootstrapFailsNamingTheProblem() throws Exception {
        Path f = dir.resolve("bad.yaml");
        Files.writeString(
                f,
                Files.readString(Path.of("src/test/resources/bootstrap/static-http.yaml"))
                        .replace(
                                "  clusters:\n",
                                "  clusters:\n  - { name: backend, type: STATIC, connect_timeout: 1s }\n"));
        Run r = run("--check", "-c", f.toString());
        assertThat(r.code()).isEqualTo(1);
        // Duplicate names parse fine: only compiling the resources finds them.
        assertThat(r.err()).contains("cluster \"backend\": duplicate name");
        assertThat(r.out()).doesNotContain("OK");
    }

    @Test
    void aListenerThatDoesNotCompileFailsTheCheck() throws Exception {
        Path f = dir.resolve("bad-route.yaml");
        Files.writeString(
                f,
                Files.readString(Path.of("src/test/resources/bootstrap/static-http.yaml"))
                        .replace("route: { cluster: backend }", "route: { cluster: backend, priority: HIGH }"));
        Run r = run("--check", "-c", f.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("priority");
    }
}
