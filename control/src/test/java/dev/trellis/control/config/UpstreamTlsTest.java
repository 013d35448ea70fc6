package dev.trellis.control.config;

import static dev.trellis.control.config.IstioRoutingTest.CLIENT;
import static dev.trellis.control.config.IstioRoutingTest.push;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.control.model.Service;
import dev.trellis.control.networking.cluster.ClusterBuilder;
import dev.trellis.control.push.PushContext;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** DestinationRule {@code trafficPolicy.tls} as the clusters' upstream TLS contexts, checked against Istio's shapes. */
class UpstreamTlsTest {

    /** A second HTTP/2 service whose endpoints carry service accounts, for the ISTIO_MUTUAL SAN default. */
    static final String GRPC_SERVICE = """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: echo, namespace: apps}
            spec:
              hosts: [echo.apps.svc.cluster.local]
              location: MESH_INTERNAL
              resolution: STATIC
              ports: [{number: 7070, name: grpc, protocol: GRPC}, {number: 9443, name: tcp, protocol: TCP}]
              endpoints:
              - {address: 10.0.5.1, serviceAccount: echo}
              - {address: 10.0.5.2, serviceAccount: echo-canary}
              - {address: 10.0.5.3, serviceAccount: echo}
            ---
            """;

    static String dr(String host, String trafficPolicy) {
        return GRPC_SERVICE + """
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: tls, namespace: default}
                spec:
                  host: %s
                  trafficPolicy:
                %s
                  subsets:
                  - name: v1
                    labels: {version: v1}
                """.formatted(host, trafficPolicy.indent(4).stripTrailing());
    }

    static List<Cluster> clusters(PushContext push, String host, int port) {
        Service s = push.service(host);
        return new ClusterBuilder(push.routing().clusterPolicy())
                .outboundClusters(CLIENT, push, s, s.port(port).orElseThrow());
    }

    static UpstreamTlsContext tls(Cluster c) throws Exception {
        assertThat(c.hasTransportSocket())
                .as("%s has a transport socket", c.getName())
                .isTrue();
        assertThat(c.getTransportSocket().getName()).isEqualTo("envoy.transport_sockets.tls");
        return c.getTransportSocket().getTypedConfig().unpack(UpstreamTlsContext.class);
    }

    static List<String> exact(List<StringMatcher> m) {
        return m.stream().map(StringMatcher::getExact).toList();
    }

    @Test
    void istioMutualUsesSdsSecretsIstioSniAndTheEndpointsIdentities() throws Exception {
        PushContext push = push(dr("echo.apps.svc.cluster.local", "tls: {mode: ISTIO_MUTUAL}"));
        assertThat(push.errors()).isEmpty();
        List<Cluster> cs = clusters(push, "echo.apps.svc.cluster.local", 7070);
        UpstreamTlsContext base = tls(cs.get(0));
        assertThat(base.getSni()).isEqualTo("outbound_.7070_._.echo.apps.svc.cluster.local");
        assertThat(tls(cs.get(1)).getSni()).isEqualTo("outbound_.7070_.v1_.echo.apps.svc.cluster.local");
        CommonTlsContext common = base.getCommonTlsContext();
        assertThat(common.getTlsCertificateSdsSecretConfigsList())
                .extracting(SdsSecretConfig::getName)
                .containsExactly("default");
        var combined = common.getCombinedValidationContext();
        assertThat(combined.getValidationContextSdsSecretConfig().getName()).isEqualTo("ROOTCA");
        assertThat(exact(combined.getDefaultValidationContext().getMatchSubjectAltNamesList()))
                .containsExactly(
                        "spiffe://cluster.local/ns/apps/sa/echo", "spiffe://cluster.local/ns/apps/sa/echo-canary");
        // GRPC is HTTP/2: h2 joins Istio's in-mesh ALPN.
        assertThat(common.getAlpnProtocolsList()).containsExactly("istio-peer-exchange", "istio", "h2");
        var sds = combined.getValidationContextSdsSecretConfig().getSdsConfig();
        assertThat(sds.getApiConfigSource().getGrpcServices(0).getEnvoyGrpc().getClusterName())
                .isEqualTo("sds-grpc");
        assertThat(common.getTlsParams().getTlsMinimumProtocolVersion().name()).isEqualTo("TLSv1_2");
        assertThat(common.getTlsParams().getTlsMaximumProtocolVersion().name()).isEqualTo("TLSv1_3");

        UpstreamTlsContext tcp =
                tls(clusters(push, "echo.apps.svc.cluster.local", 9443).getFirst());
        assertThat(tcp.getCommonTlsContext().getAlpnProtocolsList()).containsExactly("istio-peer-exchange", "istio");
    }

    @Test
    void istioMutualWithGivenSniAndSans() throws Exception {
        PushContext push = push(dr(
                "echo.apps.svc.cluster.local",
                "tls: {mode: ISTIO_MUTUAL, sni: echo.internal, subjectAltNames: ['spiffe://x/ns/a/sa/b']}"));
        UpstreamTlsContext t =
                tls(clusters(push, "echo.apps.svc.cluster.local", 7070).getFirst());
        assertThat(t.getSni()).isEqualTo("echo.internal");
        assertThat(exact(t.getCommonTlsContext()
                        .getCombinedValidationContext()
                        .getDefaultValidationContext()
                        .getMatchSubjectAltNamesList()))
                .containsExactly("spiffe://x/ns/a/sa/b");
    }

    static Stream<Arguments> simpleAndMutual() {
        return Stream.of(
                Arguments.of(
                        "SIMPLE with CA and SANs",
                        "tls: {mode: SIMPLE, caCertificates: /etc/ca.pem, subjectAltNames: [reviews.example], sni: r.example}",
                        "r.example",
                        List.of(),
                        "file-root:/etc/ca.pem",
                        List.of("reviews.example")),
                Arguments.of(
                        "SIMPLE without CA trusts the system roots",
                        "tls: {mode: SIMPLE, sni: r.example}",
                        "r.example",
                        List.of(),
                        "file-root:system",
                        List.of()),
                Arguments.of(
                        "SIMPLE insecureSkipVerify validates nothing",
                        "tls: {mode: SIMPLE, caCertificates: /etc/ca.pem, insecureSkipVerify: true, sni: r.example}",
                        "r.example",
                        List.of(),
                        null,
                        List.of()),
                Arguments.of(
                        "MUTUAL serves the files over SDS",
                        "tls: {mode: MUTUAL, clientCertificate: /c.pem, privateKey: /k.pem, caCertificates: /ca.pem, sni: r.example}",
                        "r.example",
                        List.of("file-cert:/c.pem~/k.pem"),
                        "file-root:/ca.pem",
                        List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("simpleAndMutual")
    void simpleAndMutualAsIstio(String name, String tls, String sni, List<String> certs, String root, List<String> sans)
            throws Exception {
        PushContext push = push(dr("reviews", tls));
        assertThat(push.errors()).isEmpty();
        Cluster c = clusters(push, "reviews.default.svc.cluster.local", 9080).getFirst();
        UpstreamTlsContext t = tls(c);
        assertThat(t.getSni()).isEqualTo(sni);
        CommonTlsContext common = t.getCommonTlsContext();
        assertThat(common.getTlsCertificateSdsSecretConfigsList())
                .extracting(SdsSecretConfig::getName)
                .containsExactlyElementsOf(certs);
        if (root == null) {
            assertThat(common.hasValidationContext()).isTrue();
            assertThat(common.getValidationContext().getMatchSubjectAltNamesCount())
                    .isZero();
        } else {
            var combined = common.getCombinedValidationContext();
            assertThat(combined.getValidationContextSdsSecretConfig().getName()).isEqualTo(root);
            assertThat(exact(combined.getDefaultValidationContext().getMatchSubjectAltNamesList()))
                    .containsExactlyElementsOf(sans);
        }
        assertThat(common.getAlpnProtocolsList()).isEmpty();
    }

    @Test
    void theServiceEntrysSubjectAltNamesAreTheDefaultSans() throws Exception {
        String se = """
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: db, namespace: default}
                spec:
                  hosts: [db.example.com]
                  location: MESH_EXTERNAL
                  resolution: DNS
                  ports: [{number: 5432, name: tls, protocol: TLS}]
                  subjectAltNames: [db.example.com, 'spiffe://other/ns/db/sa/db']
                ---
                """;
        PushContext simple = push(se + """
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: db, namespace: default}
                spec:
                  host: db.example.com
                  trafficPolicy: {tls: {mode: SIMPLE, sni: db.example.com}}
                """);
        var v = tls(clusters(simple, "db.example.com", 5432).getFirst())
                .getCommonTlsContext()
                .getCombinedValidationContext()
                .getDefaultValidationContext();
        assertThat(exact(v.getMatchSubjectAltNamesList()))
                .containsExactly("db.example.com", "spiffe://other/ns/db/sa/db");
        PushContext mutual = push(se + """
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: db, namespace: default}
                spec:
                  host: db.example.com
                  trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}
                """);
        var m = tls(clusters(mutual, "db.example.com", 5432).getFirst())
                .getCommonTlsContext()
                .getCombinedValidationContext()
                .getDefaultValidationContext();
        assertThat(exact(m.getMatchSubjectAltNamesList()))
                .containsExactly("db.example.com", "spiffe://other/ns/db/sa/db");
    }

    @Test
    void simpleWithoutSniTakesItFromTheRequestHost() throws Exception {
        PushContext push = push(dr("reviews", "tls: {mode: SIMPLE}"));
        Cluster c = clusters(push, "reviews.default.svc.cluster.local", 9080).getFirst();
        assertThat(tls(c).getSni()).isEmpty();
        var opts = c.getTypedExtensionProtocolOptionsOrThrow("envoy.extensions.upstreams.http.v3.HttpProtocolOptions")
                .unpack(HttpProtocolOptions.class);
        assertThat(opts.getUpstreamHttpProtocolOptions().getAutoSni()).isTrue();
        assertThat(opts.getUpstreamHttpProtocolOptions().getAutoSanValidation()).isTrue();
        assertThat(opts.getExplicitHttpConfig().hasHttpProtocolOptions()).isTrue();
    }

    @Test
    void portLevelTlsOverridesTheTopLevelAndDisableMeansPlaintext() throws Exception {
        PushContext push = push(dr("echo.apps.svc.cluster.local", """
                tls: {mode: ISTIO_MUTUAL}
                portLevelSettings:
                - port: {number: 9443}
                  tls: {mode: DISABLE}
                - port: {number: 7070}
                  tls: {mode: SIMPLE, sni: echo.example}
                """));
        assertThat(clusters(push, "echo.apps.svc.cluster.local", 9443))
                .allSatisfy(c -> assertThat(c.hasTransportSocket()).isFalse());
        UpstreamTlsContext grpc =
                tls(clusters(push, "echo.apps.svc.cluster.local", 7070).getFirst());
        assertThat(grpc.getSni()).isEqualTo("echo.example");
        assertThat(grpc.getCommonTlsContext().getAlpnProtocolsList()).containsExactly("h2");
    }

    @Test
    void subsetTlsReplacesTheTopLevel() throws Exception {
        PushContext push = push(GRPC_SERVICE + """
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: tls, namespace: default}
                spec:
                  host: reviews
                  trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}
                  subsets:
                  - name: v1
                    labels: {version: v1}
                    trafficPolicy: {tls: {mode: DISABLE}}
                """);
        List<Cluster> cs = clusters(push, "reviews.default.svc.cluster.local", 9080);
        assertThat(cs.get(0).hasTransportSocket()).isTrue();
        assertThat(cs.get(1).getName()).contains("|v1|");
        assertThat(cs.get(1).hasTransportSocket()).isFalse();
    }

    @Test
    void proxylessGrpcClientsGetTheCertificateProviderInsteadOfSds() throws Exception {
        PushContext push = push(dr("echo.apps.svc.cluster.local", "tls: {mode: ISTIO_MUTUAL}"));
        var md = com.google.protobuf.Struct.newBuilder()
                .putFields(
                        "GENERATOR",
                        com.google.protobuf.Value.newBuilder()
                                .setStringValue("grpc")
                                .build())
                .putFields(
                        "NAMESPACE",
                        com.google.protobuf.Value.newBuilder()
                                .setStringValue("default")
                                .build())
                .build();
        var proxyless = dev.trellis.control.model.Proxy.fromNode(io.envoyproxy.envoy.config.core.v3.Node.newBuilder()
                .setId("grpc-client")
                .setMetadata(md)
                .build());
        assertThat(proxyless.proxyless()).isTrue();
        Service s = push.service("echo.apps.svc.cluster.local");
        Cluster c = new ClusterBuilder(push.routing().clusterPolicy())
                .outboundClusters(proxyless, push, s, s.port(7070).orElseThrow())
                .getFirst();
        CommonTlsContext common = tls(c).getCommonTlsContext();
        assertThat(common.getTlsCertificateSdsSecretConfigsCount()).isZero();
        assertThat(common.getTlsCertificateProviderInstance().getCertificateName())
                .isEqualTo("default");
        var v = common.getCombinedValidationContext().getDefaultValidationContext();
        assertThat(v.getCaCertificateProviderInstance().getCertificateName()).isEqualTo("ROOTCA");
        assertThat(exact(v.getMatchSubjectAltNamesList())).hasSize(2);
        assertThat(tls(c).getSni()).isEqualTo("outbound_.7070_._.echo.apps.svc.cluster.local");
    }

    @Test
    void credentialNameIsReportedAndTheClusterStaysPlaintext() {
        PushContext push = push(dr("reviews", "tls: {mode: SIMPLE, credentialName: reviews-secret}"));
        assertThat(push.errors()).anySatisfy(e -> assertThat(e)
                .contains("DestinationRule default/tls")
                .contains("spec.trafficPolicy.tls")
                .contains("credentialName 'reviews-secret'"));
        assertThat(clusters(push, "reviews.default.svc.cluster.local", 9080))
                .allSatisfy(c -> assertThat(c.hasTransportSocket()).isFalse());
    }
}
