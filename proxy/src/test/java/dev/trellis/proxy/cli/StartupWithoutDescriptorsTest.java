package dev.trellis.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proxy starts from a static bootstrap without building protobuf's descriptors: they were half of its startup
 * time and several megabytes of heap. Runs the real start (init_only: bind, then exit) in a fresh JVM and reads its
 * class-loading log; fails if any Envoy .proto file's outer class, or protobuf's descriptor classes, were loaded.
 */
class StartupWithoutDescriptorsTest {
    @Test
    void aStaticBootstrapStartsWithoutDescriptors(@TempDir Path dir) throws Exception {
        Path bootstrap = dir.resolve("b.yaml");
        Files.copy(Path.of(getClass().getResource("/bootstrap/static-http.yaml").toURI()), bootstrap);
        // Ephemeral ports: the same file a user runs, minus fixed ports that might be taken.
        Files.writeString(bootstrap, Files.readString(bootstrap).replaceAll("port_value: \\d+", "port_value: 0"));
        Path log = dir.resolve("classes.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(
                        java,
                        "-Xlog:class+load=info:file=" + log,
                        "-cp",
                        System.getProperty("java.class.path"),
                        Main.class.getName(),
                        "--mode",
                        "init_only",
                        "--concurrency",
                        "1",
                        "-c",
                        bootstrap.toString()))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("out.log").toFile())
                .start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the proxy exits").isTrue();
        assertThat(p.exitValue()).as(Files.readString(dir.resolve("out.log"))).isZero();
        List<String> loaded = Files.readAllLines(log);
        assertThat(loaded).as("the log lists the proxy's classes").anyMatch(l -> l.contains("ProxyServer "));
        assertThat(loaded)
                .as("Envoy descriptors built at startup")
                .noneMatch(l -> l.matches(".* io\\.envoyproxy\\.\\S+Proto source: .*"))
                .noneMatch(l -> l.contains("com.google.protobuf.Descriptors$FileDescriptor "))
                .noneMatch(l -> l.contains("com.google.protobuf.util.JsonFormat "));
        // Netty logs through the proxy's log: it does not probe for SLF4J or Log4J on the way to ready.
        assertThat(loaded)
                .as("Netty's logging probes")
                .noneMatch(l -> l.contains("io.netty.util.internal.logging.Slf4JLoggerFactory"))
                .noneMatch(l -> l.contains("io.netty.util.internal.logging.Log4JLogger"));
        // The proxy logs through its own log: java.util.logging's formatter would load the time-zone database and
        // locale data on the way to ready. (java.util.logging itself starts: protobuf's classes hold its loggers.)
        assertThat(loaded)
                .as("java.util.logging's formatter and what it loads")
                .noneMatch(l -> l.contains("java.util.logging.SimpleFormatter "))
                .noneMatch(l -> l.contains("java.time.zone.ZoneRulesProvider "))
                .noneMatch(l -> l.contains("sun.util.locale.provider.LocaleResources "));
    }

    /** The proxy command as {@code trellis proxy} runs it. */
    public static final class Main {
        public static void main(String[] args) throws Exception {
            System.exit(ProxyCommand.parseFast(args).orElseThrow().call());
        }
    }
}
