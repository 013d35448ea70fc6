/**
 * Access logs in Envoy's format-string language (text or JSON), to a file or stdout/stderr. Formats are compiled once
 * into operator lists; lines are formatted on the event loop and written by one background thread, so a slow disk
 * never blocks a request. The same compiled log serves the HTTP connection manager (a line per request) and
 * tcp_proxy (a line per connection, with Envoy's TCP meaning of the operators).
 */
package dev.trellis.proxy.accesslog;
