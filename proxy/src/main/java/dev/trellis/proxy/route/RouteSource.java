package dev.trellis.proxy.route;

/**
 * Where an HTTP connection manager gets its route table: inline (fixed) or RDS (swapped by reference when an update
 * arrives; a request reads it once at its start).
 */
public final class RouteSource {
    private final String name;
    private volatile RouteTable table;

    public RouteSource(String name, RouteTable table) {
        this.name = name;
        this.table = table;
    }

    public String name() {
        return name;
    }

    /** The current table, or null while an RDS route configuration has not arrived. */
    public RouteTable table() {
        return table;
    }

    public void update(RouteTable t) {
        this.table = t;
    }
}
