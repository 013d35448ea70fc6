/**
 * Load balancers: pick a host for a request from an immutable {@link dev.trellis.proxy.cluster.PrioritySet}. Each is
 * built once per host-set change; choosing is lock-free (atomic counters or thread-local randomness). Priority and
 * locality selection wrap the per-list pickers.
 */
package dev.trellis.proxy.lb;
