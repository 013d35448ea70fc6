/**
 * HTTP/2 specifics shared by the downstream codec and the upstream pools: Envoy's {@code Http2ProtocolOptions}
 * compiled once into {@link dev.trellis.proxy.http2.Http2Options} (SETTINGS, flow-control windows, the flood limits
 * Netty has a knob for), and the downstream connection's life cycle ({@link
 * dev.trellis.proxy.http2.Http2ServerConnection}: Envoy's two-step GOAWAY drain, idle timeout, max connection
 * duration). Streams themselves are Netty child channels carrying the same {@code HttpObject}s as HTTP/1.1, so the
 * connection manager and the router do not know which protocol they speak.
 */
package dev.trellis.proxy.http2;
