package dev.trellis.control.model;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One running instance of an application: a WorkloadEntry, an auto-registered proxy, an endpoint of a ServiceEntry.
 *
 * @param name the workload's name (unique within its namespace and registry)
 * @param namespace its namespace
 * @param address an IP address, or a hostname for DNS-resolved services
 * @param ports the workload's own port per service port name, overriding the service's target port
 * @param labels labels, matched by ServiceEntry workload selectors and DestinationRule subsets
 * @param locality where it runs
 * @param weight relative load-balancing weight, at least 1
 * @param serviceAccount its identity ({@code spiffe://<td>/ns/<namespace>/sa/<serviceAccount>})
 * @param health whether it receives traffic
 * @param network the network it is on, empty for the default network
 */
public record Workload(
        String name,
        String namespace,
        String address,
        Map<String, Integer> ports,
        Map<String, String> labels,
        Locality locality,
        int weight,
        String serviceAccount,
        Health health,
        String network) {

    public Workload {
        name = Objects.requireNonNullElse(name, "");
        namespace = Objects.requireNonNullElse(namespace, "");
        Objects.requireNonNull(address, "address");
        ports = Map.copyOf(ports);
        labels = java.util.Collections.unmodifiableMap(new TreeMap<>(labels));
        locality = Objects.requireNonNullElse(locality, Locality.NONE);
        if (weight < 0) {
            throw new IllegalArgumentException("workload weight must not be negative: " + weight);
        }
        weight = weight == 0 ? 1 : weight;
        serviceAccount = Objects.requireNonNullElse(serviceAccount, "");
        health = Objects.requireNonNullElse(health, Health.HEALTHY);
        network = Objects.requireNonNullElse(network, "");
    }

    /** A healthy workload with default weight and locality: the common case in tests and the local runtime. */
    public static Workload of(String name, String namespace, String address, Map<String, String> labels) {
        return new Workload(
                name, namespace, address, Map.of(), labels, Locality.NONE, 1, "default", Health.HEALTHY, "");
    }

    public Workload withHealth(Health h) {
        return new Workload(name, namespace, address, ports, labels, locality, weight, serviceAccount, h, network);
    }

    public Workload withPorts(Map<String, Integer> p) {
        return new Workload(name, namespace, address, p, labels, locality, weight, serviceAccount, health, network);
    }

    /** True when every selector label is present with the same value (an empty selector matches everything). */
    public boolean matches(Map<String, String> selector) {
        for (Map.Entry<String, String> e : selector.entrySet()) {
            if (!e.getValue().equals(labels.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }
}
