package dev.trellis.control.registry;

import dev.trellis.control.model.Service;
import dev.trellis.control.model.ServiceInstance;
import dev.trellis.control.model.ServicePort;
import dev.trellis.control.model.Workload;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * All registries as one. A hostname defined by several registries belongs to the first registry added (Istio lets the
 * Kubernetes registry win over ServiceEntries the same way); the losers are reported by {@link #conflicts()}.
 */
public final class AggregateRegistry {

    private final List<ServiceRegistry> registries = new CopyOnWriteArrayList<>();
    private final List<Consumer<RegistryEvent>> listeners = new CopyOnWriteArrayList<>();

    public void add(ServiceRegistry registry) {
        registries.add(registry);
        registry.addListener(e -> listeners.forEach(l -> l.accept(e)));
    }

    public List<ServiceRegistry> registries() {
        return List.copyOf(registries);
    }

    public void addListener(Consumer<RegistryEvent> listener) {
        listeners.add(listener);
    }

    /** Every service, one per hostname, sorted by hostname. */
    public List<Service> services() {
        Map<String, Service> byHost = new LinkedHashMap<>();
        for (ServiceRegistry r : registries) {
            for (Service s : r.services()) {
                byHost.putIfAbsent(s.hostname(), s);
            }
        }
        List<Service> out = new ArrayList<>(byHost.values());
        out.sort(java.util.Comparator.comparing(Service::hostname));
        return out;
    }

    /** Messages for services shadowed by an earlier registry's service of the same hostname. */
    public List<String> conflicts() {
        Map<String, String> owner = new LinkedHashMap<>();
        List<String> out = new ArrayList<>();
        for (ServiceRegistry r : registries) {
            for (Service s : r.services()) {
                String prev = owner.putIfAbsent(s.hostname(), r.id() + " " + s.source());
                if (prev != null) {
                    out.add("service " + s.hostname() + " from " + r.id() + " " + s.source() + " is shadowed by "
                            + prev);
                }
            }
        }
        return out;
    }

    public List<Workload> workloads() {
        List<Workload> all = new ArrayList<>();
        registries.forEach(r -> all.addAll(r.workloads()));
        return all;
    }

    /**
     * The instances of every port of {@code service}: its registry's inline endpoints plus, for a service with a
     * workload selector, every selectable workload in the service's namespace whose labels match.
     */
    public List<ServiceInstance> instances(Service service, List<Workload> allWorkloads) {
        List<Workload> eps = new ArrayList<>();
        for (ServiceRegistry r : registries) {
            eps.addAll(r.endpoints(service.hostname()));
        }
        if (!service.workloadSelector().isEmpty()) {
            for (Workload w : allWorkloads) {
                if (w.namespace().equals(service.namespace()) && w.matches(service.workloadSelector())) {
                    eps.add(w);
                }
            }
        }
        List<ServiceInstance> out = new ArrayList<>(eps.size() * service.ports().size());
        for (ServicePort p : service.ports()) {
            for (Workload w : eps) {
                out.add(ServiceInstance.of(service, p, w));
            }
        }
        return out;
    }
}
