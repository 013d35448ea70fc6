package dev.trellis.xds;

/** The xDS v3 resource types Trellis serves and consumes, by their type URL. */
public enum TypeUrl {
    LISTENER("type.googleapis.com/envoy.config.listener.v3.Listener"),
    ROUTE("type.googleapis.com/envoy.config.route.v3.RouteConfiguration"),
    CLUSTER("type.googleapis.com/envoy.config.cluster.v3.Cluster"),
    ENDPOINT("type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment"),
    SECRET("type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret");

    private final String url;

    TypeUrl(String url) {
        this.url = url;
    }

    public String url() {
        return url;
    }

    /** The short name istioctl and Envoy's logs use: LDS, RDS, CDS, EDS, SDS. */
    public String shortName() {
        return switch (this) {
            case LISTENER -> "LDS";
            case ROUTE -> "RDS";
            case CLUSTER -> "CDS";
            case ENDPOINT -> "EDS";
            case SECRET -> "SDS";
        };
    }

    public static TypeUrl fromUrl(String url) {
        for (TypeUrl t : values()) {
            if (t.url.equals(url)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown xDS type URL: " + url);
    }
}
