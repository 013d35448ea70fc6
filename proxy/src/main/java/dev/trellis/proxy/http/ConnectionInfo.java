package dev.trellis.proxy.http;

import java.net.InetSocketAddress;

/**
 * Addresses of a downstream connection. {@code originalDestination} is where the client meant to connect (for
 * ORIGINAL_DST clusters and {@code use_original_dst}); without interception it is the local address.
 */
public record ConnectionInfo(InetSocketAddress remote, InetSocketAddress local, InetSocketAddress originalDestination) {

    /**
     * Envoy's downstream local address (%DOWNSTREAM_LOCAL_ADDRESS%): the original destination that {@code original_dst}
     * restores on a redirected connection, else the socket's local address.
     */
    public InetSocketAddress downstreamLocal() {
        return originalDestination != null ? originalDestination : local;
    }
}
