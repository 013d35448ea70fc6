package dev.trellis.control.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Which locality setting is in force (Istio's GetLocalityLbSetting) and where a proxy's locality comes from. */
class LocalityModelTest {

    static final LocalityLbSetting MESH_ON = LocalityLbSetting.MESH_DEFAULT;
    static final LocalityLbSetting MESH_OFF = new LocalityLbSetting(false, null, null, null);
    static final LocalityLbSetting DR =
            new LocalityLbSetting(null, null, List.of(new LocalityLbSetting.Failover("a", "b")), null);
    static final LocalityLbSetting DR_OFF = new LocalityLbSetting(false, null, null, null);

    static Stream<Arguments> precedence() {
        return Stream.of(
                Arguments.of("mesh default alone", MESH_ON, null, MESH_ON),
                Arguments.of("mesh unset and no rule: off", null, null, null),
                Arguments.of("mesh off and no rule: off", MESH_OFF, null, null),
                Arguments.of("a rule wins over the mesh", MESH_ON, DR, DR),
                Arguments.of("a rule applies even when the mesh is off", MESH_OFF, DR, DR),
                Arguments.of("a rule that disables it wins", MESH_ON, DR_OFF, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("precedence")
    void theDestinationRuleWinsThenTheMesh(
            String name, LocalityLbSetting mesh, LocalityLbSetting dr, LocalityLbSetting expected) {
        assertThat(LocalityLbSetting.effective(mesh, dr)).isEqualTo(expected);
    }

    static Stream<Arguments> labels() {
        return Stream.of(
                Arguments.of(Map.of("istio-locality", "r1.z1.s1"), "r1/z1/s1"),
                Arguments.of(
                        Map.of(
                                "topology.kubernetes.io/region", "r2",
                                "topology.kubernetes.io/zone", "z2",
                                "topology.istio.io/subzone", "s2"),
                        "r2/z2/s2"),
                Arguments.of(Map.of("app", "x"), ""));
    }

    @ParameterizedTest
    @MethodSource("labels")
    void aProxyWithoutNodeLocalityTakesItFromItsLabels(Map<String, String> labels, String expected) {
        assertThat(Proxy.localityFromLabels(labels).toString()).isEqualTo(expected);
    }
}
