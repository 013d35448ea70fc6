package dev.trellis.bench.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The result of a run, as text and as JSON. The JSON schema ({@value #SCHEMA}) is stable: fields are only ever added.
 *
 * <pre>
 * {
 *   "schema": "trellis.load/v1",
 *   "url": "http://127.0.0.1:8080/", "protocol": "http/1.1" | "h2c" | "grpc",
 *   "started": "2026-11-27T10:00:00Z",  "interrupted": false,
 *   "requested": {"qps": 1000.0 (0 = closed loop), "connections": 4, "duration_s": 5.0 | null,
 *                 "count": 0 (0 = bounded by duration), "payload_bytes": 1024, "timeout_s": 3.0},
 *   "elapsed_s": 5.001, "count": 5000, "ok": 4990, "errors": 10, "rate": 999.8,
 *   "status": {"200": 4990, "503": 7},        HTTP status of every response that arrived
 *   "grpc_status": {"0": 4990},               gRPC runs only: grpc-status of every call that ended
 *   "error_kinds": {"timeout": 3},            requests without a response: connect_refused, connect_timeout,
 *                                             connect_error, timeout, closed, reset, unfinished, io_error
 *   "latency_ms": {"min": .., "mean": .., "p50": .., "p75": .., "p90": .., "p99": .., "p99_9": .., "max": ..},
 *   "bytes_received": 5120000
 * }
 * </pre>
 *
 * Latency is from when each request was due by the schedule (open loop, so coordinated omission does not hide a stall),
 * or from when it was sent (closed loop); it covers every response that arrived, error statuses included. {@code
 * count} = {@code ok} + {@code errors}; {@code errors} counts non-2xx statuses, non-zero gRPC statuses and requests
 * without a response.
 */
public record LoadReport(
        LoadOptions options,
        Instant started,
        double elapsedSeconds,
        boolean interrupted,
        long ok,
        long statusErrors,
        Map<String, Long> status,
        Map<String, Long> grpcStatus,
        Map<String, Long> errorKinds,
        Histogram latencyMicros,
        long bytesReceived) {

    public static final String SCHEMA = "trellis.load/v1";

    public long errors() {
        return statusErrors
                + errorKinds.values().stream().mapToLong(Long::longValue).sum();
    }

    public long count() {
        return ok + errors();
    }

    public double rate() {
        return elapsedSeconds <= 0 ? 0 : count() / elapsedSeconds;
    }

    /** Latency at a percentile in milliseconds; 0 when nothing was measured. */
    public double latencyMs(double percentile) {
        return latencyMicros.getTotalCount() == 0 ? 0 : latencyMicros.getValueAtPercentile(percentile) / 1000.0;
    }

    public double minMs() {
        return latencyMicros.getTotalCount() == 0 ? 0 : latencyMicros.getMinValue() / 1000.0;
    }

    public double maxMs() {
        return latencyMicros.getTotalCount() == 0 ? 0 : latencyMicros.getMaxValue() / 1000.0;
    }

    public double meanMs() {
        return latencyMicros.getTotalCount() == 0 ? 0 : latencyMicros.getMean() / 1000.0;
    }

    public String toText() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(
                Locale.ROOT,
                "Requests: %d in %.3f s = %.1f req/s; ok %d, errors %d%s%n",
                count(),
                elapsedSeconds,
                rate(),
                ok,
                errors(),
                interrupted ? " (interrupted: what was measured so far)" : ""));
        sb.append("Status: ").append(join(status)).append('\n');
        if (!grpcStatus.isEmpty()) {
            sb.append("gRPC status: ").append(join(grpcStatus)).append('\n');
        }
        if (!errorKinds.isEmpty()) {
            sb.append("Errors: ").append(join(errorKinds)).append('\n');
        }
        sb.append(String.format(
                Locale.ROOT,
                "Latency (ms): min %.3f  p50 %.3f  p75 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f  mean %.3f%n",
                minMs(),
                latencyMs(50),
                latencyMs(75),
                latencyMs(90),
                latencyMs(99),
                latencyMs(99.9),
                maxMs(),
                meanMs()));
        return sb.toString();
    }

    private static String join(Map<String, Long> m) {
        if (m.isEmpty()) {
            return "none";
        }
        StringBuilder sb = new StringBuilder();
        m.forEach((k, v) ->
                sb.append(sb.isEmpty() ? "" : ", ").append(k).append(": ").append(v));
        return sb.toString();
    }

    public ObjectNode toJson() {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        root.put("schema", SCHEMA);
        root.put("url", options.url().toString());
        root.put("protocol", options.protocol().label());
        root.put("started", started.toString());
        root.put("interrupted", interrupted);
        ObjectNode req = root.putObject("requested");
        req.put("qps", options.qps());
        req.put("connections", options.connections());
        if (options.duration() == null) {
            req.putNull("duration_s");
        } else {
            req.put("duration_s", options.duration().toNanos() / 1e9);
        }
        req.put("count", options.count());
        req.put("payload_bytes", options.payloadSize());
        req.put("timeout_s", options.timeout().toNanos() / 1e9);
        root.put("elapsed_s", round(elapsedSeconds));
        root.put("count", count());
        root.put("ok", ok);
        root.put("errors", errors());
        root.put("rate", round(rate()));
        ObjectNode st = root.putObject("status");
        status.forEach(st::put);
        ObjectNode gst = root.putObject("grpc_status");
        grpcStatus.forEach(gst::put);
        ObjectNode ek = root.putObject("error_kinds");
        errorKinds.forEach(ek::put);
        ObjectNode lat = root.putObject("latency_ms");
        lat.put("min", round(minMs()));
        lat.put("mean", round(meanMs()));
        lat.put("p50", round(latencyMs(50)));
        lat.put("p75", round(latencyMs(75)));
        lat.put("p90", round(latencyMs(90)));
        lat.put("p99", round(latencyMs(99)));
        lat.put("p99_9", round(latencyMs(99.9)));
        lat.put("max", round(maxMs()));
        root.put("bytes_received", bytesReceived);
        return root;
    }

    public void writeJson(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        byte[] bytes =
                new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(toJson());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, bytes);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private static double round(double v) {
        return Math.round(v * 1000.0) / 1000.0;
    }
}
