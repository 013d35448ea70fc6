package dev.trellis.api.model.kube;

import dev.trellis.api.codec.Unknown;
import dev.trellis.api.model.Values;
import java.util.List;
import java.util.Map;

/** A Pod's spec (also the spec of a workload's pod template): its identity and its containers' ports. */
public record PodSpec(
        String serviceAccountName,
        String serviceAccount,
        List<Container> containers,
        List<Container> initContainers,
        Boolean hostNetwork,
        String nodeName,
        @Unknown Map<String, Object> other) {
    public PodSpec {
        containers = containers == null ? null : List.copyOf(containers);
        initContainers = initContainers == null ? null : List.copyOf(initContainers);
        other = Values.immutableGenericMap(other);
    }

    /** The service account the pod runs as: {@code serviceAccountName}, its deprecated alias, or {@code default}. */
    public String serviceAccountOrDefault() {
        if (serviceAccountName != null && !serviceAccountName.isEmpty()) {
            return serviceAccountName;
        }
        return serviceAccount != null && !serviceAccount.isEmpty() ? serviceAccount : "default";
    }

    public List<Container> containersOrEmpty() {
        return containers == null ? List.of() : containers;
    }

    /** A container: the mesh reads its name, image and declared ports. */
    public record Container(
            String name,
            String image,
            List<ContainerPort> ports,
            @Unknown Map<String, Object> other) {
        public Container {
            ports = ports == null ? null : List.copyOf(ports);
            other = Values.immutableGenericMap(other);
        }

        public List<ContainerPort> portsOrEmpty() {
            return ports == null ? List.of() : ports;
        }
    }

    /** A port a container declares. */
    public record ContainerPort(
            String name,
            Integer containerPort,
            String protocol,
            Integer hostPort,
            @Unknown Map<String, Object> other) {
        public ContainerPort {
            other = Values.immutableGenericMap(other);
        }
    }
}
