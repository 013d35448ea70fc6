/**
 * LDS: a sidecar's {@code virtualOutbound} (15001, {@code use_original_dst}, unknown destinations to
 * PassthroughCluster or BlackHoleCluster), a listener per outbound service port ({@code 0.0.0.0_<port>} with RDS for
 * HTTP, {@code <vip>_<port>} with a TCP proxy for TCP; {@code bind_to_port: false} as Istio, since traffic reaches them
 * through 15001), {@code virtualInbound} (15006) with a filter chain per workload port, and API listeners named
 * {@code host:port} for proxyless gRPC clients.
 */
package dev.trellis.control.networking.listener;
