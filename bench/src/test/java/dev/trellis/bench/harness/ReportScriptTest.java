package dev.trellis.bench.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bench/report.py on a work directory laid out as bench/run leaves it: parses wrk and trellis load output, subtracts
 * the baseline, computes the Trellis/HAProxy and Trellis/nginx ratios and reports a proxy that failed to start.
 */
class ReportScriptTest {

    static final Path SCRIPT = Path.of("report.py").toAbsolutePath();

    @Test
    void turnsAWorkDirectoryIntoJsonMarkdownAndSvg(@TempDir Path work) throws Exception {
        assumeTrue(python3Available(), "python3 is not installed");
        Files.writeString(work.resolve("settings.env"), """
                name='quick'
                quick=1
                date='2026-11-27T11:00:00Z'
                payload=1024
                tput_conns='16 64'
                rates='1000'
                lat_conns='4'
                warm_s=1
                tput_s=2
                lat_s=2
                clk_tck=100
                cpus=2
                load_cpu=0
                proxy_cpu=1
                cpu_model='Test CPU'
                kernel='6.0'
                java='openjdk 25'
                haproxy='HAProxy 2.6'
                nginx='nginx/1.22'
                wrk='wrk 4.1'
                trellis='abc123'
                proxy_java_opts=''
                tool_java_opts='-Xms256m'
                load_java_opts='-Xms256m'
                variants='plain'
                systems='baseline trellis haproxy nginx'
                """);
        setup(work, "baseline-plain-0", 20000, 0.20, 0);
        setup(work, "trellis-plain-1", 10000, 0.50, 300);
        setup(work, "haproxy-plain-1", 15000, 0.30, 100);
        setup(work, "haproxy-plain-2", 12000, 0.40, 100);
        setup(work, "nginx-plain-1", 14000, 0.40, 100);
        setup(work, "nginx-plain-2", 11000, 0.60, 100);
        Path failed = Files.createDirectories(work.resolve("trellis-plain-2"));
        Files.writeString(failed.resolve("meta.env"), "status='failed to start'\nerror='no such command'\n");

        Path out = work.resolve("out/2026-11-27-quick");
        Process p = new ProcessBuilder("python3", SCRIPT.toString(), work.toString(), out.toString())
                .redirectErrorStream(true)
                .start();
        String printed = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(printed).isZero();

        JsonNode json = new ObjectMapper().readTree(Files.readString(Path.of(out + ".json")));
        assertThat(json.get("schema").asText()).isEqualTo("trellis.bench/v1");
        assertThat(json.get("results")).hasSize(7);
        JsonNode trellis1 = json.get("results").get(1);
        assertThat(trellis1.get("system").asText()).isEqualTo("trellis");
        assertThat(trellis1.get("throughput").get(1).get("rps").asDouble()).isEqualTo(10000.0);
        // At 16 connections: 6 CPU seconds (600 ticks at 100 Hz) over 16,000 requests = 0.375 s per 1,000.
        assertThat(trellis1.get("throughput").get(0).get("cpu_s_per_1k").asDouble())
                .isCloseTo(0.375, org.assertj.core.data.Offset.offset(1e-9));
        JsonNode lat = trellis1.get("latency").get(0);
        assertThat(lat.get("added_p50_ms").asDouble()).isCloseTo(0.30, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(trellis1.get("ready_ms").get(0).asInt()).isEqualTo(150);
        assertThat(trellis1.get("peak_rss_mib").get(0).asDouble()).isEqualTo(50.0);

        JsonNode r = json.get("ratios").get("trellis/haproxy/1hop");
        assertThat(r.get("throughput_c64").asDouble())
                .isCloseTo(10000.0 / 15000, org.assertj.core.data.Offset.offset(0.01));
        assertThat(r.get("added_p50_q1000_c4").asDouble()).isCloseTo(3.0, org.assertj.core.data.Offset.offset(0.01));
        assertThat(json.get("ratios").get("trellis/haproxy/2hop").isNull()).isTrue();
        assertThat(json.get("results").get(2).get("status").asText()).isEqualTo("failed to start");

        String md = Files.readString(Path.of(out + ".md"));
        assertThat(md).contains("Trellis, 2 hops: failed to start").contains("| Trellis, 1 hop | 8000 | 10000 |");
        assertThat(printed).contains("Ratios");
        String svg = Files.readString(Path.of(out + ".svg"));
        assertThat(svg)
                .startsWith("<svg")
                .contains("<polyline")
                .contains("<rect")
                .endsWith("</svg>\n");
    }

    /** One setup's files: wrk at 16 and 64 connections, one latency point, CPU ticks around each. */
    static void setup(Path work, String name, int rps64, double p50, int ticks) throws IOException {
        Path d = Files.createDirectories(work.resolve(name));
        boolean proxied = !name.startsWith("baseline");
        Files.writeString(
                d.resolve("meta.env"),
                "status=ok\n" + (proxied ? "ready_ms='150'\nrss_kib='51200'\n" : "ready_ms=''\nrss_kib=''\n"));
        for (int c : new int[] {16, 64}) {
            int rps = c == 16 ? rps64 * 4 / 5 : rps64;
            Files.writeString(d.resolve("tput-c" + c + ".txt"), String.format(Locale.ROOT, """
                            Running 2s test @ http://127.0.0.1:18101/echo
                              1 threads and %d connections
                              Latency Distribution
                                 50%%  1.00ms
                                 75%%  1.50ms
                                 90%%  2.00ms
                                 99%%  5.00ms
                              %d requests in 2.00s, 30.00MB read
                            Requests/sec:  %d.00
                            Transfer/sec:     15.00MB
                            """, c, rps * 2, rps));
            Files.writeString(d.resolve("tput-c" + c + ".cpu"), "1000 " + (1000 + ticks * (c == 16 ? 2 : 1)) + "\n");
        }
        Files.writeString(
                d.resolve("lat-q1000-c4.json"),
                String.format(Locale.ROOT, """
                        {"schema": "trellis.load/v1", "rate": 1000.0, "count": 2000, "ok": 2000, "errors": 0,
                         "status": {"200": 2000}, "error_kinds": {},
                         "latency_ms": {"min": 0.1, "mean": %.2f, "p50": %.2f, "p75": %.2f, "p90": %.2f, "p99": %.2f,
                                        "p99_9": %.2f, "max": %.2f}}
                        """, p50, p50, p50 * 1.2, p50 * 1.5, p50 * 3, p50 * 5, p50 * 6));
        Files.writeString(d.resolve("lat-q1000-c4.cpu"), "0 " + ticks / 10 + "\n");
    }

    static boolean python3Available() {
        try {
            return new ProcessBuilder("python3", "--version").start().waitFor(10, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
