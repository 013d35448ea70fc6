/**
 * {@code envoy.filters.http.cors} with per-route {@code CorsPolicy} (typed_per_filter_config): answers preflight
 * requests from an allowed origin itself, and adds the CORS response headers to other requests from allowed origins.
 * Requests without an {@code Origin}, or from origins not allowed, pass through untouched, as in Envoy.
 */
package dev.trellis.proxy.filter.cors;
