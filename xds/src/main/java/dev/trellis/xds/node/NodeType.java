package dev.trellis.xds.node;

/** The first field of an Istio node id: what kind of proxy is connecting. */
public enum NodeType {
    /** A workload's sidecar proxy (also proxyless gRPC, which Istio identifies by node metadata instead). */
    SIDECAR("sidecar"),
    /** A standalone gateway. */
    ROUTER("router"),
    WAYPOINT("waypoint"),
    ZTUNNEL("ztunnel");

    private final String text;

    NodeType(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }

    public static NodeType fromText(String text) {
        for (NodeType t : values()) {
            if (t.text.equals(text)) {
                return t;
            }
        }
        throw new IllegalArgumentException(
                "unknown node type '" + text + "' (want sidecar, router, waypoint or ztunnel)");
    }
}
