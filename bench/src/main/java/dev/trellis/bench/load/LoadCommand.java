package dev.trellis.bench.load;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code trellis load}: a fixed-rate (or as-fast-as-possible) load generator, like {@code fortio load}. */
@Command(
        name = "load",
        mixinStandardHelpOptions = true,
        description = {
            "Send HTTP/1.1, h2c or gRPC load at a fixed rate, or as fast as possible, and report latency.",
            "",
            "Open loop (-qps N): every request has a due time and its latency counts from then, so a stall is not",
            "hidden (coordinated-omission correction). -qps 0: closed loop, each connection sends as soon as its last",
            "response arrives. Prints count, rate, errors by status and kind, and latency min/p50/p75/p90/p99/p99.9/max;",
            "Ctrl-C prints what was measured so far. A refused, unreachable or stalled target is counted as errors and",
            "the run still ends on time.",
            "Example: trellis load -qps 1000 -c 4 -t 10s -payload-size 1024 http://127.0.0.1:8080/echo",
        })
public final class LoadCommand implements Callable<Integer> {

    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)?");

    @Option(
            names = "-qps",
            paramLabel = "N",
            defaultValue = "8",
            description =
                    "Requests per second over all connections; 0 = as fast as possible (default ${DEFAULT-VALUE}).")
    double qps;

    @Option(
            names = "-c",
            paramLabel = "CONNS",
            defaultValue = "8",
            description = "Connections (default ${DEFAULT-VALUE}).")
    int connections;

    @Option(
            names = "-t",
            paramLabel = "DURATION",
            description = "Duration, e.g. 10s, 500ms, 2m (default 5s unless -n is given).")
    String duration;

    @Option(names = "-n", paramLabel = "COUNT", description = "Total number of requests instead of a duration.")
    Long count;

    @Option(
            names = "-payload-size",
            paramLabel = "BYTES",
            defaultValue = "0",
            description = "Request body bytes; a body makes the request a POST (default ${DEFAULT-VALUE}).")
    int payloadSize;

    @Option(
            names = "-H",
            paramLabel = "'NAME: VALUE'",
            description = "Extra request header 'Name: value' (repeatable).")
    List<String> headers = new ArrayList<>();

    @Option(names = "-h2", description = "HTTP/2 over cleartext (prior knowledge).")
    boolean h2;

    @Option(
            names = "-grpc",
            description = "gRPC unary calls (h2c) with the payload as the message; the URL path names the method "
                    + "(default " + LoadOptions.DEFAULT_GRPC_METHOD + ").")
    boolean grpc;

    @Option(
            names = "-json",
            paramLabel = "FILE",
            description = "Also write the results as JSON (schema trellis.load/v1) to FILE.")
    Path json;

    @Option(
            names = "-timeout",
            paramLabel = "DURATION",
            defaultValue = "3s",
            description = "Per-request timeout (default ${DEFAULT-VALUE}).")
    String timeout;

    @Option(names = "-threads", paramLabel = "N", description = "Event-loop threads (default: min(connections, CPUs)).")
    Integer threads;

    @Option(
            names = "-warmup",
            paramLabel = "DURATION",
            description = "Run the same load this long first, unmeasured, so both ends are warm (e.g. 2s).")
    String warmup;

    @Option(names = "-quiet", description = "Print only the results.")
    boolean quiet;

    @Parameters(index = "0", paramLabel = "URL", description = "Target, e.g. http://127.0.0.1:8080/echo")
    String url;

    public LoadCommand() {}

    @Override
    public Integer call() throws Exception {
        LoadOptions options;
        try {
            options = options();
        } catch (IllegalArgumentException e) {
            System.err.println("trellis load: " + e.getMessage());
            return 2;
        }
        if (warmup != null) {
            Duration w;
            try {
                w = parseDuration("-warmup", warmup);
            } catch (IllegalArgumentException e) {
                System.err.println("trellis load: " + e.getMessage());
                return 2;
            }
            new LoadGenerator(options.withDuration(w)).run();
        }
        LoadGenerator generator = new LoadGenerator(options);
        AtomicBoolean reported = new AtomicBoolean();
        Thread hook = new Thread(
                () -> {
                    if (reported.compareAndSet(false, true)) {
                        generator.stop();
                        emit(generator.report(true));
                    }
                },
                "load-interrupted");
        Runtime.getRuntime().addShutdownHook(hook);
        if (!quiet) {
            System.out.println(banner(options));
            System.out.flush();
        }
        LoadReport report = generator.run();
        if (reported.compareAndSet(false, true)) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is already exiting; the report below still goes out
            }
            return emit(report) ? 0 : 1;
        }
        return 0;
    }

    private boolean emit(LoadReport report) {
        System.out.print(report.toText());
        System.out.flush();
        if (json != null) {
            try {
                report.writeJson(json);
            } catch (IOException e) {
                System.err.println("trellis load: cannot write " + json + ": " + e.getMessage());
                return false;
            }
        }
        return true;
    }

    private static String banner(LoadOptions o) {
        String bound =
                o.duration() != null ? "for " + o.duration().toMillis() / 1000.0 + " s" : o.count() + " requests";
        String rate = o.qps() > 0
                ? String.format(
                        java.util.Locale.ROOT, "%.1f req/s (open loop; latency from the intended send time)", o.qps())
                : "as fast as possible (closed loop)";
        return "trellis load: " + o.url() + " " + o.protocol().label() + ", " + o.connections() + " connection"
                + (o.connections() == 1 ? "" : "s") + ", " + rate + ", " + bound;
    }

    LoadOptions options() {
        if (h2 && grpc) {
            throw new IllegalArgumentException("-h2 and -grpc: pick one (-grpc already uses HTTP/2)");
        }
        if (duration != null && count != null) {
            throw new IllegalArgumentException("-t and -n: give one of them, not both");
        }
        if (count != null && count <= 0) {
            throw new IllegalArgumentException("-n " + count + ": must be positive");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("URL '" + url + "' is not valid: " + e.getReason());
        }
        if (uri.getScheme() == null) {
            throw new IllegalArgumentException("URL '" + url + "' needs a scheme, e.g. http://" + url);
        }
        List<Map.Entry<String, String>> hs = new ArrayList<>();
        for (String h : headers) {
            int colon = h.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("-H '" + h + "': expected 'Name: value'");
            }
            hs.add(Map.entry(
                    h.substring(0, colon).strip(), h.substring(colon + 1).strip()));
        }
        Duration d = count != null ? null : parseDuration("-t", duration == null ? "5s" : duration);
        int n = threads != null
                ? threads
                : Math.min(connections, Runtime.getRuntime().availableProcessors());
        return new LoadOptions(
                uri,
                grpc ? LoadOptions.Protocol.GRPC : h2 ? LoadOptions.Protocol.H2C : LoadOptions.Protocol.HTTP1,
                qps,
                connections,
                d,
                count == null ? 0 : count,
                payloadSize,
                hs,
                parseDuration("-timeout", timeout),
                Math.max(1, n));
    }

    /** Parses {@code 10s}, {@code 500ms}, {@code 2m}, {@code 1h}; a bare number is seconds. */
    static Duration parseDuration(String option, String text) {
        Matcher m = DURATION.matcher(text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException(option + " " + text + ": not a duration like 10s, 500ms or 2m");
        }
        double v = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        double nanos =
                switch (unit) {
                    case "ms" -> v * 1e6;
                    case "s" -> v * 1e9;
                    case "m" -> v * 60e9;
                    default -> v * 3600e9;
                };
        Duration d = Duration.ofNanos((long) nanos);
        if (d.isZero()) {
            throw new IllegalArgumentException(option + " " + text + ": must be positive");
        }
        return d;
    }
}
