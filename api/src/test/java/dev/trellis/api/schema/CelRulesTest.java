package dev.trellis.api.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CelRulesTest {

    @Test
    void everyCelRuleOfTheShippedSchemaIsImplemented() {
        List<String> unknown = new ArrayList<>();
        for (IstioSchemas.KindSchema ks : IstioSchemas.all().values()) {
            collect(ks.spec(), unknown);
        }
        assertThat(unknown).isEmpty();
    }

    @Test
    void theModelCoversElevenIstioKinds() {
        assertThat(IstioSchemas.all().keySet())
                .containsExactly(
                        "DestinationRule",
                        "Gateway",
                        "ServiceEntry",
                        "Sidecar",
                        "VirtualService",
                        "WorkloadEntry",
                        "WorkloadGroup",
                        "AuthorizationPolicy",
                        "PeerAuthentication",
                        "RequestAuthentication",
                        "Telemetry");
    }

    private static void collect(Schema s, List<String> unknown) {
        for (Schema.Rule r : s.rules()) {
            if (!CelRules.isKnown(r.rule())) {
                unknown.add(r.rule());
            }
        }
        if (s.properties != null) {
            for (Map.Entry<String, Schema> e : s.properties.entrySet()) {
                collect(e.getValue(), unknown);
            }
        }
        if (s.items != null) {
            collect(s.items, unknown);
        }
        if (s.additionalProperties != null) {
            collect(s.additionalProperties, unknown);
        }
    }
}
