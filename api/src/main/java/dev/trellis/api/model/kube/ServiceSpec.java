package dev.trellis.api.model.kube;

import dev.trellis.api.codec.Unknown;
import dev.trellis.api.model.Values;
import java.util.List;
import java.util.Map;

/** A Service's spec: its ports, the pods it selects and its addresses. */
public record ServiceSpec(
        List<ServicePort> ports,
        Map<String, String> selector,
        String clusterIP,
        List<String> clusterIPs,
        String type,
        String externalName,
        @Unknown Map<String, Object> other) {
    public ServiceSpec {
        ports = ports == null ? null : List.copyOf(ports);
        selector = Values.immutableMap(selector);
        clusterIPs = clusterIPs == null ? null : List.copyOf(clusterIPs);
        other = Values.immutableGenericMap(other);
    }

    public List<ServicePort> portsOrEmpty() {
        return ports == null ? List.of() : ports;
    }

    /** {@code type}, or {@code ClusterIP} (Kubernetes' default) when unset. */
    public String typeOrDefault() {
        return type == null ? "ClusterIP" : type;
    }

    /** A Service port; {@code name} and {@code appProtocol} decide the protocol Istio assumes. */
    public record ServicePort(
            String name,
            Integer port,
            dev.trellis.api.model.IntOrString targetPort,
            String protocol,
            String appProtocol,
            Integer nodePort,
            @Unknown Map<String, Object> other) {
        public ServicePort {
            other = Values.immutableGenericMap(other);
        }

        /** {@code protocol}, or {@code TCP} (Kubernetes' default) when unset. */
        public String protocolOrDefault() {
            return protocol == null ? "TCP" : protocol;
        }
    }
}
