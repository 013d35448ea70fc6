package dev.trellis.proxy.stats;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/** The proxy's stat store. Lookups happen when config is compiled; requests hold the {@link Stat} objects. */
public final class Stats {
    private final ConcurrentHashMap<String, Stat> stats = new ConcurrentHashMap<>();

    public Stat counter(String scope, String scopeName, String name) {
        return get(scope, scopeName, name, false);
    }

    public Stat gauge(String scope, String scopeName, String name) {
        return get(scope, scopeName, name, true);
    }

    private Stat get(String scope, String scopeName, String name, boolean gauge) {
        String key = scope.isEmpty() ? name : scope + "." + scopeName + "." + name;
        return stats.computeIfAbsent(key, k -> new Stat(scope, scopeName, name, gauge));
    }

    public List<Stat> all() {
        List<Stat> l = new ArrayList<>(stats.values());
        l.sort(Comparator.comparing(Stat::fullName));
        return l;
    }

    /** {@code name: value} lines, sorted, as Envoy's {@code /stats}. */
    public String text(String filter) {
        StringBuilder sb = new StringBuilder();
        for (Stat s : all()) {
            if (filter == null || s.fullName().contains(filter)) {
                sb.append(s.fullName()).append(": ").append(s.value()).append('\n');
            }
        }
        return sb.toString();
    }

    /** Prometheus text format with Envoy's tag extraction for the cluster, http and listener scopes. */
    public String prometheus() {
        Map<String, List<Stat>> families = new TreeMap<>();
        for (Stat s : all()) {
            families.computeIfAbsent(promName(s), k -> new ArrayList<>()).add(s);
        }
        StringBuilder sb = new StringBuilder();
        for (var e : families.entrySet()) {
            sb.append("# TYPE ").append(e.getKey()).append(e.getValue().get(0).isGauge() ? " gauge\n" : " counter\n");
            for (Stat s : e.getValue()) {
                sb.append(e.getKey());
                String tag = tagName(s.scope());
                if (tag != null) {
                    sb.append('{').append(tag).append("=\"");
                    escape(s.scopeName(), sb);
                    sb.append("\"}");
                }
                sb.append(' ').append(s.value()).append('\n');
            }
        }
        return sb.toString();
    }

    private static String promName(Stat s) {
        String base = s.scope().isEmpty() ? s.name() : s.scope() + "_" + s.name();
        return "envoy_" + base.replaceAll("[^a-zA-Z0-9_]", "_");
    }

    private static String tagName(String scope) {
        return switch (scope) {
            case "cluster" -> "envoy_cluster_name";
            case "http" -> "envoy_http_conn_manager_prefix";
            case "listener" -> "envoy_listener_address";
            case "tcp" -> "envoy_tcp_prefix";
            default -> null;
        };
    }

    private static void escape(String v, StringBuilder sb) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\');
            }
            if (c == '\n') {
                sb.append("\\n");
            } else {
                sb.append(c);
            }
        }
    }
}
