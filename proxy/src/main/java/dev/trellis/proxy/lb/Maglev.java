package dev.trellis.proxy.lb;

import dev.trellis.proxy.cluster.Host;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Maglev consistent hashing (Eisenbud et al.), with weights as in Envoy: a table of {@code table_size} (a prime,
 * default 65537) slots filled round by round from each host's permutation; a host with a higher weight claims slots
 * proportionally more often.
 */
final class Maglev implements HostPicker {
    private final Host[] table;

    Maglev(List<Host> hosts, int tableSize) {
        int m = tableSize;
        int n = hosts.size();
        long[] offset = new long[n];
        long[] skip = new long[n];
        long[] next = new long[n];
        double maxWeight = hosts.stream().mapToInt(Host::weight).max().orElse(1);
        double[] targetWeight = new double[n];
        double[] current = new double[n];
        for (int i = 0; i < n; i++) {
            String key = hosts.get(i).addressString();
            offset[i] =
                    Long.remainderUnsigned(Hashes.xx64(key.getBytes(java.nio.charset.StandardCharsets.UTF_8), 0), m);
            skip[i] =
                    Long.remainderUnsigned(Hashes.xx64(key.getBytes(java.nio.charset.StandardCharsets.UTF_8), 1), m - 1)
                            + 1;
            targetWeight[i] = hosts.get(i).weight() / maxWeight;
        }
        Host[] t = new Host[m];
        int filled = 0;
        outer:
        while (true) {
            for (int i = 0; i < n; i++) {
                // A host claims a slot each time its accumulated weight reaches one: weight-proportional shares.
                current[i] += targetWeight[i];
                if (current[i] < 1) {
                    continue;
                }
                current[i] -= 1;
                long c = (offset[i] + next[i] * skip[i]) % m;
                while (t[(int) c] != null) {
                    next[i]++;
                    c = (offset[i] + next[i] * skip[i]) % m;
                }
                t[(int) c] = hosts.get(i);
                next[i]++;
                if (++filled == m) {
                    break outer;
                }
            }
        }
        this.table = t;
    }

    Host[] table() {
        return table;
    }

    @Override
    public Host pick(LbContext ctx) {
        long h = ctx.hasHash() ? ctx.hash() : ThreadLocalRandom.current().nextLong();
        return table[(int) Long.remainderUnsigned(h, table.length)];
    }
}
