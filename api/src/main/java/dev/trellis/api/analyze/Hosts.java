package dev.trellis.api.analyze;

import dev.trellis.api.model.Resource;
import dev.trellis.api.model.kube.ServiceSpec;
import dev.trellis.api.model.networking.ServiceEntry;
import dev.trellis.api.model.networking.ServicePort;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The services of the input as Istio's analyzers see them ({@code util.InitServiceEntryHostMap}): every ServiceEntry
 * host and every Kubernetes Service (as {@code name.namespace.svc.cluster.local}), keyed by the namespace it is
 * visible in ({@code *} for all) and its FQDN. Short names resolve in the namespace of the resource that uses them.
 */
final class Hosts {

    static final String DOMAIN = "svc.cluster.local";

    /** A service as analyzers need it: its hosts and ports, and the workload labels it selects. */
    record Service(List<String> hosts, List<Integer> ports, Map<String, String> selector) {}

    private final Map<String, Service> byScopedFqdn = new LinkedHashMap<>();
    /** The wildcard entries of {@link #byScopedFqdn}, which lookups scan (there are few). */
    private final List<Map.Entry<String, Service>> wildcards = new ArrayList<>();

    Hosts(AnalysisContext ctx) {
        for (Resource<ServiceEntry> r : ctx.all(ServiceEntry.class)) {
            ServiceEntry se = r.spec();
            String ns = ctx.namespace(r);
            List<Integer> ports = new ArrayList<>();
            for (ServicePort p : se.ports() == null ? List.<ServicePort>of() : se.ports()) {
                ports.add(p.number() == null ? 0 : p.number());
            }
            Map<String, String> selector =
                    se.workloadSelector() == null || se.workloadSelector().labels() == null
                            ? Map.of()
                            : se.workloadSelector().labels();
            Service svc = new Service(se.hosts() == null ? List.of() : se.hosts(), ports, selector);
            for (String h : svc.hosts()) {
                List<String> exportTo = se.exportTo() == null ? List.of() : se.exportTo();
                if (exportTo.isEmpty() || exportTo.contains("*")) {
                    byScopedFqdn.put(scoped("*", ns, h), svc);
                    continue;
                }
                for (String e : exportTo) {
                    byScopedFqdn.put(scoped(e.equals(".") ? ns : e, ns, h), svc);
                }
            }
        }
        for (Resource<ServiceSpec> r : ctx.all(ServiceSpec.class)) {
            String ns = ctx.namespace(r);
            List<Integer> ports = new ArrayList<>();
            for (ServiceSpec.ServicePort p : r.spec().portsOrEmpty()) {
                ports.add(p.port() == null ? 0 : p.port());
            }
            // like istioctl, a Service stands for a ServiceEntry without a workload selector: subsets alone select
            Service svc = new Service(List.of(fqdn(ns, r.name())), ports, Map.of());
            String anno = r.metadata().annotationsOrEmpty().get("networking.istio.io/exportTo");
            List<String> scopes = new ArrayList<>();
            if (anno == null || anno.isEmpty()) {
                scopes.add("*");
            } else {
                for (String s : anno.split(",")) {
                    scopes.add(s.trim().equals(".") ? ns : s.trim());
                }
            }
            for (String scope : scopes) {
                byScopedFqdn.put(scoped(scope, ns, r.name()), svc);
            }
        }
        for (Map.Entry<String, Service> e : byScopedFqdn.entrySet()) {
            if (e.getKey().indexOf("/*") >= 0) {
                wildcards.add(e);
            }
        }
    }

    /** {@code host} as an FQDN: a short name gets {@code .namespace.svc.cluster.local}. */
    static String fqdn(String namespace, String host) {
        if (!host.startsWith("*") && !host.contains(".")) {
            return host + "." + namespace + "." + DOMAIN;
        }
        return host;
    }

    private static String scoped(String scope, String namespace, String host) {
        return scope + "/" + fqdn(namespace, host);
    }

    /** Istio's {@code GetDestinationHost}: the service {@code host} names, as seen from {@code sourceNs}; or null. */
    Service find(String sourceNs, List<String> exportTo, String host) {
        Service s = byScopedFqdn.get(scoped("*", sourceNs, host));
        if (s != null) {
            return s;
        }
        if (exportTo == null || exportTo.isEmpty()) {
            s = byScopedFqdn.get(scoped(sourceNs, sourceNs, host));
            if (s != null) {
                return s;
            }
        } else {
            for (String e : exportTo) {
                s = byScopedFqdn.get(scoped(e.equals(".") ? sourceNs : e, sourceNs, host));
                if (s != null) {
                    return s;
                }
            }
        }
        String hostNoWildcard = host.startsWith("*") ? host.substring(1) : host;
        for (Map.Entry<String, Service> e : wildcards) {
            int slash = e.getKey().indexOf('/');
            String scope = e.getKey().substring(0, slash);
            String seHost = e.getKey().substring(slash + 1);
            if (!seHost.startsWith("*") || (!scope.equals("*") && !scope.equals(sourceNs))) {
                continue;
            }
            if (hostNoWildcard.endsWith(seHost.substring(1))) {
                return e.getValue();
            }
        }
        return null;
    }

    /** Istio's {@code GetResourceNameFromHost}: {@code namespace/name} of the Kubernetes service a host names. */
    static String resourceName(String defaultNs, String host) {
        java.util.regex.Matcher m = FQDN.matcher(host);
        if (m.matches()) {
            return m.group(2) + "/" + m.group(1);
        }
        return defaultNs + "/" + host;
    }

    private static final java.util.regex.Pattern FQDN =
            java.util.regex.Pattern.compile("^(.+)\\.(.+)\\.svc\\.cluster\\.local$");

    static Map<String, String> merge(Map<String, String> a, Map<String, String> b) {
        Map<String, String> out = new HashMap<>(a);
        out.putAll(b);
        return out;
    }

    /** A Kubernetes equality selector: every label of {@code selector} present in {@code labels} with its value. */
    static boolean selects(Map<String, String> selector, Map<String, String> labels) {
        for (Map.Entry<String, String> e : selector.entrySet()) {
            if (!e.getValue().equals(labels.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** {@code k1=v1,k2=v2}, keys sorted, as Kubernetes prints a selector. */
    static String selectorString(Map<String, String> selector) {
        return new java.util.TreeMap<>(selector)
                .entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue())
                        .collect(java.util.stream.Collectors.joining(","));
    }
}
