package dev.trellis.proxy.lb;

import dev.trellis.proxy.cluster.Host;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Weighted round robin. Equal weights cycle through the list; unequal weights cycle through a precomputed smooth
 * schedule (nginx's algorithm) so heavy hosts are interleaved rather than bunched. Falls back to weighted random when
 * the schedule would be huge.
 */
final class RoundRobin implements HostPicker {
    private static final int MAX_SCHEDULE = 1 << 16;
    private final Host[] schedule;
    private final AtomicLong next;

    RoundRobin(List<Host> hosts) {
        boolean equal = hosts.stream().allMatch(h -> h.weight() == hosts.get(0).weight());
        long total = hosts.stream().mapToLong(Host::weight).sum();
        if (equal || total > MAX_SCHEDULE) {
            this.schedule = equal ? hosts.toArray(Host[]::new) : weightedSample(hosts, MAX_SCHEDULE);
        } else {
            this.schedule = smooth(hosts, (int) total);
        }
        // Start at a random offset so that many proxies do not all hit the first host first.
        this.next =
                new AtomicLong(java.util.concurrent.ThreadLocalRandom.current().nextInt(schedule.length));
    }

    private static Host[] smooth(List<Host> hosts, int total) {
        Host[] out = new Host[total];
        long[] current = new long[hosts.size()];
        for (int i = 0; i < total; i++) {
            int best = 0;
            for (int j = 0; j < hosts.size(); j++) {
                current[j] += hosts.get(j).weight();
                if (current[j] > current[best]) {
                    best = j;
                }
            }
            current[best] -= total;
            out[i] = hosts.get(best);
        }
        return out;
    }

    private static Host[] weightedSample(List<Host> hosts, int size) {
        long total = hosts.stream().mapToLong(Host::weight).sum();
        Host[] out = new Host[size];
        int idx = 0;
        for (Host h : hosts) {
            long n = Math.max(1, h.weight() * (long) size / total);
            for (long k = 0; k < n && idx < size; k++) {
                out[idx++] = h;
            }
        }
        while (idx < size) {
            out[idx] = out[idx % Math.max(1, idx)];
            idx++;
        }
        // Shuffle deterministically so hosts interleave.
        java.util.Random r = new java.util.Random(size);
        for (int i = size - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            Host t = out[i];
            out[i] = out[j];
            out[j] = t;
        }
        return out;
    }

    @Override
    public Host pick(LbContext ctx) {
        return schedule[(int) (next.getAndIncrement() % schedule.length)];
    }
}
