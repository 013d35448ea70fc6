package dev.trellis.api.codec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.api.model.Resource;
import dev.trellis.api.model.kube.PodSpec;
import dev.trellis.api.model.kube.ServiceAccountSpec;
import dev.trellis.api.model.kube.ServiceSpec;
import dev.trellis.api.model.kube.WorkloadSpec;
import dev.trellis.api.schema.IstioSchemas;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The every-field fixtures: each kind's resources are valid, together they set every field of the kind's schema,
 * and writing them back as YAML or JSON and reading that again gives equal records.
 */
class ValidFixturesTest {

    static String[] kinds() {
        return Fixtures.ISTIO_KINDS;
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void everyFieldFixtureIsValidAndTyped(String kind) throws Exception {
        LoadResult result = Fixtures.load("valid/" + kind + ".yaml");

        assertThat(result.failures()).isEmpty();
        assertThat(result.diagnostics()).isEmpty();
        assertThat(result.resources()).isNotEmpty().allSatisfy(r -> {
            assertThat(r.kind()).isEqualTo(kind);
            assertThat(r.spec().getClass().getName())
                    .isEqualTo(IstioSchemas.of(kind).javaType());
        });
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void fixturesTogetherSetEveryFieldOfTheSchema(String kind) throws Exception {
        TreeSet<String> schemaPaths = new TreeSet<>();
        schemaPaths(shippedSchema(kind), "spec", schemaPaths);
        TreeSet<String> used = new TreeSet<>();
        for (Object doc :
                new Load(LoadSettings.builder().build()).loadAllFromString(Fixtures.text("valid/" + kind + ".yaml"))) {
            valuePaths(((Map<?, ?>) doc).get("spec"), "spec", used);
        }

        schemaPaths.removeAll(used);
        assertThat(schemaPaths).as("fields of %s no fixture sets", kind).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void roundTripsThroughYamlAndJson(String kind) {
        LoadResult original = Fixtures.load("valid/" + kind + ".yaml");

        assertSameContent(ConfigLoader.loadString("out.yaml", ConfigWriter.toYaml(original.resources())), original);
        assertSameContent(ConfigLoader.loadString("out.json", ConfigWriter.toJson(original.resources())), original);
    }

    @Test
    void kubernetesKindsAreTypedAndKeepUnknownFieldsVerbatim() {
        LoadResult result = Fixtures.load("kube/kube.yaml");

        assertThat(result.diagnostics()).isEmpty();
        assertThat(result.resources())
                .extracting(Resource::kind)
                .containsExactly(
                        "Namespace", "Service", "ServiceAccount", "Pod", "Deployment", "StatefulSet", "DaemonSet");
        Resource<?> ns = result.resources().get(0);
        assertThat(ns.metadata().labels()).containsEntry("istio-injection", "enabled");
        assertThat(ns.metadata().other()).containsEntry("uid", "6c1c3f2e-0000-4000-8000-000000000001");

        ServiceSpec svc = (ServiceSpec) result.resources().get(1).spec();
        assertThat(svc.selector()).containsEntry("app", "reviews");
        assertThat(svc.ports()).hasSize(2);
        assertThat(svc.ports().get(0).targetPort().intValue()).isEqualTo(9080L);
        assertThat(svc.ports().get(1).targetPort().stringValue()).isEqualTo("metrics");
        assertThat(svc.ports().get(0).appProtocol()).isEqualTo("http");
        assertThat(svc.other()).containsEntry("sessionAffinity", "None");

        ServiceAccountSpec sa = (ServiceAccountSpec) result.resources().get(2).spec();
        assertThat(sa.automountServiceAccountToken()).isFalse();
        assertThat(sa.other()).containsKey("secrets");

        Resource<?> pod = result.resources().get(3);
        PodSpec podSpec = (PodSpec) pod.spec();
        assertThat(podSpec.serviceAccountOrDefault()).isEqualTo("bookinfo-reviews");
        assertThat(podSpec.containers().getFirst().ports().getFirst().containerPort())
                .isEqualTo(9080);
        assertThat(pod.other()).containsEntry("status", Map.of("podIP", "10.244.0.15", "phase", "Running"));

        WorkloadSpec deployment = (WorkloadSpec) result.resources().get(4).spec();
        assertThat(deployment.selector().matchLabels()).containsEntry("version", "v1");
        assertThat(deployment.template().metadata().labels()).containsEntry("tier", "backend");
        assertThat(deployment.template().spec().serviceAccountName()).isEqualTo("bookinfo-reviews");
        assertThat(deployment.other()).containsKey("strategy");

        WorkloadSpec sts = (WorkloadSpec) result.resources().get(5).spec();
        assertThat(sts.template().spec().serviceAccountOrDefault()).isEqualTo("ratings-db");

        assertSameContent(ConfigLoader.loadString("out.yaml", ConfigWriter.toYaml(result.resources())), result);
        assertSameContent(ConfigLoader.loadString("out.json", ConfigWriter.toJson(result.resources())), result);
    }

    private static void assertSameContent(LoadResult copy, LoadResult original) {
        assertThat(copy.failures()).isEmpty();
        assertThat(copy.diagnostics()).isEmpty();
        assertThat(copy.resources()).hasSameSizeAs(original.resources());
        for (int i = 0; i < original.resources().size(); i++) {
            Resource<?> a = original.resources().get(i);
            Resource<?> b = copy.resources().get(i);
            assertThat(b.apiVersion()).isEqualTo(a.apiVersion());
            assertThat(b.kind()).isEqualTo(a.kind());
            assertThat(b.metadata()).isEqualTo(a.metadata());
            assertThat(b.spec()).isEqualTo(a.spec());
            assertThat(b.other()).isEqualTo(a.other());
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> shippedSchema(String kind) throws IOException {
        try (InputStream in = IstioSchemas.class.getResourceAsStream("istio-schema.json")) {
            Map<String, Object> all = (Map<String, Object>) new Load(LoadSettings.builder()
                            .setCodePointLimit(Integer.MAX_VALUE)
                            .build())
                    .loadFromString(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            return (Map<String, Object>) ((Map<String, Object>) all.get(kind)).get("spec");
        }
    }

    /** Every field path of a schema, lists as {@code []}, map values as {@code {}}. */
    @SuppressWarnings("unchecked")
    private static void schemaPaths(Map<String, Object> schema, String path, TreeSet<String> out) {
        out.add(path);
        if (schema.get("properties") instanceof Map<?, ?> props) {
            ((Map<String, Object>) props).forEach((k, v) -> schemaPaths((Map<String, Object>) v, path + "." + k, out));
        }
        if (schema.get("items") instanceof Map<?, ?> items) {
            schemaPaths((Map<String, Object>) items, path + "[]", out);
        }
        if (schema.get("additionalProperties") instanceof Map<?, ?> ap) {
            schemaPaths((Map<String, Object>) ap, path + "{}", out);
        }
    }

    private static void valuePaths(Object value, String path, TreeSet<String> out) {
        out.add(path);
        if (value instanceof Map<?, ?> m) {
            m.forEach((k, v) -> {
                valuePaths(v, path + "." + k, out);
                valuePaths(v, path + "{}", out); // the same value seen as a map entry
            });
        } else if (value instanceof List<?> l) {
            for (Object o : l) {
                valuePaths(o, path + "[]", out);
            }
        }
    }
}
