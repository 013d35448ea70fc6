/**
 * Clusters compiled from {@code envoy.config.cluster.v3.Cluster}: their hosts by priority and locality, circuit
 * breakers, upstream protocol options, and discovery (STATIC, STRICT_DNS, LOGICAL_DNS, EDS, ORIGINAL_DST). A host-set
 * update builds a new immutable {@link dev.trellis.proxy.cluster.PrioritySet} and load balancer and swaps both by
 * reference, so requests never lock.
 */
package dev.trellis.proxy.cluster;
