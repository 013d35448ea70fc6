package dev.trellis.proxy.lb;

import dev.trellis.proxy.cluster.Host;
import dev.trellis.proxy.cluster.PrioritySet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A cluster's load balancer for one host-set snapshot: chooses a priority by Envoy's priority load, then (with
 * locality weighting) a locality by {@code weight * healthy fraction}, then a host with the policy's picker. A level
 * whose healthy share is below the panic threshold balances over all its hosts, as Envoy does.
 */
public final class LoadBalancer {
    private record Level(HostPicker all, List<HostPicker> byLocality, long[] localityCumulative) {}

    private final Level[] levels;
    private final int[] cumulativeLoad;
    private final boolean empty;

    public LoadBalancer(PrioritySet set, LbPolicy policy, LbOptions options) {
        int[] load = set.priorityLoad();
        this.levels = new Level[set.levels().size()];
        this.cumulativeLoad = new int[load.length];
        int sum = 0;
        boolean any = false;
        for (int i = 0; i < levels.length; i++) {
            sum += load[i];
            cumulativeLoad[i] = sum;
            PrioritySet.Level l = set.levels().get(i);
            if (l.hosts().isEmpty()) {
                continue;
            }
            any = true;
            boolean panic = l.healthy().size() * 100
                    < options.panicThresholdPercent() * l.hosts().size();
            List<Host> usable = panic || l.healthy().isEmpty() ? l.hosts() : l.healthy();
            HostPicker all = policy.picker(usable, options);
            List<HostPicker> locs = new ArrayList<>();
            long[] cum = new long[0];
            if (options.localityWeighted() && !panic && l.localities().size() > 1) {
                List<Long> weights = new ArrayList<>();
                for (PrioritySet.Locality loc : l.localities()) {
                    if (loc.healthy().isEmpty()) {
                        continue;
                    }
                    // Effective weight: configured weight scaled by the locality's availability.
                    long w = Math.round(loc.weight()
                            * 1000.0
                            * loc.healthy().size()
                            / loc.hosts().size());
                    if (w > 0) {
                        locs.add(policy.picker(loc.healthy(), options));
                        weights.add(w);
                    }
                }
                cum = new long[weights.size()];
                long c = 0;
                for (int k = 0; k < cum.length; k++) {
                    c += weights.get(k);
                    cum[k] = c;
                }
            }
            levels[i] = new Level(all, List.copyOf(locs), cum);
        }
        this.empty = !any;
    }

    /** The chosen host, or null when the cluster has no hosts at all. */
    public Host choose(LbContext ctx) {
        if (empty) {
            return null;
        }
        int p = 0;
        if (levels.length > 1 && cumulativeLoad[cumulativeLoad.length - 1] > 0) {
            int x = (int)
                    (ctx.hasHash()
                            ? Long.remainderUnsigned(ctx.hash(), 100)
                            : ThreadLocalRandom.current().nextInt(100));
            while (p < cumulativeLoad.length - 1 && x >= cumulativeLoad[p]) {
                p++;
            }
        }
        Level level = levels[p];
        if (level == null) {
            for (Level l : levels) {
                if (l != null) {
                    level = l;
                    break;
                }
            }
        }
        if (!level.byLocality().isEmpty()) {
            long[] cum = level.localityCumulative();
            long r = ThreadLocalRandom.current().nextLong(cum[cum.length - 1]);
            int i = java.util.Arrays.binarySearch(cum, r + 1);
            return level.byLocality().get(i >= 0 ? i : -i - 1).pick(ctx);
        }
        return level.all().pick(ctx);
    }
}
