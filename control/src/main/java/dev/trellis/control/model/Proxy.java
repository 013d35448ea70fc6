package dev.trellis.control.model;

import dev.trellis.xds.node.NodeId;
import dev.trellis.xds.node.NodeMetadata;
import dev.trellis.xds.node.NodeType;
import io.envoyproxy.envoy.config.core.v3.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A connected proxy as the generators see it: identity, namespace, labels and addresses, from its node id and
 * metadata. Metadata wins over the node id where both say something; what neither says gets a default and a warning.
 *
 * @param id the node id as sent
 * @param type sidecar or gateway
 * @param namespace the proxy's namespace ({@code default} when unknown)
 * @param ips the workload's addresses (metadata INSTANCE_IPS, else the node id's IP)
 * @param labels the workload's labels
 * @param locality where it runs (node locality)
 * @param metadata the parsed metadata
 * @param warnings what was missing or malformed, for logs and debug views
 */
public record Proxy(
        String id,
        NodeType type,
        String namespace,
        List<String> ips,
        Map<String, String> labels,
        Locality locality,
        NodeMetadata metadata,
        List<String> warnings) {

    public Proxy {
        ips = List.copyOf(ips);
        labels = Map.copyOf(labels);
        warnings = List.copyOf(warnings);
    }

    public static Proxy fromNode(Node node) {
        List<String> warnings = new ArrayList<>();
        NodeMetadata md = NodeMetadata.fromNode(node);
        NodeId nodeId = NodeId.tryParse(node.getId());
        if (nodeId == null && !md.proxyless()) {
            warnings.add("node id '" + node.getId() + "' is not an Istio id (type~ip~name.namespace~domain)");
        }
        String namespace = !md.namespace().isEmpty()
                ? md.namespace()
                : nodeId != null && !nodeId.namespace().isEmpty() ? nodeId.namespace() : "";
        if (namespace.isEmpty()) {
            warnings.add("no NAMESPACE in node metadata or id; using 'default'");
            namespace = "default";
        }
        List<String> ips = new ArrayList<>(md.instanceIps());
        if (ips.isEmpty() && nodeId != null && !nodeId.ip().isEmpty()) {
            ips.add(nodeId.ip());
        }
        Locality locality = new Locality(
                node.getLocality().getRegion(),
                node.getLocality().getZone(),
                node.getLocality().getSubZone());
        if (locality.equals(Locality.NONE)) {
            locality = localityFromLabels(md.labels());
        }
        return new Proxy(
                node.getId(),
                nodeId == null ? NodeType.SIDECAR : nodeId.type(),
                namespace,
                ips,
                md.labels(),
                locality,
                md,
                warnings);
    }

    /**
     * Istio's fallbacks when the node carries no locality: the {@code istio-locality} label ({@code region.zone.subzone},
     * dots since label values cannot hold slashes), else the topology labels.
     */
    static Locality localityFromLabels(Map<String, String> labels) {
        String istio = labels.get("istio-locality");
        if (istio != null && !istio.isBlank()) {
            return Locality.parse(istio.replace('.', '/'));
        }
        return new Locality(
                labels.get("topology.kubernetes.io/region"),
                labels.get("topology.kubernetes.io/zone"),
                labels.get("topology.istio.io/subzone"));
    }

    /** The same proxy in another locality (tests and the local runtime). */
    public Proxy withLocality(Locality l) {
        return new Proxy(id, type, namespace, ips, labels, l, metadata, warnings);
    }

    /** A sidecar built directly, for tests and the local runtime. */
    public static Proxy sidecar(String id, String namespace, List<String> ips, Map<String, String> labels) {
        return new Proxy(id, NodeType.SIDECAR, namespace, ips, labels, Locality.NONE, NodeMetadata.EMPTY, List.of());
    }

    public boolean proxyless() {
        return metadata.proxyless();
    }
}
