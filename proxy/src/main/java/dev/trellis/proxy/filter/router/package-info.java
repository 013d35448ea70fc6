/**
 * The router, the last HTTP filter: resolves the route's cluster, applies rewrites and header mutations, enforces the
 * circuit breakers, picks a host, gets a pooled upstream connection on the stream's own event loop and relays the
 * exchange with backpressure in both directions. Every failure becomes a local reply carrying Envoy's response flag.
 */
package dev.trellis.proxy.filter.router;
