/**
 * Envoy-named counters and gauges ({@code cluster.<name>.upstream_rq_total}, {@code http.<prefix>.downstream_rq_total},
 * {@code listener.<addr>.downstream_cx_total}) shown by the admin endpoint as text and in Prometheus format with
 * Envoy's tag extraction. Counters are {@link java.util.concurrent.atomic.LongAdder}s: lock-free on the request path.
 */
package dev.trellis.proxy.stats;
