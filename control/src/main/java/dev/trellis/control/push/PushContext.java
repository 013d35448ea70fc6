package dev.trellis.control.push;

import dev.trellis.control.model.MeshSettings;
import dev.trellis.control.model.Proxy;
import dev.trellis.control.model.Service;
import dev.trellis.control.model.ServiceInstance;
import dev.trellis.control.model.Workload;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything one push reads, frozen: services sorted by hostname, their instances, routing config, mesh settings.
 * Built once per push and shared by every proxy's generators; never changed after construction, so generators are pure
 * functions of (proxy, context) and can run on any thread.
 */
public final class PushContext {

    private final long version;
    private final Instant created;
    private final MeshSettings mesh;
    private final List<Service> services;
    private final Map<String, Service> byHost;
    private final Map<String, List<ServiceInstance>> instancesByHost;
    private final List<Workload> workloads;
    private final RoutingConfig routing;
    private final List<String> errors;
    /** Instances by workload address, in service then instance order: what {@link #proxyInstances} reads. */
    private final Map<String, List<ServiceInstance>> instancesByAddress;

    private final java.util.concurrent.ConcurrentHashMap<Object, Object> cache =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final XdsCache xdsCache;

    public PushContext(
            long version,
            MeshSettings mesh,
            List<Service> services,
            Map<String, List<ServiceInstance>> instancesByHost,
            List<Workload> workloads,
            RoutingConfig routing,
            List<String> errors) {
        this(version, mesh, services, instancesByHost, workloads, routing, errors, new XdsCache());
    }

    /** @param xdsCache resources kept across pushes (the {@link Environment}'s, shared by its snapshots) */
    public PushContext(
            long version,
            MeshSettings mesh,
            List<Service> services,
            Map<String, List<ServiceInstance>> instancesByHost,
            List<Workload> workloads,
            RoutingConfig routing,
            List<String> errors,
            XdsCache xdsCache) {
        this.xdsCache = java.util.Objects.requireNonNull(xdsCache, "xdsCache");
        this.version = version;
        this.created = Instant.now();
        this.mesh = mesh;
        List<Service> sorted = new ArrayList<>(services);
        sorted.sort(Comparator.comparing(Service::hostname));
        this.services = List.copyOf(sorted);
        Map<String, Service> m = new LinkedHashMap<>();
        for (Service s : this.services) {
            m.putIfAbsent(s.hostname(), s);
        }
        this.byHost = Map.copyOf(m);
        Map<String, List<ServiceInstance>> inst = new HashMap<>();
        instancesByHost.forEach((h, l) -> inst.put(h, List.copyOf(l)));
        this.instancesByHost = Map.copyOf(inst);
        this.workloads = List.copyOf(workloads);
        this.routing = routing;
        this.errors = List.copyOf(errors);
        // Every proxy's inbound config asks which instances are its own; a scan of every instance per proxy made a
        // thousand proxies cost a million comparisons per push.
        Map<String, List<ServiceInstance>> byAddress = new HashMap<>();
        for (Service s : this.services) {
            for (ServiceInstance i : this.instancesByHost.getOrDefault(s.hostname(), List.of())) {
                byAddress
                        .computeIfAbsent(i.workload().address(), a -> new ArrayList<>())
                        .add(i);
            }
        }
        Map<String, List<ServiceInstance>> frozen = new HashMap<>();
        byAddress.forEach((a, l) -> frozen.put(a, List.copyOf(l)));
        this.instancesByAddress = Map.copyOf(frozen);
    }

    /** An empty context: no services, no config. */
    public static PushContext empty(MeshSettings mesh) {
        return new PushContext(0, mesh, List.of(), Map.of(), List.of(), RoutingConfig.EMPTY, List.of());
    }

    public long version() {
        return version;
    }

    public Instant created() {
        return created;
    }

    public MeshSettings mesh() {
        return mesh;
    }

    public List<Service> services() {
        return services;
    }

    public Service service(String hostname) {
        return byHost.get(hostname);
    }

    public List<Workload> workloads() {
        return workloads;
    }

    /** The mesh settings as {@code proxy} sees them (its Sidecar may set another outbound traffic policy). */
    public MeshSettings mesh(Proxy proxy) {
        MeshSettings.OutboundTrafficPolicy p = routing.outboundPolicy(proxy, mesh);
        return p == mesh.outboundPolicy() ? mesh : mesh.withOutboundPolicy(p);
    }

    public RoutingConfig routing() {
        return routing;
    }

    /**
     * A value computed once per push and shared by every proxy that asks with an equal key: generated resources for
     * proxies with the same view of the mesh. Computed once even when many threads ask at the same time; a failed
     * computation is not cached.
     */
    @SuppressWarnings("unchecked")
    public <T> T cached(Object key, java.util.function.Supplier<T> compute) {
        // Single flight: when a thousand proxies connect at once, one computes and the rest wait for its result.
        java.util.concurrent.FutureTask<Object> mine = new java.util.concurrent.FutureTask<>(compute::get);
        java.util.concurrent.FutureTask<Object> task =
                (java.util.concurrent.FutureTask<Object>) cache.computeIfAbsent(key, k -> mine);
        if (task == mine) {
            mine.run();
        }
        try {
            return (T) task.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while generating " + key, e);
        } catch (java.util.concurrent.ExecutionException e) {
            cache.remove(key, task);
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * A value kept across pushes while its inputs (the key) stay current; see {@link XdsCache}. Use it for values that
     * are expensive in bulk and whose inputs are cheap to compare (one service's clusters, one cluster's endpoints).
     */
    public <T> T cachedAcrossPushes(XdsCache.Key key, java.util.function.Supplier<T> compute) {
        return xdsCache.get(key, compute);
    }

    /** The cache of resources kept across pushes. */
    public XdsCache xdsCache() {
        return xdsCache;
    }

    /**
     * What makes two proxies see the same outbound config: namespace, proxyless or not, and labels only when some
     * routing config selects by workload labels.
     */
    public Object viewKey(Proxy proxy) {
        return java.util.List.of(
                proxy.namespace(), proxy.proxyless(), routing.labelSensitive() ? proxy.labels() : java.util.Map.of());
    }

    /** Config and registry problems found while building this context (shown by the debug endpoints). */
    public List<String> errors() {
        return errors;
    }

    /** The instances of {@code hostname} serving service port {@code port}. */
    public List<ServiceInstance> instances(String hostname, int port) {
        List<ServiceInstance> all = instancesByHost.getOrDefault(hostname, List.of());
        List<ServiceInstance> out = new ArrayList<>(all.size());
        for (ServiceInstance i : all) {
            if (i.servicePort().port() == port) {
                out.add(i);
            }
        }
        return out;
    }

    public List<ServiceInstance> instances(String hostname) {
        return instancesByHost.getOrDefault(hostname, List.of());
    }

    /**
     * The services a proxy sees: those exported to its namespace, narrowed by the Sidecar resource that applies to
     * it, if any. Sorted by hostname.
     */
    public List<Service> visibleServices(Proxy proxy) {
        List<Service> out = new ArrayList<>();
        for (Service s : services) {
            if (s.visibleTo(proxy.namespace()) && routing.sidecarAllows(proxy, s, mesh)) {
                out.add(s);
            }
        }
        return out;
    }

    /** The instances whose workload is this proxy: what its inbound listener serves. */
    public List<ServiceInstance> proxyInstances(Proxy proxy) {
        List<String> ips = proxy.ips();
        if (ips.size() == 1) {
            return instancesByAddress.getOrDefault(ips.get(0), List.of());
        }
        // Several addresses: keep the order a scan would give (services by hostname, then instance order).
        java.util.Set<String> mine = new java.util.HashSet<>(ips);
        List<ServiceInstance> out = new ArrayList<>();
        for (Service s : services) {
            for (ServiceInstance i : instancesByHost.getOrDefault(s.hostname(), List.of())) {
                if (mine.contains(i.workload().address())) {
                    out.add(i);
                }
            }
        }
        return out;
    }
}
