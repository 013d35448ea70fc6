package dev.trellis.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trellis.bench.echo.EchoServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Ctrl-C (a termination signal) prints, and writes as JSON, what was measured so far. */
@Timeout(60)
class LoadInterruptTest {

    @Test
    void aSignalPrintsWhatWasMeasuredSoFar(@TempDir Path dir) throws Exception {
        try (EchoServer echo = EchoServer.start("127.0.0.1", 0, EchoServer.Mode.HTTP, 1)) {
            Path json = dir.resolve("partial.json");
            String java =
                    Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process p = new ProcessBuilder(List.of(
                            java,
                            "--enable-native-access=ALL-UNNAMED",
                            "-cp",
                            System.getProperty("java.class.path"),
                            LoadMain.class.getName(),
                            "-qps",
                            "50",
                            "-c",
                            "1",
                            "-t",
                            "60s",
                            "-json",
                            json.toString(),
                            "http://127.0.0.1:" + echo.port() + "/"))
                    .redirectErrorStream(true)
                    .start();
            try {
                BufferedReader out =
                        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                String banner = out.readLine();
                assertThat(banner).startsWith("trellis load: ");
                Thread.sleep(4000); // some requests get measured, even on a slow machine
                p.toHandle().destroy(); // SIGTERM: the shutdown path Ctrl-C takes; keeps our end of the pipes open
                StringBuilder rest = new StringBuilder();
                String line;
                while ((line = out.readLine()) != null) {
                    rest.append(line).append('\n');
                }
                assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
                assertThat(rest.toString())
                        .contains("interrupted: what was measured so far")
                        .contains("Latency (ms)");
                JsonNode j = new ObjectMapper().readTree(Files.readString(json));
                assertThat(j.get("interrupted").asBoolean()).isTrue();
                assertThat(j.get("count").asLong()).isPositive();
            } finally {
                p.destroyForcibly();
            }
        }
    }
}
