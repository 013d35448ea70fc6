/**
 * The control plane: config store and service registries feed an immutable per-push snapshot; pure generators, one per
 * xDS type URL, turn it into Envoy resources for each proxy; the ADS server pushes them, debounced and scoped.
 *
 * <p>The seams other code uses:
 *
 * <ul>
 *   <li>{@link dev.trellis.control.cli.ControlPlaneCommand#start()} runs the whole thing as {@code trellis
 *       control-plane} does (the local runtime and tests start it this way).
 *   <li>{@link dev.trellis.control.registry.ServiceRegistry}: one more source of services and workloads (Kubernetes
 *       later) is one more implementation added to the {@link dev.trellis.control.registry.AggregateRegistry}.
 *   <li>{@link dev.trellis.control.ControlPlane} with an {@link dev.trellis.control.push.Environment}: the ADS server
 *       over any registries and routing config, without the file watcher.
 *   <li>{@link dev.trellis.control.generate.Generator}: one per type URL; a new xDS type (SDS) is one more generator.
 * </ul>
 *
 * <p>Decisions are written down in {@code docs/control-plane.md}.
 */
package dev.trellis.control;
