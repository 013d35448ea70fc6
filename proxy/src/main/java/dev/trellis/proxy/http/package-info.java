/**
 * The HTTP connection manager: compiled {@code http_connection_manager} config, the downstream connection handler
 * (HTTP/1.1 keep-alive, pipelining, 100-continue, upgrades, timeouts) and the per-request {@link
 * dev.trellis.proxy.http.HttpStream} that runs the HTTP filter chain and carries the response back. Requests and
 * responses are Netty {@code HttpObject}s end to end (HTTP/2 streams are converted to the same objects), so filters and
 * the router see one model whatever the codec.
 */
package dev.trellis.proxy.http;
