package dev.trellis.api.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/** Our composer must build exactly the trees snakeyaml-engine's composer builds (tags, values, styles, marks). */
class ComposerTest {

    private static final LoadSettings SETTINGS =
            LoadSettings.builder().setSchema(new CoreSchema()).build();

    private static final String SCALARS = """
            a: [1, -2, +3, 0o17, 0x1F, 0x, 0o8, 1.5, .5, 1., -1.5e3, 1e5, 1E+5, 1e, .inf, -.Inf, .NaN, .nan., 12a]
            b: [true, True, TRUE, tRue, false, FALSE, yes, on, null, Null, NULL, nULL, ~, "", '', x]
            c:
            - ["1", '2', !!str 3, !!int "4", ! 5]
            - |
              literal
            - >
              folded
            d:
            e: &anchor {x: 1}
            f: *anchor
            "quoted key": 1.0.0
            g: "-"
            h: 2001-12-14
            i: '-'
            j: +.5
            k: 0.
            l: 1_000
            ---
            - plain
            - !custom tagged
            ---
            """;

    @Test
    void buildsTheSameTreesAsSnakeyaml() {
        List<Node> ours = Composer.composeAll(SETTINGS, SCALARS);
        List<Node> theirs = new ArrayList<>();
        new Compose(SETTINGS).composeAllFromString(SCALARS).forEach(theirs::add);

        assertThat(ours).hasSize(3);
        assertThat(Nodes.isNull(ours.get(2))).isTrue();
        for (int i = 0; i < 3; i++) {
            assertThat(describe(ours.get(i))).isEqualTo(describe(theirs.get(i)));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"VirtualService", "DestinationRule", "Gateway", "ServiceEntry", "Telemetry"})
    void buildsTheSameTreesForTheFixtures(String kind) {
        String text = Fixtures.text("valid/" + kind + ".yaml");
        List<Node> theirs = new ArrayList<>();
        new Compose(SETTINGS).composeAllFromString(text).forEach(theirs::add);

        assertThat(Composer.composeAll(SETTINGS, text))
                .map(ComposerTest::describe)
                .containsExactlyElementsOf(
                        theirs.stream().map(ComposerTest::describe).toList());
    }

    @Test
    void rejectsUndefinedAndRecursiveAliasesAndAliasBombs() {
        assertThatThrownBy(() -> Composer.composeAll(SETTINGS, "a: *nope\n"))
                .isInstanceOf(YamlEngineException.class)
                .hasMessageContaining("undefined alias");
        assertThatThrownBy(() -> Composer.composeAll(SETTINGS, "a: &x [1, *x]\n"))
                .isInstanceOf(YamlEngineException.class)
                .hasMessageContaining("refers to a node that contains it");
        StringBuilder bomb = new StringBuilder("a: &a [x, x]\n");
        for (int i = 0; i < 60; i++) {
            bomb.append("b").append(i).append(": [*a, *a]\n");
        }
        assertThatThrownBy(() -> Composer.composeAll(SETTINGS, bomb.toString()))
                .isInstanceOf(YamlEngineException.class)
                .hasMessageContaining("aliases to collections");
    }

    private static String describe(Node n) {
        if (n == null) {
            return "null";
        }
        String mark =
                n.getStartMark().map(m -> m.getLine() + ":" + m.getColumn()).orElse("?");
        if (n instanceof ScalarNode s) {
            return s.getTag() + "|" + s.getScalarStyle() + "|" + s.getValue() + "@" + mark;
        }
        StringBuilder sb = new StringBuilder(n.getTag() + "@" + mark + "{");
        if (n instanceof SequenceNode s) {
            s.getValue().forEach(x -> sb.append(describe(x)).append(','));
        } else {
            for (NodeTuple t : ((MappingNode) n).getValue()) {
                sb.append(describe(t.getKeyNode()))
                        .append('=')
                        .append(describe(t.getValueNode()))
                        .append(',');
            }
        }
        return sb.append('}').toString();
    }
}
