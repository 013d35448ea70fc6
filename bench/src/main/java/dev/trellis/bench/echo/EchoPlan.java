package dev.trellis.bench.echo;

import io.netty.handler.codec.http.QueryStringDecoder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.random.RandomGenerator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the echo server does for one request, from its query parameters (fortio server's names):
 *
 * <ul>
 *   <li>{@code size=N}: answer with N bytes instead of echoing the request body (at most {@value #MAX_SIZE});
 *   <li>{@code delay=10ms}: wait before answering; units ns, us, ms, s, m; also a mix ({@code delay=1s:10,10ms:50});
 *   <li>{@code status=503}: answer with that status; a mix {@code status=503:30} (30%) or {@code 503:10,429:5};
 *   <li>{@code close=true}: close the connection after the response; {@code close=25} closes 25% of the time;
 *   <li>{@code header=Name:Value}: add a response header (repeatable).
 * </ul>
 *
 * Unknown parameters are ignored (clients add their own); a bad value of a known one is a 400 naming it.
 */
public record EchoPlan(
        Mix<Integer> status,
        Mix<Duration> delay,
        OptionalInt size,
        double closePercent,
        List<Map.Entry<String, String>> headers) {

    public static final int MAX_SIZE = 64 * 1024 * 1024;
    public static final Duration MAX_DELAY = Duration.ofSeconds(60);
    public static final EchoPlan DEFAULT =
            new EchoPlan(Mix.always(200), Mix.always(Duration.ZERO), OptionalInt.empty(), 0, List.of());

    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m)");

    public EchoPlan {
        headers = List.copyOf(headers);
    }

    /** One request's draw from the plan's mixes. */
    public record Decision(int status, Duration delay, boolean close) {}

    public Decision decide(RandomGenerator random) {
        boolean close = closePercent >= 100 || (closePercent > 0 && random.nextDouble() * 100 < closePercent);
        return new Decision(status.pick(random), delay.pick(random), close);
    }

    /**
     * Parses the query of {@code uri}.
     *
     * @throws IllegalArgumentException naming the parameter when a value is bad
     */
    public static EchoPlan parse(String uri) {
        Map<String, List<String>> params = new QueryStringDecoder(uri).parameters();
        if (params.isEmpty()) {
            return DEFAULT;
        }
        Mix<Integer> status = Mix.always(200);
        Mix<Duration> delay = Mix.always(Duration.ZERO);
        OptionalInt size = OptionalInt.empty();
        double close = 0;
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : params.entrySet()) {
            String value = e.getValue().getLast();
            switch (e.getKey()) {
                case "status" -> status = Mix.parse("status", value, EchoPlan::parseStatus, 200);
                case "delay" -> delay = Mix.parse("delay", value, EchoPlan::parseDuration, Duration.ZERO);
                case "size" -> size = OptionalInt.of(parseSize(value));
                case "close" -> close = parseClose(value);
                case "header" -> {
                    for (String h : e.getValue()) {
                        int colon = h.indexOf(':');
                        if (colon <= 0) {
                            throw new IllegalArgumentException("header=" + h + ": expected Name:Value");
                        }
                        headers.add(Map.entry(
                                h.substring(0, colon).strip().toLowerCase(Locale.ROOT),
                                h.substring(colon + 1).strip()));
                    }
                }
                default -> {}
            }
        }
        return new EchoPlan(status, delay, size, close, headers);
    }

    static int parseStatus(String s) {
        int code;
        try {
            code = Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' is not a status code");
        }
        if (code < 100 || code > 599) {
            throw new IllegalArgumentException("status " + code + " is not in 100..599");
        }
        return code;
    }

    /** Parses Go-style durations as fortio does ({@code 10ms}, {@code 1.5s}); a bare {@code 0} is zero. */
    public static Duration parseDuration(String s) {
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = DURATION.matcher(s.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + s + "' is not a duration like 10ms, 1s or 250us");
        }
        double n = Double.parseDouble(m.group(1));
        double nanos =
                switch (m.group(2)) {
                    case "ns" -> n;
                    case "us", "µs" -> n * 1e3;
                    case "ms" -> n * 1e6;
                    case "s" -> n * 1e9;
                    default -> n * 60e9;
                };
        Duration d = Duration.ofNanos((long) nanos);
        if (d.compareTo(MAX_DELAY) > 0) {
            throw new IllegalArgumentException("duration " + s + " is over the maximum of 60s");
        }
        return d;
    }

    static int parseSize(String s) {
        long n;
        try {
            n = Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("size=" + s + ": not a number of bytes");
        }
        if (n < 0 || n > MAX_SIZE) {
            throw new IllegalArgumentException("size=" + s + ": not in 0.." + MAX_SIZE);
        }
        return (int) n;
    }

    static double parseClose(String s) {
        String v = s.strip().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "", "true", "yes", "on" -> 100;
            case "false", "no", "off" -> 0;
            default -> {
                String n = v.endsWith("%") ? v.substring(0, v.length() - 1) : v;
                try {
                    double p = Double.parseDouble(n);
                    if (p < 0 || p > 100) {
                        throw new NumberFormatException();
                    }
                    yield p;
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("close=" + s + ": expected true, false or a percentage 0..100");
                }
            }
        };
    }
}
