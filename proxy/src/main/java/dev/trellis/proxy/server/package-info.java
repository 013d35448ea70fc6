/**
 * Process-level wiring: the transport (epoll, else NIO), worker event loops, the shared {@link
 * dev.trellis.proxy.server.ProxyContext} and the {@link dev.trellis.proxy.server.ProxyServer} that starts listeners,
 * clusters, admin and xDS from a bootstrap.
 */
package dev.trellis.proxy.server;
