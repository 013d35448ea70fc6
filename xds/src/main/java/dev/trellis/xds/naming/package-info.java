/**
 * Istio's names for Envoy resources, in one place so the control plane that generates them and the proxy, debug tools
 * and tests that read them agree: clusters {@code outbound|9080|v1|reviews.default.svc.cluster.local} and
 * {@code inbound|9080||}, listeners {@code virtualOutbound}, {@code virtualInbound}, {@code 0.0.0.0_9080},
 * {@code 10.0.0.5_3306}, route configurations named by port, and the special clusters {@code PassthroughCluster},
 * {@code BlackHoleCluster} and {@code InboundPassthroughCluster}.
 */
package dev.trellis.xds.naming;
