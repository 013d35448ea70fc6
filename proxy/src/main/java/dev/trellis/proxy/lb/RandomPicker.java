package dev.trellis.proxy.lb;

import dev.trellis.proxy.cluster.Host;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** Weighted random choice (a cumulative-weight array and a binary search). */
final class RandomPicker implements HostPicker {
    private final Host[] hosts;
    private final long[] cumulative;

    RandomPicker(List<Host> hosts) {
        this.hosts = hosts.toArray(Host[]::new);
        this.cumulative = new long[hosts.size()];
        long sum = 0;
        for (int i = 0; i < hosts.size(); i++) {
            sum += hosts.get(i).weight();
            cumulative[i] = sum;
        }
    }

    @Override
    public Host pick(LbContext ctx) {
        long r = ThreadLocalRandom.current().nextLong(cumulative[cumulative.length - 1]);
        int i = java.util.Arrays.binarySearch(cumulative, r + 1);
        return hosts[i >= 0 ? i : -i - 1];
    }
}
