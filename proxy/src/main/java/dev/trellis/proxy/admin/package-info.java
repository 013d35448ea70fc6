/**
 * The admin interface on the bootstrap's admin address (loopback only): readiness, stats (Envoy names, text and
 * Prometheus), config dump in Envoy's {@code ConfigDump} JSON shape, clusters, listeners, health-check toggles, log
 * levels and shutdown.
 */
package dev.trellis.proxy.admin;
