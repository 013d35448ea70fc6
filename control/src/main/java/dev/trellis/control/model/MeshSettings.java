package dev.trellis.control.model;

import java.util.Objects;

/**
 * Mesh-wide settings (Istio's MeshConfig, the part the translation reads).
 *
 * @param trustDomain SPIFFE trust domain, {@code cluster.local} by default
 * @param domainSuffix the DNS suffix of in-mesh hostnames ({@code <name>.<namespace>.svc.<suffix>})
 * @param rootNamespace the namespace whose Sidecar/DestinationRule apply mesh-wide ({@code istio-system})
 * @param outboundPolicy what a sidecar does with traffic to hosts no service claims
 * @param localityLb the mesh-wide {@code localityLbSetting} (Istio's default: enabled); null when unset (off)
 */
public record MeshSettings(
        String trustDomain,
        String domainSuffix,
        String rootNamespace,
        OutboundTrafficPolicy outboundPolicy,
        LocalityLbSetting localityLb) {

    /** Istio's {@code outboundTrafficPolicy.mode}. */
    public enum OutboundTrafficPolicy {
        /** Unknown destinations go to PassthroughCluster. */
        ALLOW_ANY,
        /** Unknown destinations go to BlackHoleCluster. */
        REGISTRY_ONLY
    }

    public static final MeshSettings DEFAULT = new MeshSettings(
            "cluster.local",
            "cluster.local",
            "istio-system",
            OutboundTrafficPolicy.ALLOW_ANY,
            LocalityLbSetting.MESH_DEFAULT);

    /** Settings with Istio's default locality load balancing (enabled). */
    public MeshSettings(
            String trustDomain, String domainSuffix, String rootNamespace, OutboundTrafficPolicy outboundPolicy) {
        this(trustDomain, domainSuffix, rootNamespace, outboundPolicy, LocalityLbSetting.MESH_DEFAULT);
    }

    public MeshSettings {
        Objects.requireNonNull(trustDomain, "trustDomain");
        Objects.requireNonNull(domainSuffix, "domainSuffix");
        Objects.requireNonNull(rootNamespace, "rootNamespace");
        Objects.requireNonNull(outboundPolicy, "outboundPolicy");
    }

    public MeshSettings withTrustDomain(String td) {
        return new MeshSettings(td, domainSuffix, rootNamespace, outboundPolicy, localityLb);
    }

    public MeshSettings withOutboundPolicy(OutboundTrafficPolicy p) {
        return new MeshSettings(trustDomain, domainSuffix, rootNamespace, p, localityLb);
    }

    public MeshSettings withLocalityLb(LocalityLbSetting l) {
        return new MeshSettings(trustDomain, domainSuffix, rootNamespace, outboundPolicy, l);
    }

    /** Resolves a short host against a namespace as Istio does: {@code reviews} in {@code default} is the FQDN. */
    public String fqdn(String host, String namespace) {
        if (host.contains(".") || host.startsWith("*")) {
            return host;
        }
        return host + "." + namespace + ".svc." + domainSuffix;
    }

    /** The SPIFFE id of a service account. */
    public String spiffeId(String namespace, String serviceAccount) {
        return "spiffe://" + trustDomain + "/ns/" + namespace + "/sa/" + serviceAccount;
    }
}
