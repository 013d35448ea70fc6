package dev.trellis.api.validation.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.api.codec.ConfigLoader;
import dev.trellis.api.codec.LoadResult;
import dev.trellis.api.validation.ConfigValidator;
import dev.trellis.api.validation.Diagnostic;
import dev.trellis.api.validation.Severity;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Istio's warnings: accepted configuration that is probably not what the user meant. */
class RuleWarningsTest {

    static List<Diagnostic> validate(String yaml) {
        LoadResult loaded = ConfigLoader.loadString("w.yaml", yaml);
        assertThat(loaded.diagnostics()).isEmpty();
        return ConfigValidator.standard().validate(loaded.resources());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            STATIC without endpoints | kind: ServiceEntry\\nspec:\\n  hosts: [db.example.com]\\n  ports: [{number: 5432, name: tcp, protocol: TCP}]\\n  addresses: [10.0.0.1]\\n  resolution: STATIC | spec.resolution | without endpoints or a workloadSelector
            NONE TCP without addresses | kind: ServiceEntry\\nspec:\\n  hosts: [db.example.com]\\n  ports: [{number: 5432, name: tcp, protocol: TCP}]\\n  resolution: NONE | spec.addresses | addresses are required for ports serving TCP
            deprecated consecutiveErrors | kind: DestinationRule\\nspec:\\n  host: r\\n  trafficPolicy:\\n    outlierDetection: {consecutiveErrors: 3} | spec.trafficPolicy.outlierDetection.consecutiveErrors | deprecated
            httpsRedirect on TLS server | kind: Gateway\\nspec:\\n  servers:\\n  - port: {number: 443, name: tls, protocol: TLS}\\n    hosts: ['*']\\n    tls: {mode: PASSTHROUGH, httpsRedirect: true} | spec.servers[0].tls.httpsRedirect | should only be used with http servers
            legacy gateway name | kind: VirtualService\\nspec:\\n  hosts: [r.example.com]\\n  gateways: [public.istio-system]\\n  http:\\n  - route:\\n    - destination: {host: r} | spec.gateways[0] | prefer the <namespace>/<name> format: \"istio-system/public\"
            DENY with HTTP-only rule | kind: AuthorizationPolicy\\nspec:\\n  action: DENY\\n  rules:\\n  - to:\\n    - operation: {methods: [GET]} | spec.rules[0] | will deny all traffic to TCP ports
            """)
    void warns(String name, String body, String path, String message) {
        String group = body.contains("AuthorizationPolicy") ? "security.istio.io/v1" : "networking.istio.io/v1";
        String yaml =
                "apiVersion: " + group + "\n" + body.replace("\\n", "\n").replaceFirst("\n", "\nmetadata: {name: w}\n");
        assertThat(validate(yaml))
                .anySatisfy(d -> {
                    assertThat(d.severity()).isEqualTo(Severity.WARNING);
                    assertThat(d.fieldPath()).isEqualTo(path);
                    assertThat(d.message()).contains(message);
                })
                .noneMatch(d -> d.severity() == Severity.ERROR);
    }
}
