/**
 * {@code envoy.filters.http.fault}: injects delays (flag {@code DI}) and aborts (flag {@code FI}; an HTTP status, or a
 * gRPC status as a trailers-only response) for a percentage of requests. A route's {@code typed_per_filter_config}
 * replaces the filter-level config, as in Envoy. Per-route configs are parsed once and cached.
 */
package dev.trellis.proxy.filter.fault;
