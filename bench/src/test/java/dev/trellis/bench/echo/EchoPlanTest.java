package dev.trellis.bench.echo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EchoPlanTest {

    @ParameterizedTest
    @CsvSource({
        "10ms, 10000000",
        "1s, 1000000000",
        "1.5s, 1500000000",
        "250us, 250000",
        "1m, 60000000000",
        "0, 0",
    })
    void parsesDurations(String text, long nanos) {
        assertThat(EchoPlan.parseDuration(text)).isEqualTo(Duration.ofNanos(nanos));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "/?status=abc | status=abc: 'abc' is not a status code",
                "/?status=700 | status 700 is not in 100..599",
                "/?status=503:150 | percentage 150 is not in 0..100",
                "/?status=503:60,429:50 | add up to 110.0, over 100",
                "/?delay=10 | is not a duration",
                "/?delay=2h | is not a duration",
                "/?delay=61s | over the maximum of 60s",
                "/?size=-1 | size=-1: not in 0..",
                "/?size=x | size=x: not a number of bytes",
                "/?close=maybe | close=maybe: expected true, false or a percentage",
                "/?header=novalue | header=novalue: expected Name:Value",
            })
    void rejectsBadValuesNamingTheParameter(String uri, String message) {
        assertThatThrownBy(() -> EchoPlan.parse(uri))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void plainValuesApplyEveryTime() {
        EchoPlan plan = EchoPlan.parse("/echo?status=418&delay=5ms&size=10&close=true&header=X-A:1&other=ignored");
        EchoPlan.Decision d = plan.decide(new Random(1));
        assertThat(d).isEqualTo(new EchoPlan.Decision(418, Duration.ofMillis(5), true));
        assertThat(plan.size()).hasValue(10);
        assertThat(plan.headers()).containsExactly(Map.entry("x-a", "1"));
    }

    @Test
    void statusMixFollowsPercentages() {
        EchoPlan plan = EchoPlan.parse("/?status=503:10,429:5");
        Random random = new Random(42);
        Map<Integer, Integer> counts = new HashMap<>();
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            counts.merge(plan.decide(random).status(), 1, Integer::sum);
        }
        assertThat(counts.keySet()).containsExactlyInAnyOrder(200, 503, 429);
        assertThat(counts.get(503) / (double) n).isBetween(0.09, 0.11);
        assertThat(counts.get(429) / (double) n).isBetween(0.04, 0.06);
        assertThat(counts.get(200) / (double) n).isBetween(0.83, 0.87);
    }

    @Test
    void closePercentage() {
        EchoPlan plan = EchoPlan.parse("/?close=25");
        Random random = new Random(7);
        int closed = 0;
        for (int i = 0; i < 10_000; i++) {
            closed += plan.decide(random).close() ? 1 : 0;
        }
        assertThat(closed / 10_000.0).isBetween(0.22, 0.28);
        assertThat(EchoPlan.parse("/?close=false").decide(random).close()).isFalse();
    }
}
