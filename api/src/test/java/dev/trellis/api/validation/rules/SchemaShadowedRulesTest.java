package dev.trellis.api.validation.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.api.model.Duration;
import dev.trellis.api.model.ObjectMeta;
import dev.trellis.api.model.Resource;
import dev.trellis.api.model.networking.Destination;
import dev.trellis.api.model.networking.RouteDestination;
import dev.trellis.api.model.networking.ServiceEntry;
import dev.trellis.api.model.networking.ServicePort;
import dev.trellis.api.model.networking.TLSMatchAttributes;
import dev.trellis.api.model.networking.TLSRoute;
import dev.trellis.api.model.networking.VirtualService;
import dev.trellis.api.model.security.ClaimToHeader;
import dev.trellis.api.model.security.JWTRule;
import dev.trellis.api.model.security.PeerAuthentication;
import dev.trellis.api.model.security.RequestAuthentication;
import dev.trellis.api.model.telemetry.ProviderRef;
import dev.trellis.api.model.telemetry.Telemetry;
import dev.trellis.api.model.telemetry.Tracing;
import dev.trellis.api.model.type.WorkloadSelector;
import dev.trellis.api.validation.ConfigValidator;
import dev.trellis.api.validation.Severity;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Rules whose invalid input Istio's CRD schema (its CEL rules, bounds and required fields) already rejects while
 * loading, so no YAML fixture reaches them: the rules still hold for resources built in code (the control plane's own,
 * tests), and are checked here with such resources.
 */
class SchemaShadowedRulesTest {

    static <S> Resource<S> res(String kind, S spec) {
        return Resource.of("test/v1", kind, ObjectMeta.of("r", "test"), spec);
    }

    static JWTRule jwt(
            String issuer,
            List<String> audiences,
            String jwks,
            String jwksUri,
            List<ClaimToHeader> claims,
            Duration timeout) {
        return new JWTRule(
                audiences, null, null, null, null, issuer, jwks, null, jwksUri, claims, null, null, null, timeout);
    }

    static Stream<Arguments> cases() {
        RouteDestination dest = new RouteDestination(new Destination("a.example.com", null, null), null);
        return Stream.of(
                Arguments.of(
                        res(
                                "PeerAuthentication",
                                new PeerAuthentication(
                                        null,
                                        Map.of(
                                                "8080",
                                                new PeerAuthentication.MutualTLS(
                                                        PeerAuthentication.MutualTLS.Mode.DISABLE)),
                                        null)),
                        "spec.portLevelMtls",
                        "mesh/namespace peer authentication cannot have port level mTLS"),
                Arguments.of(
                        res(
                                "PeerAuthentication",
                                new PeerAuthentication(
                                        null,
                                        Map.of(
                                                "0",
                                                new PeerAuthentication.MutualTLS(
                                                        PeerAuthentication.MutualTLS.Mode.DISABLE)),
                                        new WorkloadSelector(Map.of("app", "a")))),
                        "spec.portLevelMtls.0",
                        "port must be in range 1..65535"),
                Arguments.of(
                        res(
                                "PeerAuthentication",
                                new PeerAuthentication(null, Map.of(), new WorkloadSelector(Map.of("app", "a")))),
                        "spec.portLevelMtls",
                        "port level mTLS, if defined, must have at least one element"),
                Arguments.of(
                        res(
                                "PeerAuthentication",
                                new PeerAuthentication(null, null, new WorkloadSelector(Map.of("app", "*")))),
                        "spec.selector.matchLabels.app",
                        "wildcard is not supported in selector: \"app=*\""),
                Arguments.of(
                        res(
                                "VirtualService",
                                new VirtualService(
                                        null,
                                        null,
                                        List.of("a.example.com"),
                                        null,
                                        null,
                                        List.of(new TLSRoute(null, List.of(dest))))),
                        "spec.tls[0]",
                        "TLS route must have at least one match condition"),
                Arguments.of(
                        res(
                                "VirtualService",
                                new VirtualService(
                                        null,
                                        null,
                                        List.of("a.example.com"),
                                        null,
                                        null,
                                        List.of(new TLSRoute(
                                                List.of(new TLSMatchAttributes(null, null, 443L, null, null, null)),
                                                List.of(dest))))),
                        "spec.tls[0].match[0]",
                        "TLS match must have at least one SNI host"),
                Arguments.of(
                        res(
                                "RequestAuthentication",
                                new RequestAuthentication(
                                        List.of(jwt("", null, null, null, null, null)), null, null, null)),
                        "spec.jwtRules[0].issuer",
                        "issuer must be set"),
                Arguments.of(
                        res(
                                "RequestAuthentication",
                                new RequestAuthentication(
                                        List.of(jwt("i", List.of(""), null, null, null, null)), null, null, null)),
                        "spec.jwtRules[0].audiences[0]",
                        "audience must be non-empty string"),
                Arguments.of(
                        res(
                                "RequestAuthentication",
                                new RequestAuthentication(
                                        List.of(jwt("i", null, "{\"keys\":[]}", "https://i/keys", null, null)),
                                        null,
                                        null,
                                        null)),
                        "spec.jwtRules[0].jwks",
                        "only one of jwks or jwksUri can be set"),
                Arguments.of(
                        res(
                                "RequestAuthentication",
                                new RequestAuthentication(
                                        List.of(jwt("i", null, null, "ftp://i/keys", null, null)), null, null, null)),
                        "spec.jwtRules[0].jwksUri",
                        "URI scheme \"ftp\" is not supported"),
                Arguments.of(
                        res(
                                "RequestAuthentication",
                                new RequestAuthentication(
                                        List.of(jwt(
                                                "i",
                                                null,
                                                null,
                                                null,
                                                List.of(new ClaimToHeader("sub", "x bad")),
                                                null)),
                                        null,
                                        null,
                                        null)),
                        "spec.jwtRules[0].outputClaimToHeaders[0].header",
                        "header name x bad is not a valid header name"),
                Arguments.of(
                        res(
                                "RequestAuthentication",
                                new RequestAuthentication(
                                        List.of(jwt("i", null, null, null, null, Duration.ofMillis(0))),
                                        null,
                                        null,
                                        null)),
                        "spec.jwtRules[0].timeout",
                        "duration must be greater than 1ms"),
                Arguments.of(
                        res(
                                "Telemetry",
                                new Telemetry(
                                        null,
                                        null,
                                        null,
                                        null,
                                        null,
                                        List.of(new Tracing(
                                                null,
                                                null,
                                                null,
                                                null,
                                                null,
                                                List.of(new ProviderRef("")),
                                                150.0,
                                                null)))),
                        "spec.tracing[0].randomSamplingPercentage",
                        "randomSamplingPercentage must be in range [0.0, 100.0]"),
                Arguments.of(
                        res(
                                "Telemetry",
                                new Telemetry(
                                        null,
                                        null,
                                        null,
                                        null,
                                        null,
                                        List.of(new Tracing(
                                                null,
                                                null,
                                                null,
                                                null,
                                                null,
                                                List.of(new ProviderRef("")),
                                                null,
                                                null)))),
                        "spec.tracing[0].providers[0].name",
                        "providers.name may not be empty"),
                Arguments.of(
                        res(
                                "ServiceEntry",
                                new ServiceEntry(
                                        null,
                                        null,
                                        null,
                                        List.of("*"),
                                        null,
                                        List.of(new ServicePort("http", 80, "HTTP", null)),
                                        ServiceEntry.Resolution.NONE,
                                        null,
                                        null)),
                        "spec.hosts[0]",
                        "invalid host *"),
                Arguments.of(
                        res(
                                "ServiceEntry",
                                new ServiceEntry(
                                        null,
                                        null,
                                        null,
                                        List.of("a.example.com"),
                                        null,
                                        List.of(
                                                new ServicePort("http", 80, "HTTP", null),
                                                new ServicePort("http", 80, "HTTP", null)),
                                        ServiceEntry.Resolution.DNS,
                                        null,
                                        null)),
                        "spec.ports[1].number",
                        "service entry port 80 already defined"),
                Arguments.of(
                        res(
                                "ServiceEntry",
                                new ServiceEntry(
                                        List.of("10.0.0.0/16"),
                                        null,
                                        null,
                                        List.of("a.example.com"),
                                        null,
                                        List.of(new ServicePort("tcp", 9000, "TCP", null)),
                                        ServiceEntry.Resolution.DNS,
                                        null,
                                        null)),
                        "spec.addresses",
                        "CIDR addresses are allowed only for NONE/STATIC resolution types"));
    }

    @ParameterizedTest(name = "{1}: {2}")
    @MethodSource("cases")
    void ruleRejects(Resource<?> resource, String path, String message) {
        assertThat(ConfigValidator.standard().validate(resource))
                .filteredOn(d -> d.severity() == Severity.ERROR)
                .anySatisfy(d -> {
                    assertThat(d.fieldPath()).isEqualTo(path);
                    assertThat(d.message()).contains(message);
                });
    }
}
