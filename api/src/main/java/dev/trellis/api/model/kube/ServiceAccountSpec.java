package dev.trellis.api.model.kube;

import dev.trellis.api.codec.Unknown;
import dev.trellis.api.model.Values;
import java.util.Map;

/**
 * A ServiceAccount has no {@code spec}; its top-level fields ({@code secrets}, {@code imagePullSecrets}, ...) are read
 * into this record. The mesh uses only the account's name (the workload identity).
 */
public record ServiceAccountSpec(
        Boolean automountServiceAccountToken, @Unknown Map<String, Object> other) {
    public ServiceAccountSpec {
        other = Values.immutableGenericMap(other);
    }
}
