package dev.trellis.proxy.upstream;

/**
 * Why an upstream stream ended before its response did, in Envoy's words ({@code reset reason: ...}). Whether the peer
 * reset the stream or the connection went away decides the response flag: UR or UC.
 */
public enum UpstreamReset {
    CONNECTION_TERMINATION("connection termination", false),
    REMOTE_RESET("remote reset", true),
    REMOTE_REFUSED_STREAM("remote refused stream reset", true);

    private final String details;
    private final boolean byPeer;

    UpstreamReset(String details, boolean byPeer) {
        this.details = details;
        this.byPeer = byPeer;
    }

    /** Envoy's wording, as in the local reply and the access log details. */
    public String details() {
        return details;
    }

    /** The upstream reset the stream itself (RST_STREAM), as opposed to the connection ending. */
    public boolean byPeer() {
        return byPeer;
    }

    @Override
    public String toString() {
        return details;
    }
}
