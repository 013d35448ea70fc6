package dev.trellis.control.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ServiceModelTest {

    @ParameterizedTest(name = "{0} / appProtocol {1} -> {2}")
    @CsvSource(
            nullValues = "null",
            value = {
                "http,null,HTTP",
                "http-web,null,HTTP",
                "http2,null,HTTP2",
                "grpc,null,GRPC",
                "grpc-web,null,GRPC_WEB",
                "grpc-api,null,GRPC",
                "tcp-mysql,null,TCP",
                "tls,null,TLS",
                "https-admin,null,HTTPS",
                "mongo,null,MONGO",
                "web,null,UNSUPPORTED",
                "null,null,UNSUPPORTED",
                "web,http,HTTP",
                "tcp,grpc,GRPC",
                "HTTP,null,HTTP",
            })
    void protocolFromNameAndAppProtocol(String name, String appProtocol, Protocol expected) {
        assertThat(Protocol.of(name, appProtocol)).isEqualTo(expected);
    }

    @Test
    void domainsCoverEveryNameFormIstioAccepts() {
        Service s = Service.internal(
                "reviews.default.svc.cluster.local",
                "default",
                List.of("10.96.0.12"),
                List.of(ServicePort.named("http", 9080)));
        assertThat(s.domains("default", 9080, "cluster.local"))
                .containsExactly(
                        "reviews.default.svc.cluster.local",
                        "reviews.default.svc.cluster.local:9080",
                        "reviews",
                        "reviews:9080",
                        "reviews.default",
                        "reviews.default:9080",
                        "reviews.default.svc",
                        "reviews.default.svc:9080",
                        "10.96.0.12",
                        "10.96.0.12:9080");
        // The short name only resolves from the service's own namespace.
        assertThat(s.domains("other", 9080, "cluster.local")).doesNotContain("reviews", "reviews:9080");
        Service ext =
                Service.internal("api.example.com", "default", List.of(), List.of(ServicePort.named("https", 443)));
        assertThat(ext.domains("default", 443, "cluster.local"))
                .containsExactly("api.example.com", "api.example.com:443");
    }

    @ParameterizedTest(name = "exportTo {0}, service ns {1}, proxy ns {2} -> {3}")
    @CsvSource({"*,a,b,true", ".,a,a,true", ".,a,b,false", "b,a,b,true", "c,a,b,false"})
    void exportToVisibility(String exportTo, String serviceNs, String proxyNs, boolean visible) {
        Service s = Service.internal(
                        "s." + serviceNs + ".svc.cluster.local",
                        serviceNs,
                        List.of(),
                        List.of(ServicePort.named("http", 80)))
                .withExportTo(Set.of(exportTo));
        assertThat(s.visibleTo(proxyNs)).isEqualTo(visible);
    }

    @Test
    void invalidServicesAreRejectedWithTheReason() {
        assertThatThrownBy(() -> Service.internal("a", "ns", List.of(), List.of()))
                .hasMessageContaining("has no ports");
        assertThatThrownBy(() -> Service.internal(
                        "a", "ns", List.of(), List.of(ServicePort.named("http", 80), ServicePort.named("tcp", 80))))
                .hasMessageContaining("port 80 twice");
        assertThatThrownBy(() -> ServicePort.named("http", 70000)).hasMessageContaining("out of range");
    }

    @Test
    void endpointPortPrefersTheWorkloadsNamedPortThenTargetPort() {
        Service s = Service.internal(
                "a.ns.svc.cluster.local", "ns", List.of(), List.of(new ServicePort("http", 80, Protocol.HTTP, 8080)));
        Workload plain = Workload.of("w", "ns", "10.0.0.1", Map.of());
        assertThat(ServiceInstance.of(s, s.ports().getFirst(), plain).endpointPort())
                .isEqualTo(8080);
        assertThat(ServiceInstance.of(s, s.ports().getFirst(), plain.withPorts(Map.of("http", 9000)))
                        .endpointPort())
                .isEqualTo(9000);
    }

    @Test
    void localityAndFqdn() {
        assertThat(Locality.parse("us-east/zone-a/rack1").subZone()).isEqualTo("rack1");
        assertThat(Locality.parse("us-east").toString()).isEqualTo("us-east");
        assertThat(MeshSettings.DEFAULT.fqdn("reviews", "default")).isEqualTo("reviews.default.svc.cluster.local");
        assertThat(MeshSettings.DEFAULT.fqdn("api.example.com", "default")).isEqualTo("api.example.com");
        assertThat(MeshSettings.DEFAULT.spiffeId("default", "reviews"))
                .isEqualTo("spiffe://cluster.local/ns/default/sa/reviews");
    }
}
