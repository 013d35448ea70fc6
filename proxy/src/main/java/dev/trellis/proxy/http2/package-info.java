/**
 * HTTP/2 specifics shared by the downstream codec and the upstream pools: Envoy's {@code Http2ProtocolOptions}
 * compiled once into {@link dev.trellis.proxy.http2.Http2Options} (SETTINGS, flow-control windows, the flood limits),
 * and the downstream connection's life cycle ({@link dev.trellis.proxy.http2.Http2ServerConnection}: Envoy's two-step
 * GOAWAY drain, idle timeout, max connection duration). Streams themselves are Netty child channels carrying the same
 * {@code HttpObject}s as HTTP/1.1, so the connection manager and the router do not know which protocol they speak.
 *
 * <p>Envoy's HTTP/2 codec stats ({@link dev.trellis.proxy.http2.Http2CodecStats}) are counted inside the codec
 * ({@code CountingCodec}): {@code http2.*} for downstream connections (Envoy roots them at the listener scope, not
 * under the connection manager's {@code stat_prefix}: {@code envoy_http2_rx_reset} in Prometheus) and {@code
 * cluster.<name>.http2.*} for upstream ones. Counted: {@code rx_reset}, {@code tx_reset}, {@code
 * stream_refused_errors}, {@code goaway_sent}, {@code goaway_graceful_sent}, {@code header_overflow} (downstream only),
 * {@code rx_messaging_error}, {@code trailers} (HEADERS received after a stream's final headers, on either side),
 * {@code outbound_control_flood}, {@code inbound_empty_frames_flood}, {@code inbound_priority_frames_flood}, {@code
 * inbound_window_update_frames_flood}, {@code keepalive_timeout}, and the gauges {@code streams_active} and {@code
 * pending_send_bytes} (body bytes held by the flow controller until a window, or the socket, takes them). Left out,
 * because Trellis has no behaviour they could count (a stat that never moves would mislead): {@code
 * headers_cb_no_stream} (an nghttp2 callback oddity; Netty's decoder rejects frames for unknown streams itself), {@code
 * metadata_empty_frames} (METADATA frames are not supported), {@code outbound_flood} ({@code max_outbound_frames} is not
 * enforced: Netty has no limit on all queued frames), {@code tx_flush_timeout} (the stream idle timeout does not wait
 * for window to flush a finished response), upstream {@code header_overflow} (response headers have no size limit),
 * and the underscore-header and {@code deferred_stream_close} stats.
 *
 * <p>Resets and closes as Envoy's codec: a cancelled stream is reset once (frames of it still arriving are ignored,
 * RFC 9113 section 5.1, not answered with more resets); an upstream connection is a client's and has none of Netty's
 * server-side caps on RST_STREAMs per 30 s (downstream keeps them, Netty's rapid-reset and MadeYouReset defences); a
 * peer that resets or closes its socket is sent no GOAWAY. A connection is written once per event-loop turn
 * ({@code CountingCodec#flush}), not once per proxied frame.
 */
package dev.trellis.proxy.http2;
