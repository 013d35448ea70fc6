package dev.trellis.bench.jmh;

import dev.trellis.proxy.cluster.Host;
import dev.trellis.proxy.cluster.PrioritySet;
import dev.trellis.proxy.lb.LbContext;
import dev.trellis.proxy.lb.LbOptions;
import dev.trellis.proxy.lb.LbPolicy;
import dev.trellis.proxy.lb.LoadBalancer;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** One host pick per request, for every policy the proxy has, over a small and a large cluster. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LoadBalancerBenchmark {

    @Param({"ROUND_ROBIN", "LEAST_REQUEST", "RANDOM", "RING_HASH", "MAGLEV"})
    public String policy;

    @Param({"3", "100"})
    public int hosts;

    LoadBalancer lb;
    long counter;

    /** A request with a hash (the hash policies use it; the others ignore it). */
    final class Hashed implements LbContext {
        @Override
        public boolean hasHash() {
            return true;
        }

        @Override
        public long hash() {
            return counter * 0x9E3779B97F4A7C15L;
        }
    }

    final Hashed ctx = new Hashed();

    @Setup
    public void setUp() {
        List<Host> list = new ArrayList<>();
        for (int i = 0; i < hosts; i++) {
            list.add(new Host(
                    "bench",
                    new InetSocketAddress("10.0." + (i / 250) + "." + (i % 250 + 1), 8080),
                    1 + i % 3,
                    "",
                    0,
                    Host.Health.HEALTHY,
                    null));
        }
        lb = new LoadBalancer(PrioritySet.of(list, Map.of()), LbPolicy.valueOf(policy), LbOptions.DEFAULTS);
    }

    @Benchmark
    public Host pick() {
        counter++;
        return lb.choose(ctx);
    }
}
