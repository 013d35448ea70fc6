package dev.trellis.proxy.cluster;

import dev.trellis.proxy.config.ConfigException;
import dev.trellis.proxy.stats.Stats;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * All clusters. Requests read {@link #get} from an immutable map published through a volatile field; config changes
 * (bootstrap, CDS, EDS, DNS) are serialised by this object's monitor and never touch the request path.
 *
 * <p>Warming follows Envoy: a new or changed cluster that needs discovery (EDS, DNS) is held aside until its first host
 * set arrives, while the previous version (if any) keeps serving.
 */
public final class ClusterManager implements AutoCloseable {
    private static final dev.trellis.proxy.log.Log LOG = dev.trellis.proxy.log.Log.of(ClusterManager.class);

    private final Stats stats;
    private volatile Map<String, Cluster> active = Map.of();
    private final Map<String, Cluster> warming = new LinkedHashMap<>();
    private final Map<String, ClusterLoadAssignment> endpoints = new HashMap<>();
    private final Map<String, ScheduledFuture<?>> dnsTasks = new HashMap<>();
    private final ScheduledExecutorService dns;
    private final List<Consumer<ClusterManager>> listeners = new ArrayList<>();
    private final Map<String, Long> dnsRefreshMs = new HashMap<>();

    public ClusterManager(Stats stats) {
        this.stats = stats;
        this.dns = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "trellis-dns");
            t.setDaemon(true);
            return t;
        });
    }

    public Cluster get(String name) {
        return active.get(name);
    }

    public Map<String, Cluster> active() {
        return active;
    }

    public synchronized Map<String, Cluster> warming() {
        return Map.copyOf(warming);
    }

    /** Called after every change, e.g. so the xDS client can update its EDS subscription. */
    public synchronized void onChange(Consumer<ClusterManager> listener) {
        listeners.add(listener);
    }

    /** Compiles every cluster first (nothing is applied when one is bad), then adds or replaces them. */
    public void addOrUpdate(List<io.envoyproxy.envoy.config.cluster.v3.Cluster> protos, String version) {
        List<Cluster> compiled = new ArrayList<>();
        Set<String> names = new java.util.HashSet<>();
        for (var p : protos) {
            if (!names.add(p.getName())) {
                throw new ConfigException("cluster \"" + p.getName() + "\": duplicate name");
            }
            Cluster existing = active.get(p.getName());
            if (existing != null && existing.source().equals(p)) {
                continue; // unchanged: keep the running cluster and its hosts, as Envoy does
            }
            Cluster c = ClusterCompiler.compile(p, version, stats);
            // Validate endpoints now, so that a bad one rejects the whole update before anything is applied.
            String where = "cluster \"" + c.name() + "\"";
            switch (c.type()) {
                case STATIC -> Endpoints.literal(c.name(), p.getLoadAssignment(), where);
                case STRICT_DNS, LOGICAL_DNS -> Endpoints.targets(p.getLoadAssignment(), where);
                default -> {}
            }
            compiled.add(c);
        }
        synchronized (this) {
            for (Cluster c : compiled) {
                install(c);
            }
        }
        fire();
    }

    /** State-of-the-world CDS: clusters not named are removed (static ones are never passed here). */
    public void retainOnly(Set<String> keep, Set<String> staticNames) {
        synchronized (this) {
            Map<String, Cluster> next = new LinkedHashMap<>(active);
            next.values().removeIf(c -> {
                boolean gone = !keep.contains(c.name()) && !staticNames.contains(c.name());
                if (gone) {
                    c.retire();
                }
                return gone;
            });
            warming.keySet().removeIf(n -> !keep.contains(n) && !staticNames.contains(n));
            for (String n : new ArrayList<>(dnsTasks.keySet())) {
                if (!next.containsKey(n) && !warming.containsKey(n)) {
                    dnsTasks.remove(n).cancel(false);
                }
            }
            active = Map.copyOf(next);
        }
        fire();
    }

    private void install(Cluster c) {
        var proto = (io.envoyproxy.envoy.config.cluster.v3.Cluster) c.source();
        ScheduledFuture<?> old = dnsTasks.remove(c.name());
        if (old != null) {
            old.cancel(false);
        }
        switch (c.type()) {
            case STATIC -> {
                c.updateHosts(Endpoints.literal(c.name(), proto.getLoadAssignment(), "cluster \"" + c.name() + "\""));
                activate(c);
            }
            case ORIGINAL_DST -> activate(c);
            case EDS -> {
                ClusterLoadAssignment cla = endpoints.get(c.edsServiceName());
                if (cla != null) {
                    c.updateHosts(
                            Endpoints.literal(c.name(), cla, "ClusterLoadAssignment \"" + c.edsServiceName() + "\""));
                    activate(c);
                } else {
                    warming.put(c.name(), c);
                }
            }
            case STRICT_DNS, LOGICAL_DNS -> {
                // Validate the targets now so a bad address is a config error, not a silent DNS failure later.
                Endpoints.targets(proto.getLoadAssignment(), "cluster \"" + c.name() + "\"");
                warming.put(c.name(), c);
                long refresh = proto.hasDnsRefreshRate()
                        ? Math.max(1, dev.trellis.proxy.config.Fields.millis(proto.getDnsRefreshRate()))
                        : 5000;
                dnsRefreshMs.put(c.name(), refresh);
                dnsTasks.put(c.name(), dns.scheduleWithFixedDelay(() -> resolve(c), 0, refresh, TimeUnit.MILLISECONDS));
            }
        }
    }

    private void resolve(Cluster c) {
        var proto = (io.envoyproxy.envoy.config.cluster.v3.Cluster) c.source();
        PrioritySet set;
        try {
            set = Endpoints.resolve(
                    c.name(),
                    proto.getLoadAssignment(),
                    c.type() == Cluster.DiscoveryType.LOGICAL_DNS,
                    "cluster \"" + c.name() + "\"");
        } catch (Exception e) {
            LOG.warn("cluster " + c.name() + ": DNS resolution failed: " + e.getMessage());
            set = c.initialized() ? null : PrioritySet.EMPTY;
        }
        if (set != null) {
            c.updateHosts(set);
        }
        synchronized (this) {
            if (warming.get(c.name()) == c) {
                warming.remove(c.name());
                activate(c);
            }
        }
        fire();
    }

    /** EDS: installs the assignment for every cluster (active or warming) that asks for it. */
    public void updateEndpoints(List<ClusterLoadAssignment> assignments) {
        Map<String, io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment> byName = new HashMap<>();
        Map<String, PrioritySet> compiled = new HashMap<>();
        for (ClusterLoadAssignment cla : assignments) {
            String where = "ClusterLoadAssignment \"" + cla.getClusterName() + "\"";
            // Validate before applying anything.
            Endpoints.literal("validate", cla, where);
            byName.put(cla.getClusterName(), cla);
        }
        synchronized (this) {
            endpoints.putAll(byName);
            for (Cluster c : active.values()) {
                ClusterLoadAssignment cla = byName.get(c.edsServiceName());
                if (c.type() == Cluster.DiscoveryType.EDS && cla != null) {
                    c.updateHosts(
                            Endpoints.literal(c.name(), cla, "ClusterLoadAssignment \"" + cla.getClusterName() + "\""));
                }
            }
            for (Cluster c : new ArrayList<>(warming.values())) {
                ClusterLoadAssignment cla = byName.get(c.edsServiceName());
                if (c.type() == Cluster.DiscoveryType.EDS && cla != null) {
                    c.updateHosts(
                            Endpoints.literal(c.name(), cla, "ClusterLoadAssignment \"" + cla.getClusterName() + "\""));
                    warming.remove(c.name());
                    activate(c);
                }
            }
        }
        compiled.clear();
        fire();
    }

    /** Envoy's initial_fetch_timeout: stop waiting for endpoints and serve the cluster empty. */
    public void finishWarming(String name) {
        synchronized (this) {
            Cluster c = warming.remove(name);
            if (c != null) {
                c.updateHosts(PrioritySet.EMPTY);
                activate(c);
            }
        }
        fire();
    }

    /** The EDS resource names the proxy needs (active and warming EDS clusters). */
    public synchronized Set<String> edsNames() {
        Set<String> s = new TreeSet<>();
        for (Cluster c : active.values()) {
            if (c.type() == Cluster.DiscoveryType.EDS) {
                s.add(c.edsServiceName());
            }
        }
        for (Cluster c : warming.values()) {
            if (c.type() == Cluster.DiscoveryType.EDS) {
                s.add(c.edsServiceName());
            }
        }
        return s;
    }

    private void activate(Cluster c) {
        Map<String, Cluster> next = new LinkedHashMap<>(active);
        Cluster previous = next.put(c.name(), c);
        if (previous != null && previous != c) {
            previous.retire();
        }
        active = Map.copyOf(next);
    }

    private void fire() {
        List<Consumer<ClusterManager>> ls;
        synchronized (this) {
            ls = List.copyOf(listeners);
        }
        for (var l : ls) {
            l.accept(this);
        }
    }

    @Override
    public void close() {
        dns.shutdownNow();
    }
}
