package dev.trellis.bench.load;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/** What a run measured, written by every event loop at once and read for a report at any time (Ctrl-C). */
final class LoadStats {

    /** Latencies in microseconds, 1 µs to 5 minutes, 3 significant digits. */
    private final ConcurrentHistogram latencyMicros = new ConcurrentHistogram(1, 300_000_000L, 3);

    private final LongAdder ok = new LongAdder();
    private final Map<String, LongAdder> status = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> grpcStatus = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> errorKinds = new ConcurrentHashMap<>();
    private final LongAdder statusErrors = new LongAdder();
    private final LongAdder bytesReceived = new LongAdder();

    /** A response arrived: its latency counts, whatever its status. */
    void response(long latencyNanos, int httpStatus, int grpc, long bodyBytes) {
        latencyMicros.recordValue(Math.min(Math.max(1, latencyNanos / 1000), 300_000_000L));
        status.computeIfAbsent(Integer.toString(httpStatus), k -> new LongAdder())
                .increment();
        if (grpc >= 0) {
            grpcStatus
                    .computeIfAbsent(Integer.toString(grpc), k -> new LongAdder())
                    .increment();
        }
        bytesReceived.add(bodyBytes);
        boolean success = httpStatus >= 200 && httpStatus < 300 && grpc <= 0;
        if (success) {
            ok.increment();
        } else {
            statusErrors.increment();
        }
    }

    /** A request got no response: refused, timed out, closed, ... */
    void error(String kind) {
        errorKinds.computeIfAbsent(kind, k -> new LongAdder()).increment();
    }

    Histogram histogramCopy() {
        return latencyMicros.copy();
    }

    long ok() {
        return ok.sum();
    }

    long statusErrors() {
        return statusErrors.sum();
    }

    long bytesReceived() {
        return bytesReceived.sum();
    }

    Map<String, Long> status() {
        return sorted(status);
    }

    Map<String, Long> grpcStatus() {
        return sorted(grpcStatus);
    }

    Map<String, Long> errorKinds() {
        return sorted(errorKinds);
    }

    private static Map<String, Long> sorted(Map<String, LongAdder> m) {
        Map<String, Long> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
