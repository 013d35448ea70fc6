package dev.trellis.api.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationTest {

    @ParameterizedTest
    @CsvSource({
        "1.5s, 1500000000, 1500ms",
        "100ms, 100000000, 100ms",
        "1h, 3600000000000, 1h",
        "1m30s, 90000000000, 90s",
        "2m, 120000000000, 2m",
        "0, 0, 0s",
        "0s, 0, 0s",
        "250us, 250000, 250us",
        "10ns, 10, 10ns",
        "0.001s, 1000000, 1ms",
        "-5s, -5000000000, -5s",
        "1h0m0s, 3600000000000, 1h"
    })
    void parsesIstioDurationsAndWritesTheShortestForm(String text, long nanos, String written) {
        Duration d = Duration.parse(text);

        assertThat(d.nanos()).isEqualTo(nanos);
        assertThat(d.toString()).isEqualTo(written);
        assertThat(Duration.parse(d.toString())).isEqualTo(d);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "5", "s", "1.5", "10 s", "1d", "abc", "1..5s", "-"})
    void rejectsWhatIsNotADuration(String text) {
        assertThatThrownBy(() -> Duration.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid duration");
    }
}
