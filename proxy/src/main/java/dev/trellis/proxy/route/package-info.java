/**
 * Route tables compiled from {@code RouteConfiguration}: virtual-host lookup in Envoy's domain order, route matchers
 * (path, headers, query parameters, gRPC, runtime fraction) and actions (cluster selection, rewrites, redirects, direct
 * responses, header mutations). Compiled once per update; matching allocates nothing beyond lazily parsed query
 * parameters.
 */
package dev.trellis.proxy.route;
