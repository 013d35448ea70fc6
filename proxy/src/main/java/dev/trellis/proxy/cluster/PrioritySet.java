package dev.trellis.proxy.cluster;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A cluster's hosts grouped by priority, then locality, with Envoy's priority-load computation: each priority takes
 * {@code min(100, 1.4 * healthy%)} of the traffic in order, the rest spilling to the next priority.
 */
public record PrioritySet(List<Level> levels) {
    /** The overprovisioning factor Envoy applies to health percentages (140%). */
    static final double OVERPROVISIONING = 1.4;

    public record Locality(String name, int weight, List<Host> hosts, List<Host> healthy) {}

    public record Level(int priority, List<Host> hosts, List<Host> healthy, List<Locality> localities) {}

    public static final PrioritySet EMPTY = new PrioritySet(List.of());

    public static PrioritySet of(List<Host> hosts, Map<String, Integer> localityWeights) {
        Map<Integer, List<Host>> byPriority = new java.util.TreeMap<>();
        for (Host h : hosts) {
            byPriority.computeIfAbsent(h.priority(), k -> new ArrayList<>()).add(h);
        }
        List<Level> levels = new ArrayList<>();
        for (var e : byPriority.entrySet()) {
            Map<String, List<Host>> byLocality = new LinkedHashMap<>();
            for (Host h : e.getValue()) {
                byLocality.computeIfAbsent(h.locality(), k -> new ArrayList<>()).add(h);
            }
            List<Locality> locs = new ArrayList<>();
            for (var l : byLocality.entrySet()) {
                locs.add(new Locality(
                        l.getKey(),
                        localityWeights.getOrDefault(e.getKey() + "/" + l.getKey(), 1),
                        List.copyOf(l.getValue()),
                        l.getValue().stream().filter(Host::healthy).toList()));
            }
            levels.add(new Level(
                    e.getKey(),
                    List.copyOf(e.getValue()),
                    e.getValue().stream().filter(Host::healthy).toList(),
                    List.copyOf(locs)));
        }
        return new PrioritySet(List.copyOf(levels));
    }

    public List<Host> allHosts() {
        List<Host> all = new ArrayList<>();
        for (Level l : levels) {
            all.addAll(l.hosts());
        }
        return all;
    }

    public boolean anyHealthy() {
        for (Level l : levels) {
            if (!l.healthy().isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /** Percent of traffic per level, summing to 100 when any host is healthy. */
    public int[] priorityLoad() {
        int[] load = new int[levels.size()];
        int remaining = 100;
        for (int i = 0; i < levels.size() && remaining > 0; i++) {
            Level l = levels.get(i);
            int health = l.hosts().isEmpty()
                    ? 0
                    : (int) Math.min(
                            100,
                            Math.round(OVERPROVISIONING
                                    * 100.0
                                    * l.healthy().size()
                                    / l.hosts().size()));
            load[i] = Math.min(remaining, health);
            remaining -= load[i];
        }
        if (remaining > 0 && remaining < 100) {
            // Envoy normalises the loads so they sum to 100 when the total health is below 100%.
            int total = 100 - remaining;
            int assigned = 0;
            int last = -1;
            for (int i = 0; i < load.length; i++) {
                load[i] = load[i] * 100 / total;
                assigned += load[i];
                if (load[i] > 0) {
                    last = i;
                }
            }
            if (last >= 0) {
                load[last] += 100 - assigned;
            }
        }
        return load;
    }
}
