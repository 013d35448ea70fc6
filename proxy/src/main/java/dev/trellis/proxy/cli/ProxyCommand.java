package dev.trellis.proxy.cli;

import dev.trellis.proxy.bootstrap.BootstrapLoader;
import dev.trellis.proxy.config.ConfigException;
import dev.trellis.proxy.log.Log;
import dev.trellis.proxy.log.LogLevel;
import dev.trellis.proxy.log.Logging;
import dev.trellis.proxy.log.NettyLogFactory;
import dev.trellis.proxy.server.ProxyServer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code trellis proxy -c FILE}: runs the data plane proxy from an Envoy v3 bootstrap. */
@Command(
        name = "proxy",
        mixinStandardHelpOptions = true,
        description = "Run the data plane proxy from an Envoy v3 bootstrap (YAML or JSON).")
public final class ProxyCommand implements Callable<Integer> {
    @Option(
            names = {"-c", "--config-path"},
            required = true,
            paramLabel = "FILE",
            description = "Envoy v3 Bootstrap, YAML or JSON")
    Path config;

    @Option(names = "--concurrency", paramLabel = "N", description = "worker event loops (default: number of cores)")
    Integer concurrency;

    @Option(
            names = {"-l", "--log-level"},
            paramLabel = "LEVEL",
            defaultValue = "info",
            description = "trace, debug, info, warning, error, off (default: ${DEFAULT-VALUE})")
    String logLevel;

    @Option(
            names = "--drain-time-s",
            paramLabel = "S",
            defaultValue = "5",
            description = "seconds to drain connections on listener removal and shutdown (default: ${DEFAULT-VALUE})")
    int drainTimeS;

    @Option(
            names = "--check",
            description = "parse and compile the bootstrap (no ports bound, no xDS server contacted), print a summary"
                    + " and exit: 0 when it would start, 1 with the reason when not")
    boolean check;

    /** Envoy's {@code --mode}: what to do after the bootstrap compiles. */
    public enum Mode {
        serve,
        validate,
        init_only
    }

    @Option(
            names = "--mode",
            paramLabel = "MODE",
            defaultValue = "serve",
            description = "serve (default); validate: the same as --check; init_only: start everything, bind the ports,"
                    + " then shut down and exit (as Envoy's init_only; used to train the startup cache)")
    Mode mode;

    public ProxyCommand() {}

    /**
     * Reads the command line without picocli, for the common case only: every option above, as {@code --opt value},
     * {@code --opt=value} or {@code -cVALUE}. Anything else (help, version, an unknown or repeated option, a malformed
     * number) returns empty and the caller goes through picocli, which owns usage and error messages. Picocli builds
     * its model by reflection, and core reflection spins method handles: ~300 ms of the proxy's time to ready, which
     * has a 500 ms target. A test holds this parser to picocli's answers.
     */
    public static java.util.Optional<ProxyCommand> parseFast(String... args) {
        ProxyCommand cmd = new ProxyCommand();
        cmd.logLevel = "info";
        cmd.drainTimeS = 5;
        cmd.mode = Mode.serve;
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String name = arg;
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            } else if (arg.startsWith("-c") && arg.length() > 2 && !arg.startsWith("--")) {
                name = "-c";
                value = arg.substring(arg.charAt(2) == '=' ? 3 : 2);
            } else if (arg.startsWith("-l") && arg.length() > 2 && !arg.startsWith("--")) {
                name = "-l";
                value = arg.substring(arg.charAt(2) == '=' ? 3 : 2);
            }
            String key =
                    switch (name) {
                        case "-c", "--config-path" -> "config";
                        case "-l", "--log-level" -> "log";
                        case "--concurrency" -> "concurrency";
                        case "--drain-time-s" -> "drain";
                        case "--check" -> "check";
                        case "--mode" -> "mode";
                        default -> null;
                    };
            if (key == null || !seen.add(key)) {
                return java.util.Optional.empty();
            }
            if (key.equals("check")) {
                if (value != null) {
                    return java.util.Optional.empty();
                }
                cmd.check = true;
                continue;
            }
            if (value == null) {
                if (i + 1 >= args.length || args[i + 1].startsWith("-")) {
                    return java.util.Optional.empty();
                }
                value = args[++i];
            }
            try {
                switch (key) {
                    case "config" -> cmd.config = Path.of(value);
                    case "log" -> cmd.logLevel = value;
                    case "concurrency" -> cmd.concurrency = Integer.valueOf(value);
                    case "mode" -> cmd.mode = Mode.valueOf(value);
                    default -> cmd.drainTimeS = Integer.parseInt(value);
                }
            } catch (RuntimeException e) {
                return java.util.Optional.empty();
            }
        }
        return cmd.config == null ? java.util.Optional.empty() : java.util.Optional.of(cmd);
    }

    @Override
    public Integer call() throws Exception {
        LogLevel level = LogLevel.parse(logLevel);
        if (level == null) {
            System.err.println("trellis proxy: --log-level must be one of trace, debug, info, warning, error, off");
            return 2;
        }
        if (concurrency != null && concurrency < 1) {
            System.err.println("trellis proxy: --concurrency must be at least 1");
            return 2;
        }
        if (drainTimeS < 0) {
            System.err.println("trellis proxy: --drain-time-s must not be negative");
            return 2;
        }
        configureLogging(level);
        if (check || mode == Mode.validate) {
            return check();
        }
        ProxyServer server;
        try {
            long t0 = System.nanoTime();
            // Load the network stack's classes and the config schema on the other core while this one reads the file.
            Thread warm = Thread.ofPlatform().daemon().name("trellis-warmup").start(ProxyCommand::warmUp);
            Thread protos = Thread.ofPlatform().daemon().name("trellis-schema").start(ProxyCommand::loadSchema);
            var bootstrap = BootstrapLoader.load(config);
            warm.join();
            protos.join();
            long t1 = System.nanoTime();
            server = new ProxyServer(
                            bootstrap,
                            new ProxyServer.Options(
                                    concurrency == null ? Runtime.getRuntime().availableProcessors() : concurrency,
                                    drainTimeS * 1000L))
                    .start();
            long t2 = System.nanoTime();
            // Concatenation, not String.format: its %d loads locale data. The management beans' classes load after
            // the ports are bound, off the way to ready.
            Log.of(ProxyCommand.class)
                    .info("ready: bootstrap parsed in " + (t1 - t0) / 1_000_000 + " ms, started in "
                            + (t2 - t1) / 1_000_000 + " ms ("
                            + java.lang.management.ManagementFactory.getRuntimeMXBean()
                                    .getUptime()
                            + " ms since JVM start)");
        } catch (ConfigException e) {
            System.err.println("trellis proxy: " + e.getMessage());
            return 1;
        }
        if (mode == Mode.init_only) {
            server.close();
            return 0;
        }
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            server.close();
                        },
                        "trellis-shutdown-hook"));
        server.awaitStopped();
        return 0;
    }

    private int check() {
        try {
            Thread warm = Thread.ofPlatform().daemon().name("trellis-warmup").start(ProxyCommand::warmUp);
            Thread.ofPlatform().daemon().name("trellis-schema").start(ProxyCommand::loadSchema);
            String summary = ProxyServer.check(BootstrapLoader.load(config));
            warm.join();
            System.out.println("trellis proxy: " + config + ": OK (" + summary + ")");
            return 0;
        } catch (ConfigException e) {
            System.err.println("trellis proxy: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    /** The schema table the bootstrap is read with: loaded on another core while this one reads the file's YAML. */
    private static void loadSchema() {
        try {
            dev.trellis.proxy.config.schema.ProtoSchema.envoy();
        } catch (Throwable t) {
            // best effort: the reader loads it itself, and reports what went wrong
        }
    }

    private static void warmUp() {
        try {
            dev.trellis.proxy.server.Transport.detect();
            for (String c : new String[] {
                "io.netty.handler.codec.http.HttpServerCodec",
                "io.netty.handler.codec.http.HttpClientCodec",
                "io.netty.bootstrap.ServerBootstrap",
                "io.netty.buffer.PooledByteBufAllocator",
                "dev.trellis.proxy.http.HttpConnectionHandler",
                "dev.trellis.proxy.filter.router.RouterFilter",
                "dev.trellis.proxy.listener.ListenerManager"
            }) {
                Class.forName(c, true, ProxyCommand.class.getClassLoader());
            }
        } catch (Throwable t) {
            // best effort
        }
    }

    private static void configureLogging(LogLevel level) {
        // Netty logs through the proxy's log. Said before Netty's first class loads, because its default is to probe
        // for SLF4J and Log4J, and its java.util.logging adapter would start java.util.logging (see
        // dev.trellis.proxy.log).
        NettyLogFactory.install();
        Logging.setLevels(Logging.Levels.defaults(level));
    }
}
