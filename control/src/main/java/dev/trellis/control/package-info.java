/**
 * The control plane: config store and service registries feed an immutable per-push snapshot; pure generators, one per
 * xDS type URL, turn it into Envoy resources for each proxy; the ADS server pushes them, debounced and scoped.
 */
package dev.trellis.control;
