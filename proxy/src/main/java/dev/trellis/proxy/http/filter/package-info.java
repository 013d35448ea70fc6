/**
 * The HTTP filter contract. Each filter lives in its own package under {@code dev.trellis.proxy.filter}: an immutable
 * config parsed once from its proto, a {@link dev.trellis.proxy.http.filter.HttpFilterFactory} registered in the
 * {@link dev.trellis.proxy.http.filter.HttpFilterRegistry} under its type URL, and a per-stream {@link
 * dev.trellis.proxy.http.filter.HttpFilter}. The router is the last filter; adding a filter changes nothing here.
 */
package dev.trellis.proxy.http.filter;
