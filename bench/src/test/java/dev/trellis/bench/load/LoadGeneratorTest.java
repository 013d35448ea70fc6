package dev.trellis.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trellis.bench.echo.EchoServer;
import dev.trellis.testing.LeakCheck;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@ExtendWith(LeakCheck.class)
@Timeout(60)
class LoadGeneratorTest {

    static EchoServer echo;

    @BeforeAll
    static void start() throws Exception {
        echo = EchoServer.start("127.0.0.1", 0, EchoServer.Mode.HTTP, 1);
    }

    @AfterAll
    static void stop() {
        echo.close();
    }

    static LoadOptions options(
            String url,
            LoadOptions.Protocol p,
            double qps,
            int conns,
            Duration d,
            long n,
            int payload,
            Duration timeout) {
        return new LoadOptions(URI.create(url), p, qps, conns, d, n, payload, List.of(), timeout, 1);
    }

    String echoUrl(String pathAndQuery) {
        return "http://127.0.0.1:" + echo.port() + pathAndQuery;
    }

    @ParameterizedTest
    @EnumSource(LoadOptions.Protocol.class)
    void countBoundedRunAtAFixedRateGetsEveryResponse(LoadOptions.Protocol p) throws Exception {
        LoadReport r =
                new LoadGenerator(options(echoUrl("/"), p, 200, 2, null, 40, 1024, Duration.ofSeconds(10))).run();
        assertThat(r.count()).isEqualTo(40);
        assertThat(r.ok()).isEqualTo(40);
        assertThat(r.errors()).isZero();
        assertThat(r.status()).containsExactly(Map.entry("200", 40L));
        if (p == LoadOptions.Protocol.GRPC) {
            assertThat(r.grpcStatus()).containsExactly(Map.entry("0", 40L));
        } else {
            assertThat(r.grpcStatus()).isEmpty();
        }
        // The echo sends the 1 KiB payload back (gRPC adds its 5-byte prefix).
        assertThat(r.bytesReceived()).isEqualTo(40L * (p == LoadOptions.Protocol.GRPC ? 1029 : 1024));
        assertThat(r.minMs()).isPositive();
        assertThat(r.latencyMs(50)).isLessThanOrEqualTo(r.latencyMs(99)).isLessThanOrEqualTo(r.maxMs());
    }

    @Test
    void closedLoopRunsAsFastAsResponsesAllow() throws Exception {
        LoadReport r = new LoadGenerator(
                        options(echoUrl("/"), LoadOptions.Protocol.HTTP1, 0, 4, null, 200, 0, Duration.ofSeconds(10)))
                .run();
        assertThat(r.ok()).isEqualTo(200);
    }

    @Test
    void errorStatusesAreCountedByCode() throws Exception {
        LoadReport r = new LoadGenerator(options(
                        echoUrl("/?status=503"), LoadOptions.Protocol.H2C, 0, 2, null, 20, 0, Duration.ofSeconds(10)))
                .run();
        assertThat(r.status()).containsExactly(Map.entry("503", 20L));
        assertThat(r.ok()).isZero();
        assertThat(r.errors()).isEqualTo(20);
    }

    @Test
    void grpcStatusFromTrailersIsAnError() throws Exception {
        LoadOptions o = new LoadOptions(
                URI.create(echoUrl("/")),
                LoadOptions.Protocol.GRPC,
                0,
                1,
                null,
                5,
                10,
                List.of(Map.entry("x-echo-grpc-status", "14")),
                Duration.ofSeconds(10),
                1);
        LoadReport r = new LoadGenerator(o).run();
        assertThat(r.grpcStatus()).containsExactly(Map.entry("14", 5L));
        assertThat(r.errors()).isEqualTo(5);
    }

    @Test
    void connectionCloseFromTheServerReconnects() throws Exception {
        LoadReport r = new LoadGenerator(options(
                        echoUrl("/?close=true"), LoadOptions.Protocol.HTTP1, 0, 2, null, 30, 0, Duration.ofSeconds(10)))
                .run();
        assertThat(r.ok()).isEqualTo(30);
    }

    @Test
    void latencyCountsFromWhenEachRequestWasDue() throws Exception {
        // Each response takes 200 ms, but requests fall due every 50 ms on the one connection: the fifth is due at
        // 200 ms and can only start at about 800 ms, so its latency is at least 600 ms, not 200 ms.
        LoadReport r = new LoadGenerator(options(
                        echoUrl("/?delay=200ms"),
                        LoadOptions.Protocol.HTTP1,
                        20,
                        1,
                        null,
                        5,
                        0,
                        Duration.ofSeconds(10)))
                .run();
        assertThat(r.ok()).isEqualTo(5);
        assertThat(r.minMs()).isGreaterThanOrEqualTo(200);
        assertThat(r.maxMs()).isGreaterThanOrEqualTo(600);
    }

    @Test
    void requestsThatFellDueButWereNeverSentAreNotErrors() throws Exception {
        // 50 req/s on one connection to a server that takes 200 ms: about 5 are answered in the second; the ~45 that
        // fell due behind them are not sent after the end, and at most the one in flight is "unfinished".
        LoadReport r = new LoadGenerator(options(
                        echoUrl("/?delay=200ms"),
                        LoadOptions.Protocol.HTTP1,
                        50,
                        1,
                        Duration.ofSeconds(1),
                        0,
                        0,
                        Duration.ofSeconds(5)))
                .run();
        assertThat(r.ok()).isBetween(1L, 6L);
        assertThat(r.errorKinds().getOrDefault("unfinished", 0L)).isLessThanOrEqualTo(1L);
        assertThat(r.rate()).isLessThan(50);
    }

    @Test
    void refusedPortIsCountedAndTheRunEndsOnTime() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort(); // closed again: nothing listens there now
        }
        String url = "http://127.0.0.1:" + port + "/";
        LoadReport r = assertTimeoutPreemptively(Duration.ofSeconds(8), () -> new LoadGenerator(options(
                        url, LoadOptions.Protocol.HTTP1, 50, 2, Duration.ofMillis(600), 0, 0, Duration.ofSeconds(2)))
                .run());
        assertThat(r.ok()).isZero();
        assertThat(r.errorKinds()).containsOnlyKeys("connect_refused");
        assertThat(r.errors()).isPositive();
        assertThat(r.elapsedSeconds()).isLessThan(2.0);
    }

    @Test
    void stallingServerGivesTimeoutsAndTheRunStillEndsOnTime() throws Exception {
        List<Socket> accepted = new ArrayList<>();
        try (ServerSocket stall = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        accepted.add(stall.accept()); // accepts, reads nothing, answers nothing
                    }
                } catch (Exception closed) {
                    // the test is over
                }
            });
            String url = "http://127.0.0.1:" + stall.getLocalPort() + "/";
            for (LoadOptions.Protocol p : LoadOptions.Protocol.values()) {
                LoadReport r = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> new LoadGenerator(
                                options(url, p, 20, 2, Duration.ofSeconds(1), 0, 0, Duration.ofMillis(300)))
                        .run());
                assertThat(r.ok()).as(p.label()).isZero();
                assertThat(r.errorKinds()).as(p.label()).containsKey("timeout");
                assertThat(r.elapsedSeconds()).as(p.label()).isLessThan(2.5);
            }
            stall.close();
            acceptor.join(2000);
        } finally {
            for (Socket s : accepted) {
                s.close();
            }
        }
    }

    @Test
    void reportWhileRunningIsMarkedInterruptedAndStopEndsTheRunNow() throws Exception {
        LoadGenerator g = new LoadGenerator(options(
                echoUrl("/"), LoadOptions.Protocol.HTTP1, 100, 2, Duration.ofSeconds(30), 0, 0, Duration.ofSeconds(5)));
        CompletableFuture<LoadReport> run = CompletableFuture.supplyAsync(() -> {
            try {
                return g.run();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(1500);
        LoadReport partial = g.report(true);
        assertThat(partial.interrupted()).isTrue();
        assertThat(partial.toText()).contains("interrupted");
        g.stop();
        LoadReport last = run.get(5, TimeUnit.SECONDS);
        assertThat(last.elapsedSeconds()).isLessThan(20);
    }

    @Test
    void jsonFollowsTheDocumentedSchema(@TempDir Path dir) throws Exception {
        LoadReport r = new LoadGenerator(
                        options(echoUrl("/"), LoadOptions.Protocol.HTTP1, 100, 1, null, 10, 16, Duration.ofSeconds(5)))
                .run();
        Path file = dir.resolve("out/run.json");
        r.writeJson(file);
        JsonNode json = new ObjectMapper().readTree(Files.readString(file));
        assertThat(json.get("schema").asText()).isEqualTo("trellis.load/v1");
        assertThat(json.get("protocol").asText()).isEqualTo("http/1.1");
        assertThat(json.get("requested").get("qps").asDouble()).isEqualTo(100.0);
        assertThat(json.get("requested").get("duration_s").isNull()).isTrue();
        assertThat(json.get("requested").get("count").asLong()).isEqualTo(10);
        assertThat(json.get("count").asLong()).isEqualTo(10);
        assertThat(json.get("ok").asLong()).isEqualTo(10);
        assertThat(json.get("status").get("200").asLong()).isEqualTo(10);
        assertThat(json.get("latency_ms").fieldNames())
                .toIterable()
                .containsExactly("min", "mean", "p50", "p75", "p90", "p99", "p99_9", "max");
        assertThat(json.has("error_kinds")).isTrue();
        assertThat(json.has("rate")).isTrue();
    }
}
