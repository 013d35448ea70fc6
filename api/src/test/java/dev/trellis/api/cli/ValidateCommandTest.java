package dev.trellis.api.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code trellis validate}: exit 0 valid, 1 with one line per problem, 2 for unreadable or malformed input. */
class ValidateCommandTest {

    private static final String GOOD = """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: reviews, namespace: bookinfo}
            spec:
              hosts: [reviews]
              http:
              - route:
                - destination: {host: reviews, subset: v1}
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: r}
            spec: {}
            """;

    private static final String BAD = """
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: reviews, namespace: bookinfo}
            spec:
              host: reviews
              trafficPolicy:
                tls: {mode: MUTUAL_TLS}
                outlierDetection: {interval: fast}
            """;

    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {}

    private Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new ValidateCommand());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void validConfigExitsZeroWithASummary() throws Exception {
        Path f = Files.writeString(dir.resolve("good.yaml"), GOOD);

        Run r = run(f.toString());

        assertThat(r.exit()).isZero();
        assertThat(r.out())
                .isEqualTo("validated 1 resource, skipped 1 (kinds outside the Istio model: HTTPRoute"
                        + " (gateway.networking.k8s.io/v1))\n");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void problemsExitOneWithOneLinePerProblem() throws Exception {
        Files.writeString(dir.resolve("good.yaml"), GOOD);
        Path bad = Files.writeString(dir.resolve("bad.yaml"), BAD);

        Run r = run(dir.toString());

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out().lines())
                .containsExactly(
                        bad + ":7 DestinationRule bookinfo/reviews spec.trafficPolicy.tls.mode: invalid value"
                                + " \"MUTUAL_TLS\"; expected one of DISABLE, SIMPLE, MUTUAL, ISTIO_MUTUAL",
                        bad + ":8 DestinationRule bookinfo/reviews spec.trafficPolicy.outlierDetection.interval:"
                                + " invalid duration \"fast\": expected a number with a unit, e.g. \"1.5s\","
                                + " \"100ms\", \"1h\"");
        assertThat(r.err())
                .isEqualTo("validated 2 resources, skipped 1 (kinds outside the Istio model: HTTPRoute"
                        + " (gateway.networking.k8s.io/v1)); 2 problems in 1 resource\n");
    }

    @Test
    void malformedYamlExitsTwoWithLineAndColumn() throws Exception {
        Path f = Files.writeString(dir.resolve("broken.yaml"), "kind: VirtualService\nspec: {hosts: [a}\n");

        Run r = run(f.toString());

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).startsWith(f + ":2:17: malformed YAML: ");
        assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void missingFileExitsTwo() {
        Run r = run(dir.resolve("nope.yaml").toString());

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains(dir.resolve("nope.yaml") + ": no such file or directory");
    }

    @Test
    void dashReadsStandardInput() {
        InputStream saved = System.in;
        try {
            System.setIn(new ByteArrayInputStream(BAD.getBytes(StandardCharsets.UTF_8)));
            Run r = run("-");
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.out()).startsWith("<stdin>:7 DestinationRule bookinfo/reviews spec.trafficPolicy.tls.mode:");
        } finally {
            System.setIn(saved);
        }
    }

    @Test
    void helpIsAvailable() {
        Run r = run("--help");

        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("Usage: validate").contains("PATH");
    }
}
