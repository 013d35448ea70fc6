package dev.trellis.bench.load;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One load run's settings, validated.
 *
 * @param qps total requests per second over all connections; 0 means closed loop (as fast as responses allow)
 * @param duration how long to send; null when {@code count} bounds the run instead
 * @param count total requests; 0 when {@code duration} bounds the run
 * @param timeout how long one request may take before it counts as a {@code timeout} error
 * @param threads event-loop threads
 */
public record LoadOptions(
        URI url,
        Protocol protocol,
        double qps,
        int connections,
        Duration duration,
        long count,
        int payloadSize,
        List<Map.Entry<String, String>> headers,
        Duration timeout,
        int threads) {

    /** What goes over each connection. */
    public enum Protocol {
        HTTP1("http/1.1"),
        H2C("h2c"),
        GRPC("grpc");

        private final String label;

        Protocol(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** The method a gRPC run calls when the URL has no path of its own: the echo server's unary echo. */
    public static final String DEFAULT_GRPC_METHOD = "/trellis.echo.v1.Echo/Echo";

    public LoadOptions {
        headers = List.copyOf(headers);
        if (!"http".equals(url.getScheme())) {
            throw new IllegalArgumentException("URL " + url + ": only http:// is supported (TLS comes later)");
        }
        if (url.getHost() == null) {
            throw new IllegalArgumentException("URL " + url + ": no host");
        }
        if (!(qps >= 0)) {
            throw new IllegalArgumentException("-qps " + qps + ": must be 0 (as fast as possible) or more");
        }
        if (connections < 1) {
            throw new IllegalArgumentException("-c " + connections + ": needs at least 1 connection");
        }
        if ((duration == null) == (count <= 0)) {
            throw new IllegalArgumentException("give either -t DURATION or -n COUNT");
        }
        if (duration != null && (duration.isNegative() || duration.isZero())) {
            throw new IllegalArgumentException("-t " + duration + ": must be positive");
        }
        if (payloadSize < 0) {
            throw new IllegalArgumentException("-payload-size " + payloadSize + ": must be 0 or more");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("-timeout must be positive");
        }
        if (threads < 1) {
            throw new IllegalArgumentException("-threads must be at least 1");
        }
    }

    /** The same load bounded by {@code d} instead (for a warm-up). */
    public LoadOptions withDuration(Duration d) {
        return new LoadOptions(url, protocol, qps, connections, d, 0, payloadSize, headers, timeout, threads);
    }

    public int port() {
        return url.getPort() > 0 ? url.getPort() : 80;
    }

    /** Path and query as sent; for gRPC the method path. */
    public String pathAndQuery() {
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        if (protocol == Protocol.GRPC && path.equals("/")) {
            return DEFAULT_GRPC_METHOD;
        }
        return url.getRawQuery() == null ? path : path + "?" + url.getRawQuery();
    }

    public String authority() {
        return url.getPort() > 0 ? url.getHost() + ":" + url.getPort() : url.getHost();
    }
}
