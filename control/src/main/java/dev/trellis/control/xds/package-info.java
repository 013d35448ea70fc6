/**
 * The ADS server: gRPC {@code AggregatedDiscoveryService}, state of the world. Each stream is a
 * {@link dev.trellis.control.xds.XdsConnection} that tracks, per type, what the proxy subscribed to, what was sent
 * (version, nonce, content hash), and what it ACKed or NACKed. Versions are content hashes, so an unchanged config is
 * never re-sent: not on a push that changed nothing for this proxy, and never in answer to a NACK (a NACK is recorded
 * and waits for the next config change). Pushes are debounced by {@link dev.trellis.control.xds.Debouncer} and scoped
 * by {@link dev.trellis.control.xds.DiscoveryServer}: an endpoint-only change regenerates EDS only, and only for
 * proxies that subscribed to an affected cluster. Responses go out as {@link dev.trellis.control.xds.WireResponse}s:
 * the resources of a set shared by many proxies are encoded once per push, and each response adds only its version and
 * nonce around those bytes.
 */
package dev.trellis.control.xds;
