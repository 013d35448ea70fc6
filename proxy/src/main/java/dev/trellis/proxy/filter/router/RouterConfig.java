package dev.trellis.proxy.filter.router;

import dev.trellis.proxy.server.ProxyContext;

/** The router's compiled config. */
public record RouterConfig(boolean suppressEnvoyHeaders, ProxyContext context) {}
