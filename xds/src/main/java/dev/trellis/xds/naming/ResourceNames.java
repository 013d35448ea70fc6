package dev.trellis.xds.naming;

/** Istio's fixed resource names and the name forms derived from addresses and ports. */
public final class ResourceNames {

    /** The listener on 15001 that captures all outbound traffic and hands it on by original destination. */
    public static final String VIRTUAL_OUTBOUND = "virtualOutbound";
    /** The listener on 15006 that captures all inbound traffic. */
    public static final String VIRTUAL_INBOUND = "virtualInbound";
    /** Sends traffic on to its original destination (ALLOW_ANY). */
    public static final String PASSTHROUGH_CLUSTER = "PassthroughCluster";
    /** Drops traffic to unknown destinations (REGISTRY_ONLY). */
    public static final String BLACKHOLE_CLUSTER = "BlackHoleCluster";
    /** Sends inbound traffic for ports no workload port names to the application as is. */
    public static final String INBOUND_PASSTHROUGH_CLUSTER = "InboundPassthroughCluster";
    /** The route configuration Istio gives HTTP traffic that reached 15001 without a matching port listener. */
    public static final String ALLOW_ANY_ROUTE = "allow_any";
    /** The virtual host in a route configuration that catches hosts no service claims. */
    public static final String ALLOW_ANY_VIRTUAL_HOST = "allow_any";
    /** The virtual host that answers 502 to hosts no service claims under REGISTRY_ONLY. */
    public static final String BLOCK_ALL_VIRTUAL_HOST = "block_all";

    public static final int VIRTUAL_OUTBOUND_PORT = 15001;
    public static final int VIRTUAL_INBOUND_PORT = 15006;
    public static final String WILDCARD_ADDRESS = "0.0.0.0";

    private ResourceNames() {}

    /** {@code 0.0.0.0_9080} for an HTTP port listener, {@code 10.0.0.5_3306} for a TCP listener on a VIP. */
    public static String listenerName(String address, int port) {
        return address + "_" + port;
    }

    /** Istio names a sidecar's outbound route configuration after the port alone: {@code 9080}. */
    public static String routeConfigName(int port) {
        return Integer.toString(port);
    }

    /** Istio names an inbound HTTP route configuration {@code inbound|<port>||}, like the cluster. */
    public static String inboundRouteConfigName(int port) {
        return ClusterName.inbound(port).toString();
    }

    /** A virtual host in a sidecar's outbound route configuration: {@code reviews.default.svc.cluster.local:9080}. */
    public static String virtualHostName(String host, int port) {
        return host + ":" + port;
    }
}
