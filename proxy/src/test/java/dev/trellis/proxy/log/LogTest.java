package dev.trellis.proxy.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.internal.logging.InternalLogger;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LogTest {
    private final List<String> lines = new CopyOnWriteArrayList<>();

    @BeforeEach
    void capture() {
        Logging.setSink(lines::add);
        Logging.setLevels(Logging.Levels.defaults(LogLevel.INFO));
    }

    @AfterEach
    void restore() {
        Logging.setSink(null);
        Logging.setLevels(Logging.Levels.defaults(LogLevel.INFO));
    }

    @Test
    void lineFormatIsUtcWithMillis() {
        // 2026-11-27T16:41:29.803Z
        String line = Log.format(1_795_797_689_803L, LogLevel.WARNING, "dev.trellis.X", "hello", null);
        assertThat(line).isEqualTo("2026-11-27T16:41:29.803Z WARNING dev.trellis.X: hello" + System.lineSeparator());
        assertThat(Log.format(5L, LogLevel.INFO, "a", "b", null)).startsWith("1970-01-01T00:00:00.005Z INFO a: b");
    }

    @Test
    void stackTraceFollowsTheLine() {
        String line = Log.format(0, LogLevel.ERROR, "n", "failed", new IllegalStateException("boom"));
        assertThat(line).contains("n: failed" + System.lineSeparator() + "java.lang.IllegalStateException: boom");
        assertThat(line).contains("at dev.trellis.proxy.log.LogTest");
    }

    @ParameterizedTest
    @CsvSource({
        "dev.trellis.proxy.http.X, DEBUG",
        "dev.trellis.control.Y, INFO",
        "io.netty.channel.X, WARNING",
        "io.netty, WARNING",
        "io.nettyx.Y, INFO",
        "io.grpc.internal.Z, WARNING",
        "io.grpc.internal.Z2, WARNING",
        "dev.trellis.proxy.tcp.Splice, TRACE",
        "dev.trellis.proxy.tcpx, DEBUG",
    })
    void longestPrefixWins(String name, LogLevel expected) {
        var levels = new Logging.Levels(
                LogLevel.INFO,
                Map.of(
                        "io.netty", LogLevel.WARNING,
                        "io.grpc", LogLevel.WARNING,
                        "dev.trellis.proxy", LogLevel.DEBUG,
                        "dev.trellis.proxy.tcp", LogLevel.TRACE));
        assertThat(levels.levelOf(name)).isEqualTo(expected);
    }

    @Test
    void levelChangesReachExistingLoggers() {
        Log log = Log.named("dev.trellis.proxy.Q");
        log.debug("hidden");
        assertThat(lines).isEmpty();
        Logging.setAll(LogLevel.DEBUG);
        log.debug("shown");
        assertThat(lines)
                .singleElement()
                .asString()
                .endsWith("DEBUG dev.trellis.proxy.Q: shown" + System.lineSeparator());
        Logging.setAll(LogLevel.OFF);
        log.error("hidden");
        assertThat(lines).hasSize(1);
        assertThat(log.enabled(LogLevel.OFF)).isFalse();
    }

    @Test
    void librariesStayAtWarningUnlessTheRootIsHigher() {
        assertThat(Logging.Levels.defaults(LogLevel.DEBUG).levelOf("io.netty.X"))
                .isEqualTo(LogLevel.WARNING);
        assertThat(Logging.Levels.defaults(LogLevel.ERROR).levelOf("io.grpc.X")).isEqualTo(LogLevel.ERROR);
        assertThat(Logging.Levels.defaults(LogLevel.DEBUG).levelOf("dev.trellis.X"))
                .isEqualTo(LogLevel.DEBUG);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "a {} b {}|a 1 b 2",
                "no placeholders|no placeholders",
                "{}{}|12",
                "one {} only|one 1 only",
                "three {} {} {}|three 1 2 {}",
            })
    void nettyPlaceholders(String format, String expected) {
        Throwable[] cause = new Throwable[1];
        assertThat(NettyLogFactory.format(format, new Object[] {1, 2}, cause)).isEqualTo(expected);
        assertThat(cause[0]).isNull();
    }

    @Test
    void nettyTrailingThrowableIsTheCause() {
        Throwable[] cause = new Throwable[1];
        var t = new RuntimeException("x");
        assertThat(NettyLogFactory.format("closed {}", new Object[] {"ch", t}, cause))
                .isEqualTo("closed ch");
        assertThat(cause[0]).isSameAs(t);
    }

    @Test
    void nettyLoggersWriteHere() {
        InternalLogger l = NettyLogFactory.INSTANCE.newInstance("io.netty.util.Foo");
        l.info("not shown at the library default");
        l.warn("leak {} in {}", "ByteBuf", "handler", new IllegalStateException("trace"));
        assertThat(l.isWarnEnabled()).isTrue();
        assertThat(l.isInfoEnabled()).isFalse();
        assertThat(lines)
                .singleElement()
                .asString()
                .contains("WARNING io.netty.util.Foo: leak ByteBuf in handler")
                .contains("java.lang.IllegalStateException: trace");
    }

    @Test
    void javaUtilLoggingIsBridgedWithMirroredLevels() {
        JulBridge.install();
        var jul = java.util.logging.Logger.getLogger("io.grpc.internal.Sample");
        jul.info("below grpc's level");
        jul.log(java.util.logging.Level.WARNING, "channel {0} failed", "ads");
        assertThat(jul.isLoggable(java.util.logging.Level.INFO)).isFalse();
        assertThat(lines).singleElement().asString().contains("WARNING io.grpc.internal.Sample: channel ads failed");
        Logging.setAll(LogLevel.DEBUG);
        assertThat(jul.isLoggable(java.util.logging.Level.FINE)).isTrue();
        jul.fine("now shown");
        assertThat(lines).hasSize(2).last().asString().contains("DEBUG io.grpc.internal.Sample: now shown");
    }
}
