package dev.trellis.api.codec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.api.validation.Diagnostic;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One defect per case, each rejected with the exact message: {@code line Kind ns/name field.path: message}. The
 * table covers every kind of schema rule: unknown fields, types, enums, required fields, oneofs, durations, bounds,
 * lengths, patterns, list sizes and keys, and each family of the CRDs' CEL rules.
 */
class InvalidConfigTest {

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(
                        "unknown field, with a suggestion",
                        vs("""
                                  hosts: [reviews]
                                  htpp:
                                  - route:
                                    - destination: {host: reviews}
                                """),
                        "8 VirtualService bookinfo/reviews spec.htpp: unknown field \"htpp\" (did you mean \"http\"?)"),
                Arguments.of(
                        "unknown nested field, listing the known ones",
                        vs("""
                                  hosts: [reviews]
                                  http:
                                  - route:
                                    - destination: {host: reviews, zone: a}
                                """),
                        "10 VirtualService bookinfo/reviews spec.http[0].route[0].destination.zone: unknown field"
                                + " \"zone\" (known fields: host, port, subset)"),
                Arguments.of(
                        "unknown top-level field",
                        """
                        apiVersion: networking.istio.io/v1
                        kind: Gateway
                        metadata: {name: gw, namespace: bookinfo}
                        spce: {}
                        """,
                        "4 Gateway bookinfo/gw spce: unknown field \"spce\" (a resource has apiVersion, kind,"
                                + " metadata, spec and status)"),
                Arguments.of(
                        "string expected",
                        vs("""
                                  hosts: [8080]
                                """),
                        "7 VirtualService bookinfo/reviews spec.hosts[0]: expected a string, got a number (8080)"
                                + " (quote it to make it a string)"),
                Arguments.of(
                        "integer expected",
                        vs("""
                                  hosts: [reviews]
                                  http:
                                  - route:
                                    - destination: {host: reviews}
                                      weight: "50"
                                """),
                        "11 VirtualService bookinfo/reviews spec.http[0].route[0].weight: expected an integer, got a"
                                + " string (\"50\")"),
                Arguments.of(
                        "boolean expected",
                        dr("""
                                  host: reviews
                                  trafficPolicy:
                                    tls: {mode: SIMPLE, insecureSkipVerify: "yes"}
                                """),
                        "9 DestinationRule bookinfo/reviews spec.trafficPolicy.tls.insecureSkipVerify: expected true"
                                + " or false, got a string (\"yes\")"),
                Arguments.of(
                        "list expected",
                        vs("""
                                  hosts: reviews
                                """),
                        "7 VirtualService bookinfo/reviews spec.hosts: expected a list, got a string (\"reviews\")"),
                Arguments.of(
                        "object expected",
                        dr("""
                                  host: reviews
                                  trafficPolicy: ISTIO_MUTUAL
                                """),
                        "8 DestinationRule bookinfo/reviews spec.trafficPolicy: expected an object, got a string"
                                + " (\"ISTIO_MUTUAL\")"),
                Arguments.of(
                        "enum value",
                        dr("""
                                  host: reviews
                                  trafficPolicy:
                                    loadBalancer: {simple: ROUND_ROBBIN}
                                """),
                        "9 DestinationRule bookinfo/reviews spec.trafficPolicy.loadBalancer.simple: invalid value"
                                + " \"ROUND_ROBBIN\"; expected one of UNSPECIFIED, LEAST_CONN, RANDOM, PASSTHROUGH,"
                                + " ROUND_ROBIN, LEAST_REQUEST"),
                Arguments.of(
                        "required field",
                        dr("""
                                  subsets:
                                  - name: v1
                                    labels: {version: v1}
                                """),
                        "6 DestinationRule bookinfo/reviews spec.host: required field \"host\" is missing"),
                Arguments.of(
                        "required field in a list entry",
                        vs("""
                                  hosts: [reviews]
                                  http:
                                  - route:
                                    - weight: 100
                                """),
                        "10 VirtualService bookinfo/reviews spec.http[0].route[0].destination: required field"
                                + " \"destination\" is missing"),
                Arguments.of(
                        "required spec", """
                        apiVersion: networking.istio.io/v1
                        kind: ServiceEntry
                        metadata: {name: ext, namespace: bookinfo}
                        """, "1 ServiceEntry bookinfo/ext spec: required field \"spec\" is missing"),
                Arguments.of(
                        "oneof: exact and prefix",
                        vs("""
                                  hosts: [reviews]
                                  http:
                                  - match:
                                    - uri: {exact: /a, prefix: /b}
                                    route:
                                    - destination: {host: reviews}
                                """),
                        "10 VirtualService bookinfo/reviews spec.http[0].match[0].uri: only one of exact, prefix,"
                                + " regex may be set, found exact and prefix"),
                Arguments.of(
                        "invalid duration",
                        vs("""
                                  hosts: [reviews]
                                  http:
                                  - timeout: 10 seconds
                                    route:
                                    - destination: {host: reviews}
                                """),
                        "9 VirtualService bookinfo/reviews spec.http[0].timeout: invalid duration \"10 seconds\":"
                                + " expected a number with a unit, e.g. \"1.5s\", \"100ms\", \"1h\""),
                Arguments.of(
                        "duration below 1ms (CEL)",
                        vs("""
                                  hosts: [reviews]
                                  http:
                                  - timeout: 500us
                                    route:
                                    - destination: {host: reviews}
                                """),
                        "9 VirtualService bookinfo/reviews spec.http[0].timeout: must be a valid duration greater"
                                + " than 1ms"),
                Arguments.of(
                        "maximum",
                        dr("""
                                  host: reviews
                                  trafficPolicy:
                                    outlierDetection:
                                      outlierDetectionHttpErrorCodes: [503, 600]
                                """),
                        "10 DestinationRule bookinfo/reviews"
                                + " spec.trafficPolicy.outlierDetection.outlierDetectionHttpErrorCodes[1]: must be at"
                                + " most 599, got 600"),
                Arguments.of(
                        "minimum",
                        se("""
                                  hosts: [api.example.com]
                                  resolution: DNS
                                  ports:
                                  - {number: 443, name: https, protocol: TLS, targetPort: -1}
                                """),
                        "10 ServiceEntry bookinfo/ext spec.ports[0].targetPort: must be at least 0, got -1"),
                Arguments.of(
                        "integer too large",
                        se("""
                                  hosts: [api.example.com]
                                  ports:
                                  - {number: 99999999999999999999999, name: https}
                                """),
                        "9 ServiceEntry bookinfo/ext spec.ports[0].number: the number 99999999999999999999999 is too"
                                + " large"),
                Arguments.of(
                        "maxLength",
                        """
                        apiVersion: security.istio.io/v1
                        kind: AuthorizationPolicy
                        metadata: {name: ap, namespace: bookinfo}
                        spec:
                          selector:
                            matchLabels: {app: %s}
                        """.formatted("a".repeat(64)),
                        "6 AuthorizationPolicy bookinfo/ap spec.selector.matchLabels.app: must be at most 63"
                                + " characters long, is 64"),
                Arguments.of(
                        "minLength",
                        """
                        apiVersion: security.istio.io/v1
                        kind: RequestAuthentication
                        metadata: {name: ra, namespace: bookinfo}
                        spec:
                          jwtRules:
                          - issuer: ""
                        """,
                        "6 RequestAuthentication bookinfo/ra spec.jwtRules[0].issuer: must not be empty"),
                Arguments.of(
                        "pattern",
                        """
                        apiVersion: security.istio.io/v1
                        kind: RequestAuthentication
                        metadata: {name: ra, namespace: bookinfo}
                        spec:
                          jwtRules:
                          - issuer: https://issuer.example.com
                            outputClaimToHeaders:
                            - {header: "x user", claim: sub}
                        """,
                        "8 RequestAuthentication bookinfo/ra spec.jwtRules[0].outputClaimToHeaders[0].header: invalid"
                                + " value \"x user\": must match ^[-_A-Za-z0-9]+$"),
                Arguments.of(
                        "maxItems",
                        """
                        apiVersion: networking.istio.io/v1
                        kind: Gateway
                        metadata: {name: gw, namespace: bookinfo}
                        spec:
                          servers:
                          - port: {number: 443, name: https, protocol: HTTPS}
                            hosts: ["*"]
                            tls: {mode: SIMPLE, credentialNames: [a, b, c]}
                        """,
                        "8 Gateway bookinfo/gw spec.servers[0].tls.credentialNames: must have at most 2 entries, has"
                                + " 3"),
                Arguments.of(
                        "base64 bytes",
                        vs("""
                                  hosts: [reviews]
                                  http:
                                  - directResponse:
                                      status: 200
                                      body: {bytes: "not base64!"}
                                """),
                        "11 VirtualService bookinfo/reviews spec.http[0].directResponse.body.bytes: must be"
                                + " base64-encoded bytes"),
                Arguments.of(
                        "CEL: port range",
                        se("""
                                  hosts: [api.example.com]
                                  ports:
                                  - {number: 70000, name: https}
                                """),
                        "9 ServiceEntry bookinfo/ext spec.ports[0].number: port must be between 1-65535"),
                Arguments.of(
                        "CEL: duplicate port numbers",
                        se("""
                                  hosts: [api.example.com]
                                  ports:
                                  - {number: 443, name: https}
                                  - {number: 443, name: tls}
                                """),
                        "8 ServiceEntry bookinfo/ext spec.ports: port number cannot be duplicated"),
                Arguments.of(
                        "list-map: duplicate port names",
                        se("""
                                  hosts: [api.example.com]
                                  ports:
                                  - {number: 443, name: https}
                                  - {number: 8443, name: https}
                                """),
                        "10 ServiceEntry bookinfo/ext spec.ports[1]: duplicate entry: name https is already listed"),
                Arguments.of(
                        "CEL: NONE resolution with endpoints",
                        se("""
                                  hosts: [api.example.com]
                                  resolution: NONE
                                  endpoints:
                                  - address: 10.0.0.1
                                """),
                        "6 ServiceEntry bookinfo/ext spec: NONE mode cannot set endpoints"),
                Arguments.of(
                        "CEL: wildcard host",
                        se("""
                                  hosts: ["*"]
                                """),
                        "7 ServiceEntry bookinfo/ext spec.hosts[0]: hostname cannot be wildcard"),
                Arguments.of(
                        "CEL: workload entry needs address or network",
                        """
                        apiVersion: networking.istio.io/v1
                        kind: WorkloadEntry
                        metadata: {name: vm, namespace: bookinfo}
                        spec:
                          labels: {app: ratings}
                        """,
                        "4 WorkloadEntry bookinfo/vm spec: Address is required"),
                Arguments.of(
                        "CEL: unix socket with ports",
                        """
                        apiVersion: networking.istio.io/v1
                        kind: WorkloadEntry
                        metadata: {name: vm, namespace: bookinfo}
                        spec:
                          address: unix:///var/run/app.sock
                          ports: {http: 8080}
                        """,
                        "4 WorkloadEntry bookinfo/vm spec: UDS may not include ports"),
                Arguments.of(
                        "CEL: invalid port name",
                        """
                        apiVersion: networking.istio.io/v1
                        kind: WorkloadEntry
                        metadata: {name: vm, namespace: bookinfo}
                        spec:
                          address: 10.0.0.9
                          ports: {"http_x": 8080}
                        """,
                        "6 WorkloadEntry bookinfo/vm spec.ports: port name must be valid"),
                Arguments.of(
                        "CEL: wildcard in selector label",
                        """
                        apiVersion: security.istio.io/v1
                        kind: PeerAuthentication
                        metadata: {name: pa, namespace: bookinfo}
                        spec:
                          selector:
                            matchLabels: {app: "review*"}
                        """,
                        "6 PeerAuthentication bookinfo/pa spec.selector.matchLabels.app: wildcard not allowed in label"
                                + " value match"),
                Arguments.of(
                        "CEL: portLevelMtls requires a selector",
                        """
                        apiVersion: security.istio.io/v1
                        kind: PeerAuthentication
                        metadata: {name: pa, namespace: bookinfo}
                        spec:
                          portLevelMtls:
                            8080: {mode: DISABLE}
                        """,
                        "4 PeerAuthentication bookinfo/pa spec: portLevelMtls requires selector"),
                Arguments.of(
                        "CEL: portLevelMtls port keys",
                        """
                        apiVersion: security.istio.io/v1
                        kind: PeerAuthentication
                        metadata: {name: pa, namespace: bookinfo}
                        spec:
                          selector: {matchLabels: {app: reviews}}
                          portLevelMtls:
                            "http": {mode: DISABLE}
                        """,
                        "6 PeerAuthentication bookinfo/pa spec.portLevelMtls: port must be between 1-65535"),
                Arguments.of(
                        "CEL: at most one of selector, targetRef, targetRefs",
                        """
                        apiVersion: security.istio.io/v1
                        kind: AuthorizationPolicy
                        metadata: {name: ap, namespace: bookinfo}
                        spec:
                          selector: {matchLabels: {app: reviews}}
                          targetRef: {kind: Gateway, group: gateway.networking.k8s.io, name: gw}
                        """,
                        "4 AuthorizationPolicy bookinfo/ap spec: only one of targetRefs or selector can be set (found"
                                + " selector and targetRef)"),
                Arguments.of(
                        "CEL: cross-namespace target reference",
                        """
                        apiVersion: telemetry.istio.io/v1
                        kind: Telemetry
                        metadata: {name: t, namespace: bookinfo}
                        spec:
                          targetRef: {kind: Gateway, group: gateway.networking.k8s.io, name: gw, namespace: other}
                        """,
                        "5 Telemetry bookinfo/t spec.targetRef.namespace: cross namespace referencing is not currently"
                                + " supported"),
                Arguments.of(
                        "CEL: serviceAccounts with principals",
                        """
                        apiVersion: security.istio.io/v1
                        kind: AuthorizationPolicy
                        metadata: {name: ap, namespace: bookinfo}
                        spec:
                          rules:
                          - from:
                            - source:
                                serviceAccounts: [bookinfo/productpage]
                                principals: [cluster.local/ns/bookinfo/sa/productpage]
                        """,
                        "7 AuthorizationPolicy bookinfo/ap spec.rules[0].from[0].source: Cannot set serviceAccounts"
                                + " with namespaces or principals"),
                Arguments.of(
                        "CEL: jwksUri scheme",
                        """
                        apiVersion: security.istio.io/v1
                        kind: RequestAuthentication
                        metadata: {name: ra, namespace: bookinfo}
                        spec:
                          jwtRules:
                          - issuer: https://issuer.example.com
                            jwksUri: ftp://issuer.example.com/keys
                        """,
                        "7 RequestAuthentication bookinfo/ra spec.jwtRules[0].jwksUri: url must have scheme http:// or"
                                + " https://"),
                Arguments.of(
                        "CEL: tag override UPSERT without value",
                        """
                        apiVersion: telemetry.istio.io/v1
                        kind: Telemetry
                        metadata: {name: t, namespace: bookinfo}
                        spec:
                          metrics:
                          - overrides:
                            - tagOverrides:
                                request_protocol: {operation: UPSERT}
                        """,
                        "8 Telemetry bookinfo/t spec.metrics[0].overrides[0].tagOverrides.request_protocol: value must"
                                + " be set when operation is UPSERT"),
                Arguments.of(
                        "CEL: probe scheme",
                        """
                        apiVersion: networking.istio.io/v1
                        kind: WorkloadGroup
                        metadata: {name: wg, namespace: bookinfo}
                        spec:
                          template: {serviceAccount: ratings}
                          probe:
                            httpGet: {port: 8080, scheme: FTP}
                        """,
                        "7 WorkloadGroup bookinfo/wg spec.probe.httpGet.scheme: scheme must be one of [HTTP, HTTPS]"),
                Arguments.of(
                        "duplicate key",
                        vs("""
                                  hosts: [reviews]
                                  hosts: [ratings]
                                """),
                        "8 VirtualService bookinfo/reviews spec.hosts: field \"hosts\" is set more than once"),
                Arguments.of(
                        "null list entry",
                        vs("""
                                  hosts:
                                  -
                                """),
                        "8 VirtualService bookinfo/reviews spec.hosts[0]: list entries must not be null"),
                Arguments.of(
                        "unsupported apiVersion",
                        """
                        apiVersion: networking.istio.io/v2
                        kind: VirtualService
                        metadata: {name: reviews, namespace: bookinfo}
                        spec: {}
                        """,
                        "1 VirtualService bookinfo/reviews apiVersion: unsupported apiVersion"
                                + " \"networking.istio.io/v2\" for VirtualService; expected networking.istio.io/v1 or"
                                + " networking.istio.io/v1alpha3 or networking.istio.io/v1beta1"),
                Arguments.of(
                        "missing name",
                        """
                        apiVersion: networking.istio.io/v1
                        kind: VirtualService
                        metadata: {namespace: bookinfo}
                        spec: {hosts: [reviews]}
                        """,
                        "3 VirtualService bookinfo/(unnamed) metadata.name: required field \"name\" is missing"),
                Arguments.of(
                        "a model kind spelled in the wrong case",
                        """
                        apiVersion: networking.istio.io/v1
                        kind: Virtualservice
                        metadata: {name: reviews, namespace: bookinfo}
                        spec: {}
                        """,
                        "2 Virtualservice bookinfo/reviews kind: unknown kind \"Virtualservice\" in"
                                + " networking.istio.io; did you mean VirtualService?"),
                Arguments.of("missing kind", """
                        apiVersion: v1
                        metadata: {name: x}
                        """, "1 kind: missing kind"),
                Arguments.of(
                        "a document that is not an object",
                        """
                        - just
                        - a list
                        """,
                        "1: a document must be an object with apiVersion and kind, got a list"),
                Arguments.of(
                        "Kubernetes kind: wrong type (unknown fields are fine)",
                        """
                        apiVersion: v1
                        kind: Service
                        metadata: {name: reviews, namespace: bookinfo}
                        spec:
                          sessionAffinity: None
                          ports:
                          - {name: http, port: "9080"}
                        """,
                        "7 Service bookinfo/reviews spec.ports[0].port: expected an integer, got a string"
                                + " (\"9080\")"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rejectsWithTheExpectedMessage(String name, String yaml, String expected) {
        LoadResult result = ConfigLoader.loadString("in.yaml", yaml);

        assertThat(result.failures()).isEmpty();
        assertThat(result.diagnostics()).map(InvalidConfigTest::withoutFile).containsExactly(expected);
        assertThat(result.resources()).isEmpty();
        assertThat(result.rejected()).isEqualTo(1);
    }

    private static String withoutFile(Diagnostic d) {
        String s = d.format();
        return s.startsWith("in.yaml:") ? s.substring("in.yaml:".length()) : s;
    }

    private static String vs(String spec) {
        return """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata:
                  name: reviews
                  namespace: bookinfo
                spec:
                """ + spec;
    }

    private static String dr(String spec) {
        return """
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata:
                  name: reviews
                  namespace: bookinfo
                spec:
                """ + spec;
    }

    private static String se(String spec) {
        return """
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata:
                  name: ext
                  namespace: bookinfo
                spec:
                """ + spec;
    }
}
