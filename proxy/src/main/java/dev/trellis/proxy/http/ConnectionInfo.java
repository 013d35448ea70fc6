package dev.trellis.proxy.http;

import java.net.InetSocketAddress;

/**
 * Addresses of a downstream connection. {@code originalDestination} is where the client meant to connect (for
 * ORIGINAL_DST clusters and {@code use_original_dst}); without interception it is the local address.
 * {@code requestedServerName} is the TLS SNI that {@code tls_inspector} read, "" when there was none.
 */
public record ConnectionInfo(
        InetSocketAddress remote,
        InetSocketAddress local,
        InetSocketAddress originalDestination,
        String requestedServerName) {

    /** A connection whose first bytes were not inspected: no SNI known. */
    public ConnectionInfo(InetSocketAddress remote, InetSocketAddress local, InetSocketAddress originalDestination) {
        this(remote, local, originalDestination, "");
    }

    /** The same connection with the SNI server name that tls_inspector read ("" when none). */
    public ConnectionInfo withServerName(String serverName) {
        return new ConnectionInfo(remote, local, originalDestination, serverName == null ? "" : serverName);
    }

    /**
     * Envoy's downstream local address (%DOWNSTREAM_LOCAL_ADDRESS%): the original destination that {@code original_dst}
     * restores on a redirected connection, else the socket's local address.
     */
    public InetSocketAddress downstreamLocal() {
        return originalDestination != null ? originalDestination : local;
    }
}
