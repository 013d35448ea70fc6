package dev.trellis.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

class LoadCommandTest {

    static LoadOptions parse(String... args) {
        LoadCommand c = new LoadCommand();
        new CommandLine(c).parseArgs(args);
        return c.options();
    }

    @Test
    void fortioStyleOptions() {
        LoadOptions o = parse(
                "-qps",
                "1000",
                "-c",
                "16",
                "-t",
                "10s",
                "-payload-size",
                "1024",
                "-H",
                "X-A: b",
                "-h2",
                "http://127.0.0.1:8080/echo?x=1");
        assertThat(o.qps()).isEqualTo(1000);
        assertThat(o.connections()).isEqualTo(16);
        assertThat(o.duration()).isEqualTo(Duration.ofSeconds(10));
        assertThat(o.payloadSize()).isEqualTo(1024);
        assertThat(o.protocol()).isEqualTo(LoadOptions.Protocol.H2C);
        assertThat(o.headers()).containsExactly(java.util.Map.entry("X-A", "b"));
        assertThat(o.pathAndQuery()).isEqualTo("/echo?x=1");
        assertThat(o.authority()).isEqualTo("127.0.0.1:8080");
    }

    @Test
    void grpcDefaultsToTheEchoMethod() {
        LoadOptions o = parse("-grpc", "-n", "5", "http://localhost:9000");
        assertThat(o.protocol()).isEqualTo(LoadOptions.Protocol.GRPC);
        assertThat(o.pathAndQuery()).isEqualTo("/trellis.echo.v1.Echo/Echo");
        assertThat(o.count()).isEqualTo(5);
        assertThat(o.duration()).isNull();
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "-t 1s -n 5 http://h/ | -t and -n",
                "-t soon http://h/ | -t soon: not a duration",
                "-n 0 http://h/ | -n 0: must be positive",
                "-qps -1 http://h/ | -qps -1.0",
                "-c 0 http://h/ | -c 0",
                "-H nocolon http://h/ | -H 'nocolon'",
                "https://h/ | only http:// is supported",
                "localhost:8080 | only http:// is supported",
                "-h2 -grpc http://h/ | pick one",
                "-payload-size -5 http://h/ | -payload-size -5",
            })
    void badInputIsOneClearMessage(String args, String message) {
        assertThatThrownBy(() -> parse(args.split(" ")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void badInputExitsWithTwoAndNoStackTrace() {
        var err = new java.io.ByteArrayOutputStream();
        var old = System.err;
        System.setErr(new java.io.PrintStream(err, true));
        int rc;
        try {
            rc = new CommandLine(new LoadCommand()).execute("-t", "forever", "http://127.0.0.1:1/");
        } finally {
            System.setErr(old);
        }
        assertThat(rc).isEqualTo(2);
        assertThat(err.toString()).startsWith("trellis load: -t forever").doesNotContain("Exception");
    }
}
