package dev.trellis.control.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Istio's {@code localityLbSetting} (mesh-wide in MeshConfig, per DestinationRule in {@code loadBalancer}): how
 * endpoints are ordered by locality relative to the calling proxy.
 *
 * @param enabled null when not set; false turns locality load balancing off
 * @param distribute weights by locality for proxies in a {@code from} locality
 * @param failover region-level failover targets
 * @param failoverPriority label names (optionally {@code name=value}) that order endpoints by how many leading labels
 *     match the proxy's
 */
public record LocalityLbSetting(
        Boolean enabled, List<Distribute> distribute, List<Failover> failover, List<String> failoverPriority) {

    /** Istio's mesh default: enabled, nothing else set (failover by locality once outlier detection is on). */
    public static final LocalityLbSetting MESH_DEFAULT = new LocalityLbSetting(true, List.of(), List.of(), List.of());

    public LocalityLbSetting {
        distribute = List.copyOf(Objects.requireNonNullElse(distribute, List.of()));
        failover = List.copyOf(Objects.requireNonNullElse(failover, List.of()));
        failoverPriority = List.copyOf(Objects.requireNonNullElse(failoverPriority, List.of()));
    }

    /**
     * Proxies in {@code from} (a locality, {@code *} wildcards allowed) send traffic to the localities in {@code to}
     * by the given weights (declared order kept: the first pattern that matches a locality takes it).
     */
    public record Distribute(String from, Map<String, Integer> to) {
        public Distribute {
            from = Objects.requireNonNullElse(from, "");
            to = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNullElse(to, Map.of())));
        }
    }

    /** Proxies in region {@code from} fail over to region {@code to} before any other region. */
    public record Failover(String from, String to) {
        public Failover {
            from = Objects.requireNonNullElse(from, "");
            to = Objects.requireNonNullElse(to, "");
        }
    }

    /**
     * The setting in force, as Istio's {@code GetLocalityLbSetting}: a DestinationRule's wins (none when it disables
     * it); else the mesh's, unless the mesh disables it. Null means no locality load balancing.
     */
    public static LocalityLbSetting effective(LocalityLbSetting mesh, LocalityLbSetting destinationRule) {
        if (destinationRule != null) {
            return Boolean.FALSE.equals(destinationRule.enabled()) ? null : destinationRule;
        }
        if (mesh == null || Boolean.FALSE.equals(mesh.enabled())) {
            return null;
        }
        return mesh;
    }

    /**
     * Whether this setting changes anything for a cluster: distribute always; failover (by locality or by priority
     * labels) only with outlier detection, since without it Envoy never sees a host fail and never fails over.
     */
    public boolean appliesWith(boolean outlierDetection) {
        return !distribute.isEmpty() || outlierDetection;
    }
}
