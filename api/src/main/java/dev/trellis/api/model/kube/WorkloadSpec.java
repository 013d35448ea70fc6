package dev.trellis.api.model.kube;

import dev.trellis.api.codec.Unknown;
import dev.trellis.api.model.ObjectMeta;
import dev.trellis.api.model.Values;
import java.util.List;
import java.util.Map;

/** The spec of a Deployment, StatefulSet or DaemonSet: the mesh reads its selector and pod template. */
public record WorkloadSpec(
        Integer replicas,
        LabelSelector selector,
        PodTemplateSpec template,
        String serviceName,
        @Unknown Map<String, Object> other) {
    public WorkloadSpec {
        other = Values.immutableGenericMap(other);
    }

    /** {@code replicas}, or 1 (Kubernetes' default) when unset. */
    public int replicasOrDefault() {
        return replicas == null ? 1 : replicas;
    }

    /** A pod template: the labels and spec every pod of the workload gets. */
    public record PodTemplateSpec(
            ObjectMeta metadata, PodSpec spec, @Unknown Map<String, Object> other) {
        public PodTemplateSpec {
            other = Values.immutableGenericMap(other);
        }
    }

    /** A Kubernetes label selector. */
    public record LabelSelector(
            Map<String, String> matchLabels,
            List<Requirement> matchExpressions,
            @Unknown Map<String, Object> other) {
        public LabelSelector {
            matchLabels = Values.immutableMap(matchLabels);
            matchExpressions = matchExpressions == null ? null : List.copyOf(matchExpressions);
            other = Values.immutableGenericMap(other);
        }

        /** One {@code matchExpressions} entry: {@code key}, {@code operator} (In, NotIn, Exists, DoesNotExist). */
        public record Requirement(
                String key,
                String operator,
                List<String> values,
                @Unknown Map<String, Object> other) {
            public Requirement {
                values = values == null ? null : List.copyOf(values);
                other = Values.immutableGenericMap(other);
            }
        }
    }
}
