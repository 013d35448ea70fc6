package dev.trellis.proxy.lb;

import dev.trellis.proxy.cluster.Host;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Least request. Equal weights: the power of N random choices (N = {@code choice_count}, default 2), the host with
 * fewer active requests wins. Unequal weights: Envoy's weighted mode, a weighted random pick with each weight divided
 * by {@code active + 1}.
 */
final class LeastRequest implements HostPicker {
    private final Host[] hosts;
    private final int choices;
    private final boolean weighted;

    LeastRequest(List<Host> hosts, int choices) {
        this.hosts = hosts.toArray(Host[]::new);
        this.choices = Math.max(2, choices);
        this.weighted = !hosts.stream().allMatch(h -> h.weight() == hosts.get(0).weight());
    }

    @Override
    public Host pick(LbContext ctx) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        if (hosts.length == 1) {
            return hosts[0];
        }
        if (weighted) {
            double total = 0;
            for (Host h : hosts) {
                total += h.weight() / (double) (h.activeRequests() + 1);
            }
            double x = r.nextDouble(total);
            for (Host h : hosts) {
                x -= h.weight() / (double) (h.activeRequests() + 1);
                if (x < 0) {
                    return h;
                }
            }
            return hosts[hosts.length - 1];
        }
        Host best = hosts[r.nextInt(hosts.length)];
        for (int i = 1; i < choices; i++) {
            Host c = hosts[r.nextInt(hosts.length)];
            if (c.activeRequests() < best.activeRequests()) {
                best = c;
            }
        }
        return best;
    }
}
