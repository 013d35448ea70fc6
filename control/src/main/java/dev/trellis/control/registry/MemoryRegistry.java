package dev.trellis.control.registry;

import dev.trellis.control.model.Service;
import dev.trellis.control.model.Workload;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A registry held in memory and changed by calls: the backing store for config-derived services, auto-registered
 * workloads and tests. Each change replaces an immutable snapshot, so readers never lock.
 */
public final class MemoryRegistry implements ServiceRegistry {

    private record State(
            Map<String, Service> services, Map<String, List<Workload>> endpoints, Map<String, Workload> workloads) {}

    private final String id;
    private final List<Consumer<RegistryEvent>> listeners = new CopyOnWriteArrayList<>();
    private volatile State state = new State(Map.of(), Map.of(), Map.of());

    public MemoryRegistry(String id) {
        this.id = id;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public List<Service> services() {
        return List.copyOf(state.services.values());
    }

    @Override
    public List<Workload> endpoints(String hostname) {
        return state.endpoints.getOrDefault(hostname, List.of());
    }

    @Override
    public List<Workload> workloads() {
        return List.copyOf(state.workloads.values());
    }

    @Override
    public void addListener(Consumer<RegistryEvent> listener) {
        listeners.add(listener);
    }

    /**
     * Replaces all services and their inline endpoints at once. Fires a service event for hostnames whose service
     * definition changed and an endpoint event for those where only endpoints changed.
     */
    public void replaceServices(List<Service> services, Map<String, List<Workload>> endpoints) {
        Set<String> serviceChanges = new HashSet<>();
        Set<String> endpointChanges = new HashSet<>();
        synchronized (this) {
            State old = state;
            Map<String, Service> byHost = new LinkedHashMap<>();
            for (Service s : services) {
                byHost.putIfAbsent(s.hostname(), s);
            }
            Map<String, List<Workload>> eps = new LinkedHashMap<>();
            endpoints.forEach((h, w) -> eps.put(h, List.copyOf(w)));
            Set<String> all = new HashSet<>(old.services.keySet());
            all.addAll(byHost.keySet());
            for (String h : all) {
                if (!java.util.Objects.equals(old.services.get(h), byHost.get(h))) {
                    serviceChanges.add(h);
                } else if (!old.endpoints.getOrDefault(h, List.of()).equals(eps.getOrDefault(h, List.of()))) {
                    endpointChanges.add(h);
                }
            }
            state = new State(Map.copyOf(byHost), Map.copyOf(eps), old.workloads);
        }
        fire(serviceChanges, endpointChanges);
    }

    public void putService(Service service, List<Workload> endpoints) {
        synchronized (this) {
            Map<String, Service> s = new LinkedHashMap<>(state.services);
            s.put(service.hostname(), service);
            Map<String, List<Workload>> e = new LinkedHashMap<>(state.endpoints);
            e.put(service.hostname(), List.copyOf(endpoints));
            state = new State(Map.copyOf(s), Map.copyOf(e), state.workloads);
        }
        fire(Set.of(service.hostname()), Set.of());
    }

    /** Replaces all selectable workloads; fires an endpoint event for every hostname (selection is the aggregate's). */
    public void replaceWorkloads(List<Workload> workloads) {
        boolean changed;
        synchronized (this) {
            Map<String, Workload> w = new LinkedHashMap<>();
            for (Workload wl : workloads) {
                w.put(key(wl), wl);
            }
            changed = !w.equals(state.workloads);
            state = new State(state.services, state.endpoints, Map.copyOf(w));
        }
        if (changed) {
            fire(Set.of(), Set.of(), true);
        }
    }

    /** Adds or replaces a selectable workload, keyed by namespace and name. */
    public void putWorkload(Workload workload) {
        boolean changed;
        synchronized (this) {
            Map<String, Workload> w = new LinkedHashMap<>(state.workloads);
            changed = !workload.equals(w.put(key(workload), workload));
            state = new State(state.services, state.endpoints, Map.copyOf(w));
        }
        if (changed) {
            fire(Set.of(), Set.of(), true);
        }
    }

    public void removeWorkload(String namespace, String name) {
        boolean changed;
        synchronized (this) {
            Map<String, Workload> w = new LinkedHashMap<>(state.workloads);
            changed = w.remove(namespace + "/" + name) != null;
            state = new State(state.services, state.endpoints, Map.copyOf(w));
        }
        if (changed) {
            fire(Set.of(), Set.of(), true);
        }
    }

    private static String key(Workload w) {
        return w.namespace() + "/" + w.name();
    }

    private void fire(Set<String> services, Set<String> endpoints) {
        fire(services, endpoints, false);
    }

    private void fire(Set<String> services, Set<String> endpoints, boolean allEndpoints) {
        List<RegistryEvent> events = new ArrayList<>(2);
        if (!services.isEmpty()) {
            events.add(RegistryEvent.services(services));
        }
        if (!endpoints.isEmpty()) {
            events.add(RegistryEvent.endpoints(endpoints));
        }
        if (allEndpoints) {
            events.add(RegistryEvent.endpoints(Set.of()));
        }
        for (RegistryEvent e : events) {
            for (Consumer<RegistryEvent> l : listeners) {
                l.accept(e);
            }
        }
    }
}
