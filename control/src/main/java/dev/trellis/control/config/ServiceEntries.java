package dev.trellis.control.config;

import dev.trellis.api.model.Resource;
import dev.trellis.api.model.networking.ServiceEntry;
import dev.trellis.api.model.networking.WorkloadEntry;
import dev.trellis.control.model.Health;
import dev.trellis.control.model.Locality;
import dev.trellis.control.model.MeshLocation;
import dev.trellis.control.model.MeshSettings;
import dev.trellis.control.model.Protocol;
import dev.trellis.control.model.Resolution;
import dev.trellis.control.model.Service;
import dev.trellis.control.model.ServicePort;
import dev.trellis.control.model.Workload;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/** ServiceEntry and WorkloadEntry resources as services and workloads. */
public final class ServiceEntries {

    /**
     * The result of a translation.
     *
     * @param services one per host, winners only
     * @param endpoints inline endpoints per hostname
     * @param workloads WorkloadEntries, selectable by workload selectors
     * @param errors conflicts and values that could not be used, naming the resource
     */
    public record Translation(
            List<Service> services,
            Map<String, List<Workload>> endpoints,
            List<Workload> workloads,
            List<String> errors) {}

    private ServiceEntries() {}

    public static Translation translate(List<Resource<?>> resources, MeshSettings mesh) {
        Map<String, Service> services = new LinkedHashMap<>();
        Map<String, String> owners = new LinkedHashMap<>();
        Map<String, List<Workload>> endpoints = new LinkedHashMap<>();
        List<String> errors = new ArrayList<>();
        for (Resource<ServiceEntry> r : Resources.ofType(resources, ServiceEntry.class)) {
            ServiceEntry se = r.spec();
            String ns = Resources.namespace(r);
            List<ServicePort> ports = new ArrayList<>();
            for (var p : se.portsOrDefault()) {
                if (p.number() == null) {
                    continue;
                }
                Protocol proto = Protocol.parse(p.protocol());
                ports.add(new ServicePort(
                        p.name(),
                        p.number(),
                        proto != null ? proto : Protocol.of(p.name(), null),
                        p.targetPort() == null ? 0 : p.targetPort()));
            }
            if (ports.isEmpty()) {
                errors.add(Resources.describe(r) + ": spec.ports: a ServiceEntry needs at least one port");
                continue;
            }
            Resolution resolution =
                    switch (se.resolution() == null ? ServiceEntry.Resolution.NONE : se.resolution()) {
                        case NONE -> Resolution.NONE;
                        case STATIC -> Resolution.STATIC;
                        case DNS, DYNAMIC_DNS -> Resolution.DNS;
                        case DNS_ROUND_ROBIN -> Resolution.DNS_ROUND_ROBIN;
                    };
            MeshLocation location = se.location() == ServiceEntry.Location.MESH_INTERNAL
                    ? MeshLocation.MESH_INTERNAL
                    : MeshLocation.MESH_EXTERNAL;
            Map<String, String> selector = se.workloadSelector() == null
                    ? Map.of()
                    : se.workloadSelector().labelsOrDefault();
            List<Workload> inline = new ArrayList<>();
            int i = 0;
            for (WorkloadEntry we : se.endpointsOrDefault()) {
                inline.add(workload(r.name() + "-" + i++, ns, we));
            }
            for (String host : se.hostsOrDefault()) {
                String fqdn = mesh.fqdn(host, ns);
                Service s;
                try {
                    s = new Service(
                            fqdn,
                            ns,
                            se.addressesOrDefault(),
                            ports,
                            resolution,
                            location,
                            new LinkedHashSet<>(se.exportToOrDefault()),
                            selector,
                            "ServiceEntry " + ns + "/" + r.name(),
                            se.subjectAltNamesOrDefault());
                } catch (IllegalArgumentException e) {
                    errors.add(Resources.describe(r) + ": " + e.getMessage());
                    continue;
                }
                String prev = owners.putIfAbsent(fqdn, Resources.describe(r));
                if (prev != null) {
                    errors.add(Resources.describe(r) + ": host " + fqdn + " is already defined by " + prev
                            + " (the oldest wins)");
                    continue;
                }
                services.put(fqdn, s);
                endpoints.put(fqdn, inline);
            }
        }
        List<Workload> workloads = new ArrayList<>();
        for (Resource<WorkloadEntry> r : Resources.ofType(resources, WorkloadEntry.class)) {
            if (r.spec().address() == null || r.spec().address().isEmpty()) {
                errors.add(Resources.describe(r) + ": spec.address: a WorkloadEntry needs an address");
                continue;
            }
            workloads.add(workload(r.name(), Resources.namespace(r), r.spec()));
        }
        return new Translation(List.copyOf(services.values()), endpoints, workloads, errors);
    }

    static Workload workload(String name, String namespace, WorkloadEntry we) {
        long weight = we.weight() == null ? 1 : Math.max(1, we.weight());
        return new Workload(
                name,
                namespace,
                we.address() == null ? "" : we.address(),
                we.ports() == null ? Map.of() : we.ports(),
                we.labels() == null ? Map.of() : we.labels(),
                Locality.parse(we.locality()),
                (int) Math.min(weight, Integer.MAX_VALUE),
                we.serviceAccount() == null ? "default" : we.serviceAccount(),
                Health.HEALTHY,
                we.network());
    }
}
