package dev.trellis.proxy.lb;

import dev.trellis.proxy.cluster.Host;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ketama-style consistent hashing as in Envoy's ring hash: each host gets ring entries in proportion to its weight
 * (hash of {@code "address_i"} with xxHash64), the ring has between {@code minimum_ring_size} and
 * {@code maximum_ring_size} entries; a request's hash selects the first entry at or after it. Requests without a hash
 * get a random point.
 */
final class RingHash implements HostPicker {
    private final long[] points;
    private final Host[] owners;

    RingHash(List<Host> hosts, long minRing, long maxRing) {
        long totalWeight = hosts.stream().mapToLong(Host::weight).sum();
        double minNorm = hosts.stream()
                .mapToDouble(h -> h.weight() / (double) totalWeight)
                .min()
                .orElse(1);
        double scale = Math.min(Math.ceil(minNorm * minRing) / minNorm, maxRing);
        int size = (int) Math.min(maxRing, Math.max(hosts.size(), Math.ceil(scale)));
        long[] pts = new long[size + hosts.size()];
        Host[] own = new Host[pts.length];
        int n = 0;
        double target = 0;
        double current = 0;
        for (Host h : hosts) {
            target += scale * h.weight() / totalWeight;
            int i = 0;
            while (current < target && n < pts.length) {
                pts[n] = Hashes.xx64(h.addressString() + "_" + i);
                own[n] = h;
                n++;
                i++;
                current++;
            }
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        final long[] p = pts;
        Arrays.sort(order, (a, b) -> Long.compareUnsigned(p[a], p[b]));
        this.points = new long[n];
        this.owners = new Host[n];
        for (int i = 0; i < n; i++) {
            points[i] = pts[order[i]];
            owners[i] = own[order[i]];
        }
    }

    int size() {
        return points.length;
    }

    @Override
    public Host pick(LbContext ctx) {
        long h = ctx.hasHash() ? ctx.hash() : ThreadLocalRandom.current().nextLong();
        int lo = 0;
        int hi = points.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(points[mid], h) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return owners[lo == points.length ? 0 : lo];
    }
}
