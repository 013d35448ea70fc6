package dev.trellis.api.analyze;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The command's options and exit statuses, beyond what the golden scenarios show. */
class AnalyzeCommandTest {

    static final String DIR = "src/test/resources/analyze/";

    @Test
    void missingFileIsBadInputWithOneLine() {
        String out = AnalyzeGoldenTest.run(List.of("does-not-exist.yaml"));
        assertThat(out).contains("Error(s) adding files: does-not-exist.yaml: no such file or directory");
        assertThat(out).endsWith("--- exit 2 ---\n");
        assertThat(out).doesNotContain("Exception");
    }

    @Test
    void noPathIsBadUsage() {
        assertThat(AnalyzeGoldenTest.run(List.of()))
                .contains("trellis analyze: nothing to analyze")
                .endsWith("--- exit 2 ---\n");
    }

    @Test
    void unknownOutputFormatIsBadUsage() {
        assertThat(AnalyzeGoldenTest.run(List.of("-o", "xml", DIR + "clean")))
                .contains("xml not a valid option for format")
                .endsWith("--- exit 2 ---\n");
    }

    @Test
    void directoriesAreReadRecursively() {
        assertThat(AnalyzeGoldenTest.run(List.of(DIR + "clean")))
                .contains("No validation issues found")
                .endsWith("--- exit 0 ---\n");
    }

    @Test
    void failureThresholdWarningFailsOnWarnings() {
        assertThat(AnalyzeGoldenTest.run(List.of(DIR + "ist0132"))).endsWith("--- exit 0 ---\n");
        assertThat(AnalyzeGoldenTest.run(List.of("--failure-threshold", "Warning", DIR + "ist0132")))
                .endsWith("--- exit 79 ---\n");
    }

    @Test
    void outputThresholdHidesLowerLevels() {
        String out = AnalyzeGoldenTest.run(List.of("--output-threshold", "Warning", DIR + "ist0131"));
        assertThat(out).contains("IST0130").doesNotContain("IST0131");
    }

    @Test
    void suppressionsHideMatchingMessages() {
        String out = AnalyzeGoldenTest.run(List.of("-S", "IST0101=VirtualService default/*", DIR + "ist0101-host"));
        assertThat(out)
                .doesNotContain("IST0101")
                .contains("No validation issues found")
                .endsWith("--- exit 0 ---\n");
    }

    @Test
    void namespaceOptionAppliesToResourcesWithoutOne() {
        String out = AnalyzeGoldenTest.run(List.of("-n", "prod", DIR + "namespaces"));
        assertThat(out)
                .contains("VirtualService prod/in-prod")
                // a short name now resolves in prod, where the Service is
                .doesNotContain("Referenced host not found: \"reviews\"")
                .contains("analyzing namespace: prod");
    }

    @Test
    void listsAnalyzers() {
        assertThat(AnalyzeGoldenTest.run(List.of("-L")))
                .contains("* virtualservice.GatewayAnalyzer:")
                .contains("* destinationrule.PodNotSelectedAnalyzer:")
                .endsWith("--- exit 0 ---\n");
    }

    @Test
    void readsStdin() {
        InputStream saved = System.in;
        try {
            System.setIn(new ByteArrayInputStream("""
                    apiVersion: networking.istio.io/v1
                    kind: VirtualService
                    metadata:
                      name: r
                    spec:
                      hosts: [r]
                      gateways: [nowhere]
                      http:
                      - route:
                        - destination: {host: r}
                    """.getBytes(StandardCharsets.UTF_8)));
            assertThat(AnalyzeGoldenTest.run(List.of("-")))
                    .contains(
                            "Error [IST0101] (VirtualService default/r <stdin>:7) Referenced gateway not found: \"nowhere\"")
                    .endsWith("--- exit 79 ---\n");
        } finally {
            System.setIn(saved);
        }
    }
}
