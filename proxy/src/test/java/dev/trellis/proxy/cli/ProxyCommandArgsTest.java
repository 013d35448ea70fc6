package dev.trellis.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/** The proxy's fast argument reader must agree with picocli wherever it answers, and defer to it everywhere else. */
class ProxyCommandArgsTest {

    static List<List<String>> accepted() {
        return List.of(
                List.of("-c", "b.yaml"),
                List.of("--config-path", "b.yaml"),
                List.of("--config-path=b.yaml"),
                List.of("-cb.yaml"),
                List.of("-c=b.yaml"),
                List.of("-c", "b.yaml", "--concurrency", "3", "--log-level", "debug", "--drain-time-s", "0"),
                List.of("--concurrency=1", "-l", "warning", "-c", "b.yaml", "--check"),
                List.of("-ldebug", "--drain-time-s=12", "-c", "dir/b.json"),
                List.of("-c", "b.yaml", "--mode", "init_only"),
                List.of("--mode=validate", "-c", "b.yaml"));
    }

    static List<List<String>> deferred() {
        return List.of(
                List.of(),
                List.of("--help"),
                List.of("-h"),
                List.of("-V"),
                List.of("--concurrency", "2"),
                List.of("-c"),
                List.of("-c", "--check"),
                List.of("-c", "a.yaml", "-c", "b.yaml"),
                List.of("-c", "b.yaml", "--concurrency", "two"),
                List.of("-c", "b.yaml", "--check=yes"),
                List.of("-c", "b.yaml", "--no-such-option"),
                List.of("-c", "b.yaml", "extra"),
                List.of("-c", "b.yaml", "--mode", "INIT"));
    }

    @ParameterizedTest
    @MethodSource("accepted")
    void readsWhatPicocliReadsTheSameWay(List<String> args) {
        ProxyCommand fast = ProxyCommand.parseFast(args.toArray(String[]::new)).orElseThrow();
        ProxyCommand slow = new ProxyCommand();
        new CommandLine(slow).parseArgs(args.toArray(String[]::new));
        assertThat(fast.config).isEqualTo(slow.config);
        assertThat(fast.concurrency).isEqualTo(slow.concurrency);
        assertThat(fast.logLevel).isEqualTo(slow.logLevel);
        assertThat(fast.drainTimeS).isEqualTo(slow.drainTimeS);
        assertThat(fast.check).isEqualTo(slow.check);
        assertThat(fast.mode).isEqualTo(slow.mode);
    }

    @ParameterizedTest
    @MethodSource("deferred")
    void leavesEverythingElseToPicocli(List<String> args) {
        assertThat(ProxyCommand.parseFast(args.toArray(String[]::new))).isEmpty();
    }
}
