/**
 * Istio config in, control-plane model out. {@link dev.trellis.control.config.ServiceEntries} turns ServiceEntry and
 * WorkloadEntry resources into services and workloads; {@link dev.trellis.control.config.IstioRouting} indexes
 * VirtualService, DestinationRule and Sidecar resources and implements the routing hooks the builders call.
 * Conflicts have a deterministic winner: the oldest resource ({@code creationTimestamp}), then namespace/name, as
 * Istio does; the losers are reported as config errors.
 *
 * <p>DestinationRule traffic policies become cluster settings in {@link dev.trellis.control.config.ClusterSettings}
 * (merge order top level, port level, subset, subset port level) and upstream TLS contexts in
 * {@link dev.trellis.control.config.UpstreamTls}; VirtualService routes become Envoy routes in
 * {@link dev.trellis.control.config.HttpRoutes}, with Istio's retry defaults. Fields the translation cannot apply
 * ({@code credentialName}, sidecar ingress {@code tls}, {@code retryRemoteLocalities}) are reported with the resource
 * and field path, and the rest of the resource still applies.
 */
package dev.trellis.control.config;
