package dev.trellis.control.model;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A service: a hostname clients address, with ports, optional virtual IPs, and a way to find its endpoints.
 *
 * @param hostname the FQDN ({@code reviews.default.svc.cluster.local}) or external name ({@code api.example.com});
 *     may start with {@code *.} for wildcard ServiceEntries
 * @param namespace the namespace that defines it
 * @param addresses virtual IPs (or CIDRs) that clients may connect to; empty for none
 * @param ports its ports, at least one, unique by number
 * @param resolution how endpoints are found
 * @param location inside or outside the mesh
 * @param exportTo namespaces that may see it: {@code *} for all (the default), {@code .} for its own, or names
 * @param workloadSelector labels selecting WorkloadEntries/registered workloads as endpoints; empty when endpoints are
 *     listed inline or the service has none
 * @param source where it came from, for debug views and messages ({@code ServiceEntry default/reviews})
 * @param subjectAltNames identities its endpoints may present (a ServiceEntry's {@code subjectAltNames}), checked by
 *     upstream TLS when a DestinationRule names none
 */
public record Service(
        String hostname,
        String namespace,
        List<String> addresses,
        List<ServicePort> ports,
        Resolution resolution,
        MeshLocation location,
        Set<String> exportTo,
        Map<String, String> workloadSelector,
        String source,
        List<String> subjectAltNames) {

    /** A service whose endpoints' identities are not declared. */
    public Service(
            String hostname,
            String namespace,
            List<String> addresses,
            List<ServicePort> ports,
            Resolution resolution,
            MeshLocation location,
            Set<String> exportTo,
            Map<String, String> workloadSelector,
            String source) {
        this(
                hostname,
                namespace,
                addresses,
                ports,
                resolution,
                location,
                exportTo,
                workloadSelector,
                source,
                List.of());
    }

    public Service {
        Objects.requireNonNull(hostname, "hostname");
        if (hostname.isEmpty()) {
            throw new IllegalArgumentException("service hostname must not be empty");
        }
        namespace = Objects.requireNonNullElse(namespace, "");
        addresses = List.copyOf(addresses);
        ports = List.copyOf(ports);
        if (ports.isEmpty()) {
            throw new IllegalArgumentException("service " + hostname + " has no ports");
        }
        Set<Integer> seen = new java.util.HashSet<>();
        for (ServicePort p : ports) {
            if (!seen.add(p.port())) {
                throw new IllegalArgumentException("service " + hostname + " declares port " + p.port() + " twice");
            }
        }
        Objects.requireNonNull(resolution, "resolution");
        Objects.requireNonNull(location, "location");
        exportTo = exportTo == null || exportTo.isEmpty()
                ? Set.of("*")
                : java.util.Collections.unmodifiableSet(new LinkedHashSet<>(exportTo));
        workloadSelector = Map.copyOf(workloadSelector);
        source = Objects.requireNonNullElse(source, "");
        subjectAltNames = List.copyOf(Objects.requireNonNullElse(subjectAltNames, List.of()));
    }

    /** A mesh-internal, STATIC, exported-everywhere service: the common case. */
    public static Service internal(String hostname, String namespace, List<String> addresses, List<ServicePort> ports) {
        return new Service(
                hostname,
                namespace,
                addresses,
                ports,
                Resolution.STATIC,
                MeshLocation.MESH_INTERNAL,
                Set.of("*"),
                Map.of(),
                "");
    }

    public Service withWorkloadSelector(Map<String, String> selector) {
        return new Service(
                hostname,
                namespace,
                addresses,
                ports,
                resolution,
                location,
                exportTo,
                selector,
                source,
                subjectAltNames);
    }

    public Service withExportTo(Set<String> to) {
        return new Service(
                hostname,
                namespace,
                addresses,
                ports,
                resolution,
                location,
                to,
                workloadSelector,
                source,
                subjectAltNames);
    }

    public Service withResolution(Resolution r) {
        return new Service(
                hostname,
                namespace,
                addresses,
                ports,
                r,
                location,
                exportTo,
                workloadSelector,
                source,
                subjectAltNames);
    }

    public Service withLocation(MeshLocation l) {
        return new Service(
                hostname,
                namespace,
                addresses,
                ports,
                resolution,
                l,
                exportTo,
                workloadSelector,
                source,
                subjectAltNames);
    }

    public Service withSubjectAltNames(List<String> sans) {
        return new Service(
                hostname, namespace, addresses, ports, resolution, location, exportTo, workloadSelector, source, sans);
    }

    public Service withSource(String s) {
        return new Service(
                hostname,
                namespace,
                addresses,
                ports,
                resolution,
                location,
                exportTo,
                workloadSelector,
                s,
                subjectAltNames);
    }

    public Optional<ServicePort> port(int number) {
        return ports.stream().filter(p -> p.port() == number).findFirst();
    }

    /** Whether a proxy in {@code proxyNamespace} may see this service ({@code exportTo}). */
    public boolean visibleTo(String proxyNamespace) {
        for (String to : exportTo) {
            if (to.equals("*") || to.equals(proxyNamespace) || (to.equals(".") && namespace.equals(proxyNamespace))) {
                return true;
            }
        }
        return false;
    }

    public boolean wildcard() {
        return hostname.startsWith("*");
    }

    /** The first VIP, or empty: where a TCP listener for this service binds. */
    public Optional<String> vip() {
        return addresses.stream()
                .filter(a -> !a.contains("/") || a.endsWith("/32"))
                .findFirst()
                .map(a -> a.endsWith("/32") ? a.substring(0, a.length() - 3) : a);
    }

    /**
     * Every name a client in {@code clientNamespace} may use for this service on {@code port}, in Istio's order:
     * FQDN, then for in-cluster names the short and namespace-qualified forms (short only from the same namespace),
     * then VIPs; each with and without {@code :port}.
     */
    public List<String> domains(String clientNamespace, int port, String domainSuffix) {
        List<String> names = new ArrayList<>();
        names.add(hostname);
        String suffix = "." + namespace + ".svc." + domainSuffix;
        if (hostname.endsWith(suffix)) {
            String shortName = hostname.substring(0, hostname.length() - suffix.length());
            if (namespace.equals(clientNamespace)) {
                names.add(shortName);
            }
            names.add(shortName + "." + namespace);
            names.add(shortName + "." + namespace + ".svc");
        }
        for (String a : addresses) {
            if (!a.contains("/")) {
                names.add(a.contains(":") ? "[" + a + "]" : a);
            }
        }
        List<String> out = new ArrayList<>(names.size() * 2);
        for (String n : names) {
            out.add(n);
            out.add(n + ":" + port);
        }
        return out;
    }
}
