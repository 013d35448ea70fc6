package dev.trellis.control.config;

import dev.trellis.api.model.Resource;
import dev.trellis.control.model.MeshSettings;
import dev.trellis.control.push.RoutingConfig;
import dev.trellis.control.registry.MemoryRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Applies a new set of config resources: services and workloads to the config registry, routing to a fresh
 * {@link IstioRouting}, problems to the error list; then asks for a push.
 */
public final class ConfigController {

    private final MeshSettings mesh;
    private final MemoryRegistry registry;
    private final Runnable pushAll;
    private final Supplier<java.util.Map<String, List<String>>> fileErrors;
    private volatile IstioRouting routing;
    private volatile List<String> translationErrors = List.of();
    private volatile List<Resource<?>> resources = List.of();

    /**
     * @param registry where ServiceEntry services and WorkloadEntry workloads go
     * @param pushAll called after each change (a debounced full push)
     * @param fileErrors the watcher's rejected files, for {@link #errors()}
     */
    public ConfigController(
            MeshSettings mesh,
            MemoryRegistry registry,
            Runnable pushAll,
            Supplier<java.util.Map<String, List<String>>> fileErrors) {
        this.mesh = mesh;
        this.registry = registry;
        this.pushAll = pushAll;
        this.fileErrors = fileErrors;
        this.routing = new IstioRouting(List.of(), mesh);
    }

    public synchronized void apply(List<Resource<?>> all) {
        ServiceEntries.Translation t = ServiceEntries.translate(all, mesh);
        IstioRouting r = new IstioRouting(all, mesh);
        List<String> errors = new ArrayList<>(t.errors());
        errors.addAll(r.errors());
        this.resources = List.copyOf(all);
        this.translationErrors = List.copyOf(errors);
        this.routing = r;
        registry.replaceServices(t.services(), t.endpoints());
        registry.replaceWorkloads(t.workloads());
        pushAll.run();
    }

    public RoutingConfig routing() {
        return routing;
    }

    public List<Resource<?>> resources() {
        return resources;
    }

    /** Rejected files (file: message) and translation problems, for the push context and debug views. */
    public List<String> errors() {
        List<String> out = new ArrayList<>();
        fileErrors.get().forEach((f, es) -> es.forEach(e -> out.add(e)));
        out.addAll(translationErrors);
        return out;
    }
}
