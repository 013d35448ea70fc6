package dev.trellis.api.codec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.api.model.Resource;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Big streams are cut at document markers and parsed in parallel; results must not depend on the cut. */
class BigStreamTest {

    private static final int DOCS = 6000;
    private static final int LINES_PER_DOC = 9;

    private static String stream(int docs, String extraAt, int extraIndex) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < docs; i++) {
            sb.append("""
                    apiVersion: networking.istio.io/v1
                    kind: DestinationRule
                    metadata:
                      name: dr-%d
                      namespace: bookinfo
                    spec:
                      host: reviews-%d
                      trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}
                    ---
                    """.formatted(i, i));
            if (i == extraIndex) {
                sb.append(extraAt);
            }
        }
        return sb.toString();
    }

    @Test
    void cutsBigStreamsAndKeepsEveryLine() {
        String text = stream(DOCS, "", -1);
        // Cut as a four-core machine cuts it: on one core the stream is parsed whole, and this test would prove
        // nothing.
        assertThat(ConfigLoader.split(text, 4)).hasSizeGreaterThan(1);

        LoadResult result = ConfigLoader.loadString("big.yaml", text);

        assertThat(result.ok()).isTrue();
        List<Resource<?>> rs = result.resources();
        assertThat(rs).hasSize(DOCS);
        for (int i = 0; i < DOCS; i += 97) {
            Resource<?> r = rs.get(i);
            assertThat(r.name()).isEqualTo("dr-" + i);
            assertThat(r.origin().line()).isEqualTo(1 + i * LINES_PER_DOC);
            assertThat(r.originOf("spec.trafficPolicy.tls.mode").line()).isEqualTo(8 + i * LINES_PER_DOC);
        }
    }

    @Test
    void aDefectLateInABigStreamHasItsTrueLine() {
        String text = stream(DOCS, "kind: [broken\n", DOCS - 10);

        LoadResult result = ConfigLoader.loadString("big.yaml", text);

        assertThat(result.resources()).isEmpty();
        assertThat(result.failures()).singleElement().satisfies(f -> {
            assertThat(f.line()).isEqualTo((DOCS - 9) * LINES_PER_DOC + 2);
        });
    }

    @Test
    void aSchemaErrorLateInABigStreamHasItsTrueLine() {
        String text = stream(
                DOCS,
                "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: g}\nspec: {sever: []}\n---\n",
                DOCS - 10);

        LoadResult result = ConfigLoader.loadString("big.yaml", text);

        assertThat(result.resources()).hasSize(DOCS);
        assertThat(result.diagnostics()).singleElement().satisfies(d -> {
            assertThat(d.origin().line()).isEqualTo((DOCS - 9) * LINES_PER_DOC + 4);
            assertThat(d.fieldPath()).isEqualTo("spec.sever");
        });
    }
}
