package dev.trellis.proxy.server;

import dev.trellis.proxy.cluster.ClusterManager;
import dev.trellis.proxy.http.filter.HttpFilterRegistry;
import dev.trellis.proxy.route.RouteSources;
import dev.trellis.proxy.stats.Stats;

/** What compiled config and request handling share process-wide. */
public record ProxyContext(
        Stats stats, ClusterManager clusters, RouteSources routes, HttpFilterRegistry filters, Transport transport) {}
