package dev.trellis.proxy.lb;

/** Tunables from the cluster's per-policy config, with Envoy's defaults. */
public record LbOptions(
        int choiceCount,
        long minRingSize,
        long maxRingSize,
        int maglevTableSize,
        boolean localityWeighted,
        int panicThresholdPercent) {
    public static final LbOptions DEFAULTS = new LbOptions(2, 1024, 8 * 1024 * 1024, 65537, false, 50);
}
