package dev.trellis.control.push;

import dev.trellis.control.model.MeshSettings;
import dev.trellis.control.model.Service;
import dev.trellis.control.model.ServiceInstance;
import dev.trellis.control.model.Workload;
import dev.trellis.control.registry.AggregateRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The live inputs of the control plane (registries, routing config, mesh settings) and the one place that freezes
 * them into a {@link PushContext}.
 */
public final class Environment {

    private final MeshSettings mesh;
    private final AggregateRegistry registry;
    private final Supplier<RoutingConfig> routing;
    private final Supplier<List<String>> configErrors;
    private final AtomicLong versions = new AtomicLong();
    private final XdsCache xdsCache = new XdsCache();

    public Environment(
            MeshSettings mesh,
            AggregateRegistry registry,
            Supplier<RoutingConfig> routing,
            Supplier<List<String>> configErrors) {
        this.mesh = mesh;
        this.registry = registry;
        this.routing = routing;
        this.configErrors = configErrors;
    }

    public Environment(MeshSettings mesh, AggregateRegistry registry) {
        this(mesh, registry, () -> RoutingConfig.EMPTY, List::of);
    }

    public MeshSettings mesh() {
        return mesh;
    }

    public AggregateRegistry registry() {
        return registry;
    }

    /** Generated resources kept across this environment's snapshots. */
    public XdsCache xdsCache() {
        return xdsCache;
    }

    /** A new snapshot; drops cached resources whose inputs it changed. */
    public PushContext snapshot() {
        List<Service> services = registry.services();
        List<Workload> workloads = registry.workloads();
        Map<String, List<ServiceInstance>> instances = new HashMap<>();
        for (Service s : services) {
            instances.put(s.hostname(), registry.instances(s, workloads));
        }
        List<String> errors = new ArrayList<>(configErrors.get());
        errors.addAll(registry.conflicts());
        PushContext push = new PushContext(
                versions.incrementAndGet(), mesh, services, instances, workloads, routing.get(), errors, xdsCache);
        xdsCache.retainCurrent(push);
        return push;
    }
}
