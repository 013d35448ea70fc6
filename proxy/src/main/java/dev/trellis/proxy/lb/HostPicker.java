package dev.trellis.proxy.lb;

import dev.trellis.proxy.cluster.Host;

/** Picks one host from a fixed, non-empty list. */
public interface HostPicker {
    Host pick(LbContext ctx);
}
