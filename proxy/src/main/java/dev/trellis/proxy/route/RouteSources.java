package dev.trellis.proxy.route;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * RDS route configurations by name, shared by every listener that names them. The xDS client asks {@link #names()}
 * what to subscribe to and feeds updates to {@link #update}.
 */
public final class RouteSources {
    private final Map<String, RouteSource> sources = new ConcurrentHashMap<>();
    private volatile Runnable onNamesChanged = () -> {};

    public RouteSource get(String name) {
        RouteSource[] created = new RouteSource[1];
        RouteSource s = sources.computeIfAbsent(name, n -> created[0] = new RouteSource(n, null));
        if (created[0] != null) {
            onNamesChanged.run();
        }
        return s;
    }

    public RouteSource peek(String name) {
        return sources.get(name);
    }

    public void onNamesChanged(Runnable r) {
        this.onNamesChanged = r;
    }

    public Set<String> names() {
        return new TreeSet<>(sources.keySet());
    }

    public Map<String, RouteSource> all() {
        return Map.copyOf(sources);
    }

    /** Drops sources no listener uses any more. */
    public void retain(Set<String> used) {
        if (sources.keySet().retainAll(used)) {
            onNamesChanged.run();
        }
    }
}
