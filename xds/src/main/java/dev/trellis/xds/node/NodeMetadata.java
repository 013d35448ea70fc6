package dev.trellis.xds.node;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Node;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The node metadata fields Istio's proxies send that the control plane acts on. Field names are Istio's (the
 * {@code ISTIO_META_*} environment variables of pilot-agent, without the prefix).
 *
 * @param namespace NAMESPACE
 * @param serviceAccount SERVICE_ACCOUNT
 * @param labels LABELS (a struct of strings)
 * @param instanceIps INSTANCE_IPS (a comma-separated string in Istio; a list is accepted too)
 * @param workloadName WORKLOAD_NAME
 * @param name NAME, the pod name
 * @param clusterId CLUSTER_ID
 * @param meshId MESH_ID
 * @param istioVersion ISTIO_VERSION
 * @param generator GENERATOR: {@code grpc} marks a proxyless gRPC client
 * @param interceptionMode INTERCEPTION_MODE: REDIRECT, TPROXY or NONE
 * @param autoRegisterGroup AUTO_REGISTER_GROUP: the WorkloadGroup this proxy registers itself into
 * @param workloadPorts TRELLIS_WORKLOAD_PORTS: {@code name:port,...} of the ports the workload serves (a Trellis
 *     extension, so auto-registration and the inbound listener need no WorkloadGroup template ports)
 * @param raw every metadata field, unparsed, for debug views
 */
public record NodeMetadata(
        String namespace,
        String serviceAccount,
        Map<String, String> labels,
        List<String> instanceIps,
        String workloadName,
        String name,
        String clusterId,
        String meshId,
        String istioVersion,
        String generator,
        String interceptionMode,
        String autoRegisterGroup,
        Map<String, Integer> workloadPorts,
        Struct raw) {

    public static final NodeMetadata EMPTY = fromStruct(Struct.getDefaultInstance());

    public NodeMetadata {
        labels = Map.copyOf(labels);
        instanceIps = List.copyOf(instanceIps);
        workloadPorts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(workloadPorts));
    }

    public static NodeMetadata fromNode(Node node) {
        return fromStruct(node.getMetadata());
    }

    public static NodeMetadata fromStruct(Struct md) {
        Map<String, Value> f = md.getFieldsMap();
        Map<String, String> labels = new TreeMap<>();
        Value lv = f.get("LABELS");
        if (lv != null && lv.hasStructValue()) {
            lv.getStructValue().getFieldsMap().forEach((k, v) -> labels.put(k, scalar(v)));
        }
        List<String> ips = new ArrayList<>();
        Value iv = f.get("INSTANCE_IPS");
        if (iv != null) {
            if (iv.hasListValue()) {
                iv.getListValue().getValuesList().forEach(v -> addNonEmpty(ips, scalar(v)));
            } else {
                for (String ip : scalar(iv).split(",")) {
                    addNonEmpty(ips, ip.strip());
                }
            }
        }
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (String entry : string(f, "TRELLIS_WORKLOAD_PORTS").split(",")) {
            String e = entry.strip();
            if (e.isEmpty()) {
                continue;
            }
            int colon = e.lastIndexOf(':');
            try {
                String portName = colon < 0 ? "" : e.substring(0, colon);
                int port = Integer.parseInt(e.substring(colon + 1));
                ports.put(portName.isEmpty() ? Integer.toString(port) : portName, port);
            } catch (NumberFormatException ignored) {
                // A malformed entry is skipped: missing metadata is served what can be served.
            }
        }
        return new NodeMetadata(
                string(f, "NAMESPACE"),
                string(f, "SERVICE_ACCOUNT"),
                labels,
                ips,
                string(f, "WORKLOAD_NAME"),
                string(f, "NAME"),
                string(f, "CLUSTER_ID"),
                string(f, "MESH_ID"),
                string(f, "ISTIO_VERSION"),
                string(f, "GENERATOR"),
                string(f, "INTERCEPTION_MODE"),
                string(f, "AUTO_REGISTER_GROUP"),
                ports,
                md);
    }

    /** True for a proxyless gRPC client: Istio marks those with {@code GENERATOR: grpc}. */
    public boolean proxyless() {
        return "grpc".equals(generator);
    }

    private static void addNonEmpty(List<String> list, String s) {
        if (!s.isEmpty()) {
            list.add(s);
        }
    }

    private static String string(Map<String, Value> fields, String key) {
        Value v = fields.get(key);
        return v == null ? "" : scalar(v);
    }

    private static String scalar(Value v) {
        return switch (v.getKindCase()) {
            case STRING_VALUE -> v.getStringValue();
            case NUMBER_VALUE -> {
                double d = v.getNumberValue();
                yield d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
            }
            case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
            default -> "";
        };
    }
}
