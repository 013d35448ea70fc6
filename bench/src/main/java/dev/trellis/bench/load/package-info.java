/**
 * {@code trellis load}: the load generator, modelled on fortio load. Each connection is a {@link Worker} on one event
 * loop; in open loop every request has a due time and its latency is measured from it (coordinated-omission
 * correction). Every wait is bounded (connect, request timeout, the run's end), so a dead or stalled target yields
 * counted errors, never a hang. {@link LoadReport} documents the JSON schema.
 */
package dev.trellis.bench.load;
