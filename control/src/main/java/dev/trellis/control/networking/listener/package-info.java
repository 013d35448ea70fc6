/**
 * LDS: a sidecar's {@code virtualOutbound} (15001, {@code use_original_dst}, unknown destinations to
 * PassthroughCluster or BlackHoleCluster), a listener per outbound service port ({@code 0.0.0.0_<port>} with RDS for
 * HTTP, {@code <vip>_<port>} with a TCP proxy for TCP; {@code bind_to_port: false} as Istio, since traffic reaches them
 * through 15001), {@code virtualInbound} (15006) with a filter chain per workload port, and API listeners named
 * {@code host:port} for proxyless gRPC clients.
 *
 * <p>A Sidecar resource reshapes this as in Istio ({@link dev.trellis.control.networking.listener.SidecarListeners}):
 * its {@code ingress} listeners replace the chains derived from the workload's service ports (those that bind their
 * port, capture mode NONE, become listeners {@code <bind>_<port>} of their own), and its {@code egress} listeners with
 * a {@code port} get a listener of their own scoped to their hosts.
 */
package dev.trellis.control.networking.listener;
