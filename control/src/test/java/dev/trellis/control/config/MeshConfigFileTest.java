package dev.trellis.control.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.control.model.LocalityLbSetting;
import dev.trellis.control.model.MeshSettings;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The mesh-wide settings read from Istio's MeshConfig (or its istio ConfigMap), with Istio's checks. */
class MeshConfigFileTest {

    @Test
    void readsTheFieldsTrellisUsesAndListsTheOthers() {
        MeshConfigFile.Result r = MeshConfigFile.parse("mesh.yaml", """
                trustDomain: example.org
                rootNamespace: mesh-root
                outboundTrafficPolicy: {mode: REGISTRY_ONLY}
                enableTracing: true
                localityLbSetting:
                  enabled: true
                  distribute:
                  - from: us-east/*
                    to: {us-east/*: 80, us-west/*: 20}
                """, MeshSettings.DEFAULT);
        assertThat(r.errors()).isEmpty();
        assertThat(r.warnings()).containsExactly("mesh.yaml:4: enableTracing: not used by Trellis");
        MeshSettings s = r.settings();
        assertThat(s.trustDomain()).isEqualTo("example.org");
        assertThat(s.rootNamespace()).isEqualTo("mesh-root");
        assertThat(s.outboundPolicy()).isEqualTo(MeshSettings.OutboundTrafficPolicy.REGISTRY_ONLY);
        assertThat(s.localityLb())
                .isEqualTo(new LocalityLbSetting(
                        true,
                        List.of(new LocalityLbSetting.Distribute(
                                "us-east/*", Map.of("us-east/*", 80, "us-west/*", 20))),
                        List.of(),
                        List.of()));
    }

    @Test
    void readsIstiosConfigMapToo() {
        MeshConfigFile.Result r = MeshConfigFile.parse("istio.yaml", """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: istio, namespace: istio-system}
                data:
                  mesh: |-
                    localityLbSetting:
                      enabled: false
                """, MeshSettings.DEFAULT);
        assertThat(r.errors()).isEmpty();
        assertThat(r.settings().localityLb().enabled()).isFalse();
        assertThat(r.settings().trustDomain()).isEqualTo("cluster.local");
    }

    @Test
    void anEmptyFileKeepsIstiosDefaults() {
        MeshConfigFile.Result r = MeshConfigFile.parse("mesh.yaml", "", MeshSettings.DEFAULT);
        assertThat(r.settings()).isEqualTo(MeshSettings.DEFAULT);
        assertThat(r.settings().localityLb()).isEqualTo(LocalityLbSetting.MESH_DEFAULT);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "weights must add up to 100|localityLbSetting: {distribute: [{from: a/*, to: {a/*: 60, b/*: 20}}]}|mesh.yaml:1: localityLbSetting.distribute[0].to: weights must add up to 100, not 80",
                "failover between one region|localityLbSetting: {failover: [{from: a, to: a}]}|localityLbSetting.failover[0]: from and to must be different regions",
                "failover names regions|localityLbSetting: {failover: [{from: a/z, to: b}]}|failover names regions only",
                "distribute and failover|localityLbSetting: {distribute: [{from: a, to: {a: 100}}], failover: [{from: a, to: b}]}|distribute and failover cannot both be set",
                "unknown locality field|localityLbSetting: {distribution: []}|localityLbSetting.distribution: unknown field",
                "enabled must be boolean|localityLbSetting: {enabled: 3}|localityLbSetting.enabled: must be true or false, not a number (3)",
                "trust domain type|trustDomain: 7|mesh.yaml:1: trustDomain: must be a string, not a number (7)",
                "outbound mode|outboundTrafficPolicy: {mode: SOMETIMES}|outboundTrafficPolicy.mode: must be ALLOW_ANY or REGISTRY_ONLY",
                "not an object|[1, 2]|must be an object",
            })
    void badSettingsAreRejectedWithFileLineAndField(String name, String yaml, String message) {
        MeshConfigFile.Result r = MeshConfigFile.parse("mesh.yaml", yaml, MeshSettings.DEFAULT);
        assertThat(r.settings()).isNull();
        assertThat(r.errors())
                .anySatisfy(e -> assertThat(e).startsWith("mesh.yaml").contains(message));
    }
}
