package dev.trellis.control.config;

import dev.trellis.api.model.networking.ClientTLSSettings;
import dev.trellis.control.networking.Envoy;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.ApiConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.GrpcService;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.core.v3.UpstreamHttpProtocolOptions;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsParameters;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.ArrayList;
import java.util.List;

/**
 * A DestinationRule's {@code tls} as the cluster's {@code transport_socket}, built as Istio's cluster builder does:
 *
 * <ul>
 *   <li>{@code DISABLE}: no transport socket (plaintext), which also undoes a top-level setting at port level.
 *   <li>{@code ISTIO_MUTUAL}: the workload certificate {@code default} and the trust bundle {@code ROOTCA} from SDS,
 *       the subject alt names given, else the SPIFFE ids of the service's endpoints; SNI as given, else
 *       {@code outbound_.<port>_.<subset>_.<host>}; ALPN {@code istio-peer-exchange, istio} (plus {@code h2} for HTTP/2
 *       clusters).
 *   <li>{@code SIMPLE} / {@code MUTUAL}: certificate files served over SDS as Istio names them ({@code file-root:<ca>},
 *       {@code file-root:system} without {@code caCertificates}, {@code file-cert:<cert>~<key>}); no validation with
 *       {@code insecureSkipVerify}; SANs matched exactly (the ServiceEntry's {@code subjectAltNames} when the rule
 *       gives none); {@code caCrl}; {@code h2} ALPN for HTTP/2 clusters; without an
 *       explicit {@code sni} the HTTP upstream options get {@code auto_sni} (and {@code auto_san_validation} when no SANs
 *       are given either).
 *   <li>Proxyless gRPC clients get ISTIO_MUTUAL through their certificate provider instance, and no TLS for other
 *       modes (see {@link #proxylessMutual}).
 *   <li>{@code credentialName} (a Kubernetes secret) is not supported: like Istio for a sidecar, the cluster gets no
 *       TLS, and the config error list says so. {@code MUTUAL} without a client certificate and key gets no TLS either
 *       (Istio logs the same error).
 * </ul>
 *
 * <p>SDS secrets come from the proxy's agent over the bootstrap cluster {@code sds-grpc}, as in Istio: the agent holds
 * the workload's key, so the control plane never serves it.
 */
public final class UpstreamTls {

    public static final String TLS_SOCKET = "envoy.transport_sockets.tls";
    /** The bootstrap cluster of the agent's SDS server (Istio's name). */
    public static final String SDS_CLUSTER = "sds-grpc";

    public static final String WORKLOAD_CERT = "default";
    public static final String ROOT_CA = "ROOTCA";

    static final List<String> ALPN_IN_MESH = List.of("istio-peer-exchange", "istio");
    static final List<String> ALPN_IN_MESH_H2 = List.of("istio-peer-exchange", "istio", "h2");

    /**
     * What the TLS context needs to know about the cluster it is built for.
     *
     * @param sni Istio's SNI for the cluster, {@code outbound_.<port>_.<subset>_.<host>}
     * @param serviceAccounts the SPIFFE ids of the service's endpoints, the default SANs for ISTIO_MUTUAL
     * @param http whether the port carries HTTP (auto SNI lives in the HTTP upstream options)
     * @param proxyless whether the cluster is for a proxyless gRPC client, which reads certificates from its
     *     certificate provider instead of SDS
     * @param declaredSans the identities the ServiceEntry declares ({@code subjectAltNames}), the default SANs for
     *     SIMPLE and MUTUAL
     */
    public record Context(
            String sni, List<String> serviceAccounts, boolean http, boolean proxyless, List<String> declaredSans) {
        public Context {
            serviceAccounts = List.copyOf(serviceAccounts);
            declaredSans = List.copyOf(declaredSans);
        }

        public Context(String sni, List<String> serviceAccounts, boolean http) {
            this(sni, serviceAccounts, http, false, List.of());
        }
    }

    /** The certificate provider instance Istio's gRPC bootstrap names, holding {@code default} and {@code ROOTCA}. */
    public static final String GRPC_PROVIDER_INSTANCE = "default";

    private UpstreamTls() {}

    /** Istio's SNI for a cluster: {@code outbound_.9080_.v1_.reviews.default.svc.cluster.local}. */
    public static String sni(int port, String subset, String host) {
        return "outbound_." + port + "_." + subset + "_." + host;
    }

    /** The cluster with the TLS settings applied; unchanged when they mean plaintext or cannot be applied. */
    static Cluster apply(Cluster base, ClientTLSSettings t, Context ctx) {
        if (!problems(t).isEmpty()) {
            return base;
        }
        ClientTLSSettings.TLSmode mode = t.mode() == null ? ClientTLSSettings.TLSmode.DISABLE : t.mode();
        boolean http2 = http2(base);
        UpstreamTlsContext.Builder u = UpstreamTlsContext.newBuilder();
        CommonTlsContext.Builder common = CommonTlsContext.newBuilder()
                .setTlsParams(TlsParameters.newBuilder()
                        .setTlsMinimumProtocolVersion(TlsParameters.TlsProtocol.TLSv1_2)
                        .setTlsMaximumProtocolVersion(TlsParameters.TlsProtocol.TLSv1_3));
        Cluster.Builder c = base.toBuilder();
        if (ctx.proxyless()) {
            return mode == ClientTLSSettings.TLSmode.ISTIO_MUTUAL ? proxylessMutual(base, t, ctx) : base;
        }
        switch (mode) {
            case DISABLE -> {
                return base;
            }
            case ISTIO_MUTUAL -> {
                common.addTlsCertificateSdsSecretConfigs(sds(WORKLOAD_CERT));
                List<String> sans = t.subjectAltNames() != null ? t.subjectAltNames() : ctx.serviceAccounts();
                common.setCombinedValidationContext(CommonTlsContext.CombinedCertificateValidationContext.newBuilder()
                        .setDefaultValidationContext(exactSans(sans))
                        .setValidationContextSdsSecretConfig(sds(ROOT_CA)));
                common.addAllAlpnProtocols(http2 ? ALPN_IN_MESH_H2 : ALPN_IN_MESH);
                u.setSni(t.sni() != null && !t.sni().isEmpty() ? t.sni() : ctx.sni());
            }
            case SIMPLE, MUTUAL -> {
                String sni = t.sni() == null ? "" : t.sni();
                u.setSni(sni);
                if (mode == ClientTLSSettings.TLSmode.MUTUAL) {
                    common.addTlsCertificateSdsSecretConfigs(
                            sds("file-cert:" + t.clientCertificate() + "~" + t.privateKey()));
                }
                // Istio: without SANs of their own, SIMPLE and MUTUAL check what the ServiceEntry declares.
                List<String> sans =
                        !t.subjectAltNamesOrDefault().isEmpty() ? t.subjectAltNamesOrDefault() : ctx.declaredSans();
                if (t.insecureSkipVerifyOrDefault()) {
                    common.setValidationContext(CertificateValidationContext.getDefaultInstance());
                } else {
                    CertificateValidationContext.Builder v = exactSans(sans).toBuilder();
                    if (t.caCrl() != null && !t.caCrl().isEmpty()) {
                        v.setCrl(DataSource.newBuilder().setFilename(t.caCrl()));
                    }
                    String ca =
                            t.caCertificates() == null || t.caCertificates().isEmpty() ? "system" : t.caCertificates();
                    common.setCombinedValidationContext(
                            CommonTlsContext.CombinedCertificateValidationContext.newBuilder()
                                    .setDefaultValidationContext(v)
                                    .setValidationContextSdsSecretConfig(sds("file-root:" + ca)));
                }
                if (http2) {
                    common.addAlpnProtocols("h2");
                }
                if (ctx.http() && sni.isEmpty()) {
                    boolean autoSan = sans.isEmpty() && !t.insecureSkipVerifyOrDefault();
                    autoSni(c, autoSan);
                }
            }
        }
        u.setCommonTlsContext(common);
        c.setTransportSocket(TransportSocket.newBuilder().setName(TLS_SOCKET).setTypedConfig(Envoy.any(u.build())));
        return c.build();
    }

    /**
     * ISTIO_MUTUAL for a proxyless gRPC client, as Istio's gRPC generator builds it: grpc-java accepts no SDS, so the
     * workload certificate and root come from the bootstrap's certificate provider instance {@code default}
     * (certificate names {@code default} and {@code ROOTCA}). grpc-java supports no other TLS mode from a
     * DestinationRule; SIMPLE and MUTUAL leave its clusters plaintext.
     */
    private static Cluster proxylessMutual(Cluster base, ClientTLSSettings t, Context ctx) {
        List<String> sans = t.subjectAltNames() != null ? t.subjectAltNames() : ctx.serviceAccounts();
        CommonTlsContext.Builder common = CommonTlsContext.newBuilder()
                .setTlsCertificateProviderInstance(
                        io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateProviderPluginInstance
                                .newBuilder()
                                .setInstanceName(GRPC_PROVIDER_INSTANCE)
                                .setCertificateName(WORKLOAD_CERT))
                .setCombinedValidationContext(CommonTlsContext.CombinedCertificateValidationContext.newBuilder()
                        .setDefaultValidationContext(exactSans(sans).toBuilder()
                                .setCaCertificateProviderInstance(io.envoyproxy.envoy.extensions.transport_sockets.tls
                                        .v3.CertificateProviderPluginInstance.newBuilder()
                                        .setInstanceName(GRPC_PROVIDER_INSTANCE)
                                        .setCertificateName(ROOT_CA))));
        UpstreamTlsContext u = UpstreamTlsContext.newBuilder()
                .setCommonTlsContext(common)
                .setSni(t.sni() != null && !t.sni().isEmpty() ? t.sni() : ctx.sni())
                .build();
        return base.toBuilder()
                .setTransportSocket(
                        TransportSocket.newBuilder().setName(TLS_SOCKET).setTypedConfig(Envoy.any(u)))
                .build();
    }

    /** Why these settings cannot be applied (the cluster then gets no TLS, as in Istio); empty when they can. */
    static List<String> problems(ClientTLSSettings t) {
        List<String> out = new ArrayList<>();
        ClientTLSSettings.TLSmode mode = t.mode() == null ? ClientTLSSettings.TLSmode.DISABLE : t.mode();
        boolean files = mode == ClientTLSSettings.TLSmode.SIMPLE || mode == ClientTLSSettings.TLSmode.MUTUAL;
        if (files && t.credentialName() != null && !t.credentialName().isEmpty()) {
            out.add("credentialName '" + t.credentialName() + "' (a Kubernetes secret) is not supported yet;"
                    + " the cluster is built without TLS, as Istio does for sidecars");
        } else if (mode == ClientTLSSettings.TLSmode.MUTUAL
                && (isEmpty(t.clientCertificate()) || isEmpty(t.privateKey()))) {
            out.add("MUTUAL needs clientCertificate and privateKey; the cluster is built without TLS");
        }
        return out;
    }

    private static boolean isEmpty(String s) {
        return s == null || s.isEmpty();
    }

    /** An SDS reference to the agent's secret server, as Istio's {@code ConstructSdsSecretConfig}. */
    public static SdsSecretConfig sds(String name) {
        return SdsSecretConfig.newBuilder()
                .setName(name)
                .setSdsConfig(ConfigSource.newBuilder()
                        .setApiConfigSource(ApiConfigSource.newBuilder()
                                .setApiType(ApiConfigSource.ApiType.GRPC)
                                .setSetNodeOnFirstMessageOnly(true)
                                .setTransportApiVersion(ApiVersion.V3)
                                .addGrpcServices(GrpcService.newBuilder()
                                        .setEnvoyGrpc(GrpcService.EnvoyGrpc.newBuilder()
                                                .setClusterName(SDS_CLUSTER))))
                        .setResourceApiVersion(ApiVersion.V3))
                .build();
    }

    private static CertificateValidationContext exactSans(List<String> sans) {
        CertificateValidationContext.Builder v = CertificateValidationContext.newBuilder();
        for (String san : sans) {
            v.addMatchSubjectAltNames(StringMatcher.newBuilder().setExact(san));
        }
        return v.build();
    }

    private static boolean http2(Cluster c) {
        HttpProtocolOptions o = httpOptions(c);
        return o != null
                && o.hasExplicitHttpConfig()
                && o.getExplicitHttpConfig().hasHttp2ProtocolOptions();
    }

    private static HttpProtocolOptions httpOptions(Cluster c) {
        var any = c.getTypedExtensionProtocolOptionsMap().get(ClusterSettings.HTTP_OPTIONS);
        if (any == null) {
            return null;
        }
        try {
            return any.unpack(HttpProtocolOptions.class);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sets SNI (and SAN validation) from the request's host, on HTTP/1.1 when the cluster had no HTTP options. */
    private static void autoSni(Cluster.Builder c, boolean autoSan) {
        HttpProtocolOptions existing = httpOptions(c.build());
        HttpProtocolOptions.Builder o = existing != null
                ? existing.toBuilder()
                : HttpProtocolOptions.newBuilder()
                        .setExplicitHttpConfig(HttpProtocolOptions.ExplicitHttpConfig.newBuilder()
                                .setHttpProtocolOptions(
                                        io.envoyproxy.envoy.config.core.v3.Http1ProtocolOptions.getDefaultInstance()));
        UpstreamHttpProtocolOptions.Builder up =
                o.getUpstreamHttpProtocolOptions().toBuilder().setAutoSni(true);
        if (autoSan) {
            up.setAutoSanValidation(true);
        }
        o.setUpstreamHttpProtocolOptions(up);
        c.putTypedExtensionProtocolOptions(ClusterSettings.HTTP_OPTIONS, Envoy.any(o.build()));
    }
}
