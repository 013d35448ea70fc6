package dev.trellis.control.config;

import dev.trellis.api.model.Resource;
import dev.trellis.api.model.networking.WorkloadEntry;
import dev.trellis.api.model.networking.WorkloadGroup;
import dev.trellis.control.model.Health;
import dev.trellis.control.model.Proxy;
import dev.trellis.control.model.Workload;
import dev.trellis.control.registry.MemoryRegistry;
import dev.trellis.control.xds.ConnectionListener;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * WorkloadGroup auto-registration: a proxy that connects with Istio node metadata and either names a WorkloadGroup
 * ({@code AUTO_REGISTER_GROUP}) or carries labels matching a group's template labels, in its namespace, becomes a
 * workload built from the group's template (its labels, ports, service account) with the proxy's IP and labels on
 * top. It is removed a grace period after its last stream closes, so a reconnect does not flap endpoints.
 */
public final class AutoRegistration implements ConnectionListener {

    private static final Logger LOG = Logger.getLogger(AutoRegistration.class.getName());

    private final MemoryRegistry registry;
    private final Supplier<List<Resource<?>>> config;
    private final ScheduledExecutorService timer;
    private final Duration grace;
    private final Map<String, Integer> streams = new HashMap<>();
    private final Map<String, ScheduledFuture<?>> removals = new HashMap<>();

    public AutoRegistration(
            MemoryRegistry registry,
            Supplier<List<Resource<?>>> config,
            ScheduledExecutorService timer,
            Duration grace) {
        this.registry = registry;
        this.config = config;
        this.timer = timer;
        this.grace = grace;
    }

    @Override
    public synchronized void connected(String conId, Proxy proxy) {
        Workload w = workloadFor(proxy);
        if (w == null) {
            return;
        }
        String key = w.namespace() + "/" + w.name();
        streams.merge(key, 1, Integer::sum);
        ScheduledFuture<?> pending = removals.remove(key);
        if (pending != null) {
            pending.cancel(false);
        }
        registry.putWorkload(w);
        LOG.info("auto-registered workload " + key + " at " + w.address());
    }

    @Override
    public synchronized void disconnected(String conId, Proxy proxy) {
        Workload w = workloadFor(proxy);
        if (w == null) {
            return;
        }
        String key = w.namespace() + "/" + w.name();
        int left = streams.merge(key, -1, Integer::sum);
        if (left > 0) {
            return;
        }
        streams.remove(key);
        removals.put(key, timer.schedule(() -> remove(key, w), grace.toMillis(), TimeUnit.MILLISECONDS));
    }

    private synchronized void remove(String key, Workload w) {
        if (streams.containsKey(key)) {
            return; // reconnected meanwhile
        }
        removals.remove(key);
        registry.removeWorkload(w.namespace(), w.name());
        LOG.info("removed auto-registered workload " + key);
    }

    /** The workload a proxy registers as, or null if no WorkloadGroup in its namespace takes it. */
    Workload workloadFor(Proxy proxy) {
        if (proxy.ips().isEmpty()) {
            return null;
        }
        for (Resource<WorkloadGroup> g : Resources.ofType(config.get(), WorkloadGroup.class)) {
            if (!Resources.namespace(g).equals(proxy.namespace())) {
                continue;
            }
            WorkloadEntry template = g.spec().template() == null
                    ? new WorkloadEntry(null, null, null, null, null, null, null)
                    : g.spec().template();
            Map<String, String> groupLabels = new LinkedHashMap<>();
            if (g.spec().metadata() != null && g.spec().metadata().labels() != null) {
                groupLabels.putAll(g.spec().metadata().labels());
            }
            boolean named = g.name().equals(proxy.metadata().autoRegisterGroup());
            boolean labelled =
                    !groupLabels.isEmpty() && proxy.labels().entrySet().containsAll(groupLabels.entrySet());
            if (!named && !labelled) {
                continue;
            }
            Map<String, String> labels = new LinkedHashMap<>(template.labelsOrDefault());
            labels.putAll(groupLabels);
            labels.putAll(proxy.labels());
            Map<String, Integer> ports = new LinkedHashMap<>(template.portsOrDefault());
            ports.putAll(proxy.metadata().workloadPorts());
            String sa = !proxy.metadata().serviceAccount().isEmpty()
                    ? proxy.metadata().serviceAccount()
                    : template.serviceAccount() == null ? "default" : template.serviceAccount();
            String name = g.name() + "-" + proxy.ips().getFirst().replace(':', '-');
            return new Workload(
                    name,
                    proxy.namespace(),
                    proxy.ips().getFirst(),
                    ports,
                    labels,
                    proxy.locality(),
                    template.weight() == null ? 1 : template.weight().intValue(),
                    sa,
                    Health.HEALTHY,
                    template.network());
        }
        return null;
    }
}
