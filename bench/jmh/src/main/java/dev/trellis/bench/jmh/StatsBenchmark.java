package dev.trellis.bench.jmh;

import dev.trellis.proxy.stats.Stat;
import dev.trellis.proxy.stats.Stats;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Counting a request: a held {@link Stat} (what the request path does), the same from two event loops at once, and
 * looking the counter up by name first (what the request path must not do: the comparison shows why).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class StatsBenchmark {

    Stats stats;
    Stat requests;

    @Setup
    public void setUp() {
        stats = new Stats();
        for (int i = 0; i < 500; i++) {
            stats.counter("cluster", "outbound|9080||svc" + i + ".default.svc.cluster.local", "upstream_rq_total");
        }
        requests = stats.counter("cluster", "outbound|9080||reviews.default.svc.cluster.local", "upstream_rq_total");
    }

    @Benchmark
    public void increment() {
        requests.inc();
    }

    @Benchmark
    @Group("contended")
    @GroupThreads(2)
    public void incrementFromTwoThreads() {
        requests.inc();
    }

    @Benchmark
    public void lookupAndIncrement() {
        stats.counter("cluster", "outbound|9080||reviews.default.svc.cluster.local", "upstream_rq_total")
                .inc();
    }
}
