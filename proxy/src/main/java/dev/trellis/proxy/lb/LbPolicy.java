package dev.trellis.proxy.lb;

import dev.trellis.proxy.cluster.Host;
import java.util.List;

/** The per-list algorithms of Envoy's {@code lb_policy}. */
public enum LbPolicy {
    ROUND_ROBIN,
    LEAST_REQUEST,
    RANDOM,
    RING_HASH,
    MAGLEV;

    public HostPicker picker(List<Host> hosts, LbOptions options) {
        return switch (this) {
            case ROUND_ROBIN -> new RoundRobin(hosts);
            case LEAST_REQUEST -> new LeastRequest(hosts, options.choiceCount());
            case RANDOM -> new RandomPicker(hosts);
            case RING_HASH -> new RingHash(hosts, options.minRingSize(), options.maxRingSize());
            case MAGLEV -> new Maglev(hosts, options.maglevTableSize());
        };
    }

    public boolean usesHash() {
        return this == RING_HASH || this == MAGLEV;
    }
}
