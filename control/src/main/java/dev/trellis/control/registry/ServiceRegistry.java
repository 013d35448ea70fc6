package dev.trellis.control.registry;

import dev.trellis.control.model.Service;
import dev.trellis.control.model.Workload;
import java.util.List;
import java.util.function.Consumer;

/**
 * One source of services and workloads. Implementations are thread-safe; every method returns an immutable snapshot.
 */
public interface ServiceRegistry {

    /** A short name for debug views: {@code config}, {@code auto-registration}, {@code kubernetes}. */
    String id();

    /** The services this source defines. */
    List<Service> services();

    /** The workloads this source lists as endpoints of {@code hostname} directly (ServiceEntry {@code endpoints}). */
    List<Workload> endpoints(String hostname);

    /** Workloads that services with a workload selector may select (WorkloadEntries, registered proxies). */
    List<Workload> workloads();

    /** Registers a callback for changes; called on the thread that made the change. */
    void addListener(Consumer<RegistryEvent> listener);
}
