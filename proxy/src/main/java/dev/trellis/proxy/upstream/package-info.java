/**
 * Upstream connection pools, one set per worker event loop (so a downstream connection and its upstream connections
 * share a thread and pools need no locks). HTTP/1.1 pools keep idle keep-alive connections per host, honour {@code
 * idle_timeout}, {@code max_requests_per_connection}, {@code connect_timeout} and the cluster's circuit breakers.
 */
package dev.trellis.proxy.upstream;
