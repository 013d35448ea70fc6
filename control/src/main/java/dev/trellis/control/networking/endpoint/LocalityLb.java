package dev.trellis.control.networking.endpoint;

import dev.trellis.control.model.Locality;
import dev.trellis.control.model.LocalityLbSetting;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Locality load balancing applied to one proxy's view of a cluster's endpoints, as Istio's
 * {@code ApplyLocalityLoadBalancer}: either {@code distribute} (locality weights for proxies in a {@code from}
 * locality; localities no rule names lose their endpoints) or failover (priorities: same subzone 0, same zone 1, same
 * region 2, elsewhere 3, a region other than the configured {@code failover} target 4; with {@code failoverPriority}
 * endpoints are first split by how many leading labels match the proxy's). Priorities are renumbered to run from 0
 * without gaps, as Envoy requires.
 */
public final class LocalityLb {

    /** Istio's label for a workload's sub-zone; region and zone use the Kubernetes topology labels. */
    public static final String REGION_LABEL = "topology.kubernetes.io/region";

    public static final String ZONE_LABEL = "topology.kubernetes.io/zone";
    public static final String SUBZONE_LABEL = "topology.istio.io/subzone";

    /**
     * One group of endpoints in one locality (one {@code LocalityLbEndpoints}), with each endpoint's labels for
     * {@code failoverPriority}.
     */
    public static final class Group {
        final Locality locality;
        final List<LbEndpoint> endpoints;
        final List<Map<String, String>> labels;
        int weight;
        int priority;

        public Group(Locality locality, List<LbEndpoint> endpoints, List<Map<String, String>> labels, int weight) {
            this.locality = locality;
            this.endpoints = new ArrayList<>(endpoints);
            this.labels = new ArrayList<>(labels);
            this.weight = weight;
        }

        public Locality locality() {
            return locality;
        }

        public List<LbEndpoint> endpoints() {
            return endpoints;
        }

        public int weight() {
            return weight;
        }

        public int priority() {
            return priority;
        }
    }

    private LocalityLb() {}

    /**
     * Applies {@code setting} for a proxy in {@code proxyLocality} with {@code proxyLabels}; returns the groups to
     * send (failover priorities may split a group). {@code failoverEnabled} is whether the cluster has outlier
     * detection: without it only {@code distribute} applies.
     */
    public static List<Group> apply(
            List<Group> groups,
            Locality proxyLocality,
            Map<String, String> proxyLabels,
            LocalityLbSetting setting,
            boolean failoverEnabled) {
        if (setting == null) {
            return groups;
        }
        if (!setting.distribute().isEmpty()) {
            distribute(groups, proxyLocality, setting.distribute());
            return groups;
        }
        if (!failoverEnabled) {
            return groups;
        }
        List<Group> out = groups;
        if (!setting.failoverPriority().isEmpty()) {
            out = failoverPriority(groups, withTopology(proxyLabels, proxyLocality), setting.failoverPriority());
            if (!setting.failover().isEmpty()) {
                failover(out, proxyLocality, setting.failover());
            }
        } else {
            failover(out, proxyLocality, setting.failover());
        }
        return out;
    }

    /** Labels plus the topology labels Istio adds from a locality (given labels win). */
    public static Map<String, String> withTopology(Map<String, String> labels, Locality l) {
        Map<String, String> out = new LinkedHashMap<>();
        if (!l.region().isEmpty()) {
            out.put(REGION_LABEL, l.region());
        }
        if (!l.zone().isEmpty()) {
            out.put(ZONE_LABEL, l.zone());
        }
        if (!l.subZone().isEmpty()) {
            out.put(SUBZONE_LABEL, l.subZone());
        }
        out.putAll(labels);
        return out;
    }

    /** Istio's {@code LocalityMatch}: a rule {@code region/zone/subzone} where {@code *} or a missing part matches. */
    static boolean matches(Locality l, String rule) {
        String[] p = rule.split("/", 3);
        String region = p[0];
        String zone = p.length > 1 ? p[1] : "";
        String subZone = p.length > 2 ? p[2] : "";
        return (region.equals("*") || l.region().equals(region))
                && (zone.equals("*") || zone.isEmpty() || l.zone().equals(zone))
                && (subZone.equals("*") || subZone.isEmpty() || l.subZone().equals(subZone));
    }

    private static void distribute(List<Group> groups, Locality proxy, List<LocalityLbSetting.Distribute> distribute) {
        for (LocalityLbSetting.Distribute d : distribute) {
            if (!matches(proxy, d.from())) {
                continue;
            }
            Set<Integer> unmatched = new HashSet<>();
            for (int i = 0; i < groups.size(); i++) {
                unmatched.add(i);
            }
            for (Map.Entry<String, Integer> to : d.to().entrySet()) {
                Map<Integer, Integer> original = new LinkedHashMap<>();
                long total = 0;
                for (int i = 0; i < groups.size(); i++) {
                    if (unmatched.contains(i) && matches(groups.get(i).locality, to.getKey())) {
                        unmatched.remove(i);
                        int w = Math.max(1, groups.get(i).weight);
                        original.put(i, w);
                        total += w;
                    }
                }
                // A pattern matching several localities shares its weight among them by their own weights.
                for (Map.Entry<Integer, Integer> e : original.entrySet()) {
                    double w = (double) e.getValue() * to.getValue() / total;
                    if (w > 0) {
                        groups.get(e.getKey()).weight = (int) Math.ceil(w);
                    }
                }
            }
            for (int i : unmatched) {
                groups.get(i).endpoints.clear();
                groups.get(i).labels.clear();
            }
            return;
        }
    }

    /** Istio's {@code LbPriority}: 0 same subzone, 1 same zone, 2 same region, 3 elsewhere. */
    static int lbPriority(Locality proxy, Locality endpoint) {
        if (proxy.region().equals(endpoint.region())) {
            if (proxy.zone().equals(endpoint.zone())) {
                return proxy.subZone().equals(endpoint.subZone()) ? 0 : 1;
            }
            return 2;
        }
        return 3;
    }

    private static void failover(List<Group> groups, Locality proxy, List<LocalityLbSetting.Failover> failover) {
        for (Group g : groups) {
            int p = lbPriority(proxy, g.locality);
            if (p == 3) {
                for (LocalityLbSetting.Failover f : failover) {
                    if (f.from().equals(proxy.region())) {
                        if (!g.locality.region().equals(f.to())) {
                            p = 4;
                        }
                        break;
                    }
                }
            }
            // Keep the order failoverPriority already gave: at most 5 locality levels fit under each of its levels.
            g.priority = g.priority * 5 + p;
        }
        renumber(groups);
    }

    private static List<Group> failoverPriority(
            List<Group> groups, Map<String, String> proxyLabels, List<String> priorities) {
        if (proxyLabels.isEmpty()) {
            return groups;
        }
        List<String> names = new ArrayList<>();
        Map<String, String> overrides = new LinkedHashMap<>();
        for (String p : priorities) {
            String[] kv = p.split("=", -1);
            names.add(kv[0]);
            if (kv.length == 2) {
                overrides.put(kv[0], kv[1]);
            }
        }
        int lowest = names.size();
        List<Group> out = new ArrayList<>();
        for (Group g : groups) {
            TreeMap<Integer, List<Integer>> byPriority = new TreeMap<>();
            for (int i = 0; i < g.endpoints.size(); i++) {
                Map<String, String> epLabels = g.labels.get(i);
                int priority = 0;
                for (int j = 0; j < names.size(); j++) {
                    String label = names.get(j);
                    String want = overrides.containsKey(label) ? overrides.get(label) : proxyLabels.get(label);
                    if (!java.util.Objects.equals(want, epLabels.get(label))) {
                        priority = lowest - j;
                        break;
                    }
                }
                byPriority.computeIfAbsent(priority, k -> new ArrayList<>()).add(i);
            }
            for (Map.Entry<Integer, List<Integer>> e : byPriority.entrySet()) {
                List<LbEndpoint> eps = new ArrayList<>();
                List<Map<String, String>> labels = new ArrayList<>();
                int weight = 0;
                for (int i : e.getValue()) {
                    eps.add(g.endpoints.get(i));
                    labels.add(g.labels.get(i));
                    weight += g.endpoints.get(i).getLoadBalancingWeight().getValue();
                }
                Group split = new Group(g.locality, eps, labels, weight);
                split.priority = e.getKey();
                out.add(split);
            }
        }
        renumber(out);
        return out;
    }

    /** Priorities must run 0..N without gaps: map each distinct value to its rank. */
    private static void renumber(List<Group> groups) {
        TreeSet<Integer> distinct = new TreeSet<>();
        groups.forEach(g -> distinct.add(g.priority));
        List<Integer> ranks = new ArrayList<>(distinct);
        for (Group g : groups) {
            g.priority = ranks.indexOf(g.priority);
        }
    }
}
