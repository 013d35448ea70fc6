/**
 * Istio config in, control-plane model out. {@link dev.trellis.control.config.ServiceEntries} turns ServiceEntry and
 * WorkloadEntry resources into services and workloads; {@link dev.trellis.control.config.IstioRouting} indexes
 * VirtualService, DestinationRule and Sidecar resources and implements the routing hooks the builders call.
 * Conflicts have a deterministic winner: the oldest resource ({@code creationTimestamp}), then namespace/name, as
 * Istio does; the losers are reported as config errors.
 */
package dev.trellis.control.config;
