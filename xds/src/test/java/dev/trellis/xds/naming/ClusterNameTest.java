package dev.trellis.xds.naming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ClusterNameTest {

    @ParameterizedTest
    @CsvSource(
            delimiter = ';',
            value = {
                "outbound|9080|v1|reviews.default.svc.cluster.local;OUTBOUND;9080;v1;reviews.default.svc.cluster.local",
                "outbound|9080||reviews.default.svc.cluster.local;OUTBOUND;9080;;reviews.default.svc.cluster.local",
                "inbound|9080||;INBOUND;9080;;",
                "outbound|443||api.example.com;OUTBOUND;443;;api.example.com",
            })
    void parsesAndFormatsIstioNames(String text, String direction, int port, String subset, String host) {
        ClusterName name = ClusterName.parse(text);
        assertThat(name.direction()).isEqualTo(ClusterName.Direction.valueOf(direction));
        assertThat(name.port()).isEqualTo(port);
        assertThat(name.subset()).isEqualTo(subset == null ? "" : subset);
        assertThat(name.host()).isEqualTo(host == null ? "" : host);
        assertThat(name.toString()).isEqualTo(text);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = ';',
            value = {
                "PassthroughCluster;not an Istio cluster name",
                "outbound|x||a;port is not a number",
                "sideways|80||a;inbound or outbound",
                "outbound|80||;without a host",
                "outbound|0||a;out of range",
                "outbound|70000||a;out of range",
            })
    void rejectsMalformedNames(String text, String message) {
        assertThatThrownBy(() -> ClusterName.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
        assertThat(ClusterName.tryParse(text)).isNull();
    }

    @org.junit.jupiter.api.Test
    void factoriesAndSubsetStripping() {
        assertThat(ClusterName.outbound(9080, "v2", "reviews.default.svc.cluster.local")
                        .withoutSubset()
                        .toString())
                .isEqualTo("outbound|9080||reviews.default.svc.cluster.local");
        assertThat(ClusterName.inbound(8080).toString()).isEqualTo("inbound|8080||");
        assertThat(ResourceNames.listenerName("0.0.0.0", 9080)).isEqualTo("0.0.0.0_9080");
        assertThat(ResourceNames.listenerName("10.0.0.5", 3306)).isEqualTo("10.0.0.5_3306");
        assertThat(ResourceNames.routeConfigName(9080)).isEqualTo("9080");
        assertThat(ResourceNames.inboundRouteConfigName(9080)).isEqualTo("inbound|9080||");
        assertThatThrownBy(() -> ClusterName.outbound(80, "a|b", "h")).hasMessageContaining("'|'");
    }
}
