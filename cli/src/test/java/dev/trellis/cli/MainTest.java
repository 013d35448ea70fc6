package dev.trellis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code trellis proxy} starts without loading picocli (see {@link Main}); help still goes through it. */
class MainTest {
    @Test
    void aPlainProxyCommandLineLoadsNoPicocliClass(@TempDir Path dir) throws Exception {
        Path bootstrap = Files.writeString(dir.resolve("b.yaml"), """
                admin: {address: {socket_address: {address: 127.0.0.1, port_value: 0}}}
                static_resources:
                  listeners:
                  - name: l
                    address: {socket_address: {address: 127.0.0.1, port_value: 0}}
                    filter_chains:
                    - filters:
                      - name: tcp
                        typed_config:
                          "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                          stat_prefix: t
                          cluster: c
                  clusters:
                  - name: c
                    load_assignment:
                      cluster_name: c
                      endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: 9}}}}]}]
                """);
        List<String> loaded = classesLoaded(dir, "proxy", "--mode", "init_only", "-c", bootstrap.toString());
        assertThat(loaded)
                .as("the log lists the proxy's classes")
                .anyMatch(l -> l.contains(" dev.trellis.proxy.server.ProxyServer "));
        assertThat(loaded).noneMatch(l -> l.contains(" picocli."));
        // The control: help is picocli's, so the same check sees it when it is used.
        assertThat(classesLoaded(dir, "proxy", "--help")).anyMatch(l -> l.contains(" picocli.CommandLine "));
    }

    private static List<String> classesLoaded(Path dir, String... args) throws Exception {
        Path log = Files.createTempFile(dir, "classes", ".log");
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xlog:class+load=info:file=" + log,
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("out.log").toFile())
                .start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("trellis exits").isTrue();
        assertThat(p.exitValue()).as(Files.readString(dir.resolve("out.log"))).isZero();
        return Files.readAllLines(log);
    }
}
