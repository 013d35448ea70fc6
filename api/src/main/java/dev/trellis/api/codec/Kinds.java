package dev.trellis.api.codec;

import dev.trellis.api.model.kube.NamespaceSpec;
import dev.trellis.api.model.kube.PodSpec;
import dev.trellis.api.model.kube.ServiceAccountSpec;
import dev.trellis.api.model.kube.ServiceSpec;
import dev.trellis.api.model.kube.WorkloadSpec;
import dev.trellis.api.schema.IstioSchemas;
import dev.trellis.api.schema.Schema;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The kinds the model knows: Istio's (with their schema) and the Kubernetes kinds the mesh reads. */
public final class Kinds {

    /**
     * One kind.
     *
     * @param group API group, "" for Kubernetes core
     * @param kind the kind name
     * @param versions the versions accepted
     * @param specClass the record its spec binds to
     * @param schema the Istio spec schema; null for Kubernetes kinds (which bind leniently: unknown fields kept)
     * @param specAtTopLevel true when the kind has no {@code spec} and its top-level fields form the spec record
     */
    public record KindInfo(
            String group,
            String kind,
            List<String> versions,
            Class<?> specClass,
            Schema schema,
            boolean specAtTopLevel) {

        public boolean istio() {
            return schema != null;
        }

        /** {@code group/version} for the preferred (first) version. */
        public String apiVersion() {
            return (group.isEmpty() ? "" : group + "/") + versions.getFirst();
        }
    }

    private static final List<KindInfo> ALL = build();

    private Kinds() {}

    public static List<KindInfo> all() {
        return ALL;
    }

    /** The kind with this group and name, or null. */
    public static KindInfo find(String group, String kind) {
        for (KindInfo k : ALL) {
            if (k.kind.equals(kind) && k.group.equals(group)) {
                return k;
            }
        }
        return null;
    }

    /** The kind whose spec is this record class, or null. */
    public static KindInfo forSpec(Class<?> specClass) {
        for (KindInfo k : ALL) {
            if (k.specClass == specClass) {
                return k;
            }
        }
        return null;
    }

    private static List<KindInfo> build() {
        List<KindInfo> out = new ArrayList<>();
        for (IstioSchemas.KindSchema ks : IstioSchemas.all().values()) {
            try {
                out.add(new KindInfo(
                        ks.group(), ks.kind(), ks.versions(), Class.forName(ks.javaType()), ks.spec(), false));
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("schema names a missing record: " + ks.javaType(), e);
            }
        }
        out.add(new KindInfo("", "Namespace", List.of("v1"), NamespaceSpec.class, null, false));
        out.add(new KindInfo("", "Service", List.of("v1"), ServiceSpec.class, null, false));
        out.add(new KindInfo("", "Pod", List.of("v1"), PodSpec.class, null, false));
        out.add(new KindInfo("", "ServiceAccount", List.of("v1"), ServiceAccountSpec.class, null, true));
        out.add(new KindInfo("apps", "Deployment", List.of("v1"), WorkloadSpec.class, null, false));
        out.add(new KindInfo("apps", "StatefulSet", List.of("v1"), WorkloadSpec.class, null, false));
        out.add(new KindInfo("apps", "DaemonSet", List.of("v1"), WorkloadSpec.class, null, false));
        return Collections.unmodifiableList(out);
    }
}
