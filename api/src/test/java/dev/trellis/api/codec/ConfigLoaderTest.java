package dev.trellis.api.codec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.api.model.Origin;
import dev.trellis.api.model.Resource;
import dev.trellis.api.model.networking.DestinationRule;
import dev.trellis.api.model.networking.Gateway;
import dev.trellis.api.model.networking.VirtualService;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Inputs: streams, lists, files, directories, stdin; skipped kinds; malformed and unreadable input; origins. */
class ConfigLoaderTest {

    private static final String TWO_DOCS = """
            # leading comment
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata:
              name: reviews
              namespace: bookinfo
            spec:
              hosts:
              - reviews
              http:
              - route:
                - destination:
                    host: reviews
                    subset: v1
                  weight: 80
                - destination:
                    host: reviews
                    subset: v2
                  weight: 20
            ---
            apiVersion: networking.istio.io/v1alpha3
            kind: DestinationRule
            metadata:
              name: reviews
              labels:
                app.kubernetes.io/name: reviews
            spec:
              host: reviews
            """;

    @Test
    void multiDocumentStreamKeepsEveryResourceAndItsLine() {
        LoadResult result = ConfigLoader.loadString("routes.yaml", TWO_DOCS);

        assertThat(result.ok()).isTrue();
        assertThat(result.resources())
                .extracting(Resource::origin)
                .containsExactly(new Origin("routes.yaml", 2), new Origin("routes.yaml", 21));
        Resource<VirtualService> vs = result.ofType(VirtualService.class).getFirst();
        assertThat(vs.spec().http().getFirst().route().get(1).weight()).isEqualTo(20);
        Resource<DestinationRule> dr = result.ofType(DestinationRule.class).getFirst();
        assertThat(dr.apiVersion()).isEqualTo("networking.istio.io/v1alpha3");
        assertThat(dr.namespace()).isNull();
    }

    @Test
    void everyFieldKnowsItsLine() {
        Resource<?> vs =
                ConfigLoader.loadString("routes.yaml", TWO_DOCS).resources().getFirst();

        assertThat(vs.originOf("spec.http[0].route[1].weight")).isEqualTo(new Origin("routes.yaml", 19));
        assertThat(vs.originOf("spec.http[0].route[1].destination.subset").line())
                .isEqualTo(18);
        assertThat(vs.originOf("spec.hosts[0]").line()).isEqualTo(9);
        assertThat(vs.originOf("metadata.namespace").line()).isEqualTo(6);
        // an absent field answers its nearest present parent
        assertThat(vs.originOf("spec.http[0].timeout").line()).isEqualTo(11);
        assertThat(vs.originOf("spec.http[5]").line()).isEqualTo(10);
        assertThat(vs.originOf("").line()).isEqualTo(2);

        Resource<?> dr =
                ConfigLoader.loadString("routes.yaml", TWO_DOCS).resources().get(1);
        assertThat(dr.originOf("metadata.labels[\"app.kubernetes.io/name\"]").line())
                .isEqualTo(26);
    }

    @Test
    void kindListItemsAreResourcesWithTheirOwnLines() {
        String list = """
                apiVersion: v1
                kind: List
                items:
                - apiVersion: networking.istio.io/v1
                  kind: Gateway
                  metadata: {name: gw, namespace: bookinfo}
                  spec:
                    selector: {istio: ingressgateway}
                    servers:
                    - port: {number: 80, name: http, protocol: HTTP}
                      hosts: ["*"]
                - apiVersion: v1
                  kind: ConfigMap
                  metadata: {name: cm}
                  data: {a: b}
                """;

        LoadResult result = ConfigLoader.loadString("list.yaml", list);

        assertThat(result.ok()).isTrue();
        assertThat(result.ofType(Gateway.class)).singleElement().satisfies(r -> {
            assertThat(r.origin().line()).isEqualTo(4);
            assertThat(r.spec().servers().getFirst().port().number()).isEqualTo(80);
        });
        assertThat(result.skipped())
                .singleElement()
                .isEqualTo(new SkippedResource("v1", "ConfigMap", null, "cm", new Origin("list.yaml", 12)));
    }

    @Test
    void kindsOutsideTheModelAreSkippedNotFailed() {
        String yaml = """
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: gw}
                spec: {gatewayClassName: istio, listeners: []}
                ---
                apiVersion: cert-manager.io/v1
                kind: Certificate
                metadata: {name: cert, namespace: istio-system}
                spec: {secretName: x}
                ---
                apiVersion: networking.istio.io/v1alpha3
                kind: EnvoyFilter
                metadata: {name: ef}
                spec: {}
                """;

        LoadResult result = ConfigLoader.loadString("other.yaml", yaml);

        assertThat(result.ok()).isTrue();
        assertThat(result.resources()).isEmpty();
        assertThat(result.skipped())
                .extracting(SkippedResource::kindAndVersion)
                .containsExactly(
                        "Gateway (gateway.networking.k8s.io/v1)",
                        "Certificate (cert-manager.io/v1)",
                        "EnvoyFilter (networking.istio.io/v1alpha3)");
    }

    @Test
    void jsonIsReadToo() {
        String json = """
                {
                \t"apiVersion": "networking.istio.io/v1",
                \t"kind": "ServiceEntry",
                \t"metadata": {"name": "ext", "namespace": "bookinfo"},
                \t"spec": {
                \t\t"hosts": ["api.example.com"],
                \t\t"ports": [{"number": 443, "name": "https", "protocol": "TLS"}],
                \t\t"resolution": "DNS",
                \t\t"location": "MESH_EXTERNAL"
                \t}
                }
                """;

        LoadResult result = ConfigLoader.loadString("se.json", json);

        assertThat(result.failures()).isEmpty();
        assertThat(result.diagnostics()).isEmpty();
        assertThat(result.resources()).singleElement().satisfies(r -> {
            assertThat(r.originOf("spec.resolution").line()).isEqualTo(8);
        });
    }

    @Test
    void malformedYamlIsAFailureWithTheParsersLineAndColumn() {
        String yaml = """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata:
                  name: reviews
                 namespace: bookinfo
                """;

        LoadResult result = ConfigLoader.loadString("bad.yaml", yaml);

        assertThat(result.resources()).isEmpty();
        assertThat(result.diagnostics()).isEmpty();
        assertThat(result.failures()).singleElement().satisfies(f -> {
            assertThat(f.file()).isEqualTo("bad.yaml");
            assertThat(f.line()).isEqualTo(5);
            assertThat(f.column()).isEqualTo(2);
            assertThat(f.format()).startsWith("bad.yaml:5:2: malformed YAML: ");
        });
    }

    @Test
    void aMalformedFileContributesNothingEvenIfItsFirstDocumentsAreFine() {
        String yaml = TWO_DOCS + "---\nkind: [unclosed\n";

        LoadResult result = ConfigLoader.loadString("half.yaml", yaml);

        assertThat(result.resources()).isEmpty();
        assertThat(result.failures())
                .singleElement()
                .extracting(LoadFailure::line)
                .isEqualTo(31);
    }

    @Test
    void directoriesAreReadRecursivelyInNameOrderAndOnlyConfigFiles(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("b/nested"));
        Files.writeString(
                dir.resolve("b/nested/dr.yml"),
                "apiVersion: networking.istio.io/v1\nkind:"
                        + " DestinationRule\nmetadata: {name: dr}\nspec: {host: reviews}\n");
        Files.writeString(
                dir.resolve("a.json"),
                "{\"apiVersion\": \"v1\", \"kind\": \"Namespace\"," + " \"metadata\": {\"name\": \"bookinfo\"}}");
        Files.writeString(dir.resolve("notes.txt"), "not: [config");
        Files.writeString(dir.resolve("c.YAML"), "---\n");

        LoadResult result = ConfigLoader.load(List.of(dir));

        assertThat(result.failures()).isEmpty();
        assertThat(result.resources())
                .extracting(r -> r.origin().file())
                .containsExactly(
                        dir.resolve("a.json").toString(),
                        dir.resolve("b/nested/dr.yml").toString());
    }

    @Test
    void unreadableInputIsAFailure(@TempDir Path dir) throws Exception {
        Files.write(dir.resolve("latin1.yaml"), new byte[] {'a', ':', ' ', (byte) 0xe9, '\n'});

        LoadResult result = ConfigLoader.load(List.of(dir.resolve("missing.yaml"), dir.resolve("latin1.yaml")));

        assertThat(result.failures())
                .extracting(LoadFailure::format)
                .containsExactly(
                        dir.resolve("missing.yaml") + ": no such file or directory",
                        dir.resolve("latin1.yaml") + ": not UTF-8 text");
    }

    @Test
    void streamsAreReadLikeFiles() {
        LoadResult result =
                ConfigLoader.load("<stdin>", new ByteArrayInputStream(TWO_DOCS.getBytes(StandardCharsets.UTF_8)));

        assertThat(result.resources()).hasSize(2);
        assertThat(result.resources().getFirst().origin()).isEqualTo(new Origin("<stdin>", 2));
    }

    @Test
    void statusIsKeptVerbatimAndWrittenBack() {
        String yaml = """
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: dr, namespace: bookinfo, uid: abc, resourceVersion: "12"}
                spec: {host: reviews}
                status:
                  observedGeneration: 3
                  conditions: [{type: Reconciled, status: "True"}]
                """;

        Resource<?> r = ConfigLoader.loadString("s.yaml", yaml).resources().getFirst();

        assertThat(r.other()).containsKey("status");
        assertThat(r.metadata().resourceVersion()).isEqualTo("12");
        assertThat(r.metadata().other()).containsEntry("uid", "abc");
        String written = ConfigWriter.toYaml(r);
        assertThat(written)
                .contains("observedGeneration: 3")
                .contains("uid: abc")
                .contains("resourceVersion: '12'");
        Resource<?> again =
                ConfigLoader.loadString("w.yaml", written).resources().getFirst();
        assertThat(again.other()).isEqualTo(r.other());
        assertThat(again.metadata()).isEqualTo(r.metadata());
    }

    @Test
    void mergeKeysAndYaml11BooleansAreReadAsKubernetesReadsThem() {
        String yaml = """
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: dr, namespace: bookinfo}
                spec:
                  host: reviews
                  subsets:
                  - name: v1
                    labels: &common {app: reviews, version: v1}
                    trafficPolicy:
                      tls: &tls {mode: SIMPLE, insecureSkipVerify: yes}
                  - name: v2
                    labels:
                      <<: *common
                      version: v2
                    trafficPolicy:
                      tls:
                        <<: *tls
                        insecureSkipVerify: off
                """;

        LoadResult result = ConfigLoader.loadString("merge.yaml", yaml);

        assertThat(result.diagnostics()).isEmpty();
        DestinationRule dr = result.ofType(DestinationRule.class).getFirst().spec();
        assertThat(dr.subsets().get(1).labels()).containsEntry("app", "reviews").containsEntry("version", "v2");
        assertThat(dr.subsets().get(0).trafficPolicy().tls().insecureSkipVerify())
                .isTrue();
        assertThat(dr.subsets().get(1).trafficPolicy().tls().insecureSkipVerify())
                .isFalse();
        assertThat(dr.subsets().get(1).trafficPolicy().tls().mode().name()).isEqualTo("SIMPLE");
    }

    @Test
    void absurdNestingIsAFailureNotACrash() {
        String deep = "a: " + "[".repeat(200_000) + "]".repeat(200_000) + "\n";

        LoadResult result = ConfigLoader.loadString("deep.yaml", deep);

        assertThat(result.failures()).singleElement().satisfies(f -> assertThat(f.message())
                .startsWith("malformed YAML"));
    }
}
