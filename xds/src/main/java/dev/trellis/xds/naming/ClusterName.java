package dev.trellis.xds.naming;

import java.util.Objects;

/**
 * An Istio cluster name: {@code <direction>|<port>|<subset>|<host>}. Outbound clusters name the service's FQDN and an
 * optional subset ({@code outbound|9080|v1|reviews.default.svc.cluster.local}); inbound clusters name only the port
 * ({@code inbound|9080||}), as Istio 1.10+ does.
 *
 * @param direction inbound or outbound
 * @param port the service port (outbound) or workload port (inbound), 1..65535
 * @param subset the DestinationRule subset, empty for none
 * @param host the service FQDN, empty for inbound clusters
 */
public record ClusterName(Direction direction, int port, String subset, String host) {

    /** Which way traffic flows through the proxy for this cluster. */
    public enum Direction {
        INBOUND("inbound"),
        OUTBOUND("outbound");

        private final String text;

        Direction(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    public ClusterName {
        Objects.requireNonNull(direction, "direction");
        subset = subset == null ? "" : subset;
        host = host == null ? "" : host;
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("cluster port out of range: " + port);
        }
        if (subset.contains("|") || host.contains("|")) {
            throw new IllegalArgumentException("'|' is not allowed in a cluster subset or host");
        }
    }

    public static ClusterName outbound(int port, String subset, String host) {
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("an outbound cluster needs a host");
        }
        return new ClusterName(Direction.OUTBOUND, port, subset, host);
    }

    public static ClusterName outbound(int port, String host) {
        return outbound(port, "", host);
    }

    public static ClusterName inbound(int port) {
        return new ClusterName(Direction.INBOUND, port, "", "");
    }

    /** Parses an Istio cluster name; throws {@link IllegalArgumentException} naming what is wrong. */
    public static ClusterName parse(String name) {
        String[] parts = name.split("\\|", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("not an Istio cluster name (want direction|port|subset|host): " + name);
        }
        Direction direction =
                switch (parts[0]) {
                    case "inbound" -> Direction.INBOUND;
                    case "outbound" -> Direction.OUTBOUND;
                    default ->
                        throw new IllegalArgumentException(
                                "cluster name direction must be inbound or outbound: " + name);
                };
        int port;
        try {
            port = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("cluster name port is not a number: " + name, e);
        }
        if (direction == Direction.OUTBOUND && parts[3].isEmpty()) {
            throw new IllegalArgumentException("outbound cluster name without a host: " + name);
        }
        return new ClusterName(direction, port, parts[2], parts[3]);
    }

    /** Parses {@code name} if it is an Istio cluster name, else returns null (e.g. for PassthroughCluster). */
    public static ClusterName tryParse(String name) {
        try {
            return parse(name);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    public boolean hasSubset() {
        return !subset.isEmpty();
    }

    /** The same cluster without its subset: the service-level cluster a subset refines. */
    public ClusterName withoutSubset() {
        return new ClusterName(direction, port, "", host);
    }

    @Override
    public String toString() {
        return direction.text() + "|" + port + "|" + subset + "|" + host;
    }
}
