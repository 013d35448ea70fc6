package dev.trellis.proxy.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trellis.proxy.config.ConfigException;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class BootstrapLoaderTest {
    @Test
    void parsesTheExampleIntoEnvoyProtos() throws Exception {
        Path p = Path.of(getClass().getResource("/bootstrap/static-http.yaml").toURI());
        Bootstrap b = BootstrapLoader.load(p);
        assertThat(b.getAdmin().getAddress().getSocketAddress().getPortValue()).isEqualTo(9901);
        var l = b.getStaticResources().getListeners(0);
        HttpConnectionManager hcm =
                l.getFilterChains(0).getFilters(0).getTypedConfig().unpack(HttpConnectionManager.class);
        assertThat(hcm.getStatPrefix()).isEqualTo("ingress_http");
        assertThat(hcm.getRouteConfig().getVirtualHosts(0).getDomainsList()).containsExactly("*");
        assertThat(b.getStaticResources().getClusters(0).getConnectTimeout().getSeconds())
                .isEqualTo(1);
    }

    @Test
    void parsesTheAdsExample() throws Exception {
        Bootstrap b = BootstrapLoader.load(
                Path.of(getClass().getResource("/bootstrap/ads.yaml").toURI()));
        assertThat(b.getDynamicResources()
                        .getAdsConfig()
                        .getGrpcServices(0)
                        .getEnvoyGrpc()
                        .getClusterName())
                .isEqualTo("xds-grpc");
        assertThat(b.getDynamicResources().getLdsConfig().hasAds()).isTrue();
    }

    @Test
    void acceptsJson() {
        Bootstrap b = BootstrapLoader.parse("""
                {"node": {"id": "n1", "cluster": "c1"},
                 "admin": {"address": {"socket_address": {"address": "127.0.0.1", "port_value": 15000}}}}""", "b.json");
        assertThat(b.getNode().getId()).isEqualTo("n1");
    }

    @Test
    void unknownFieldNamesFieldAndLine() {
        assertThatThrownBy(() -> BootstrapLoader.parse("""
                node:
                  id: n1
                static_resources:
                  clusters:
                  - name: c
                    conect_timeout: 1s
                """, "b.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("b.yaml:6")
                .hasMessageContaining("conect_timeout");
    }

    @Test
    void unsupportedExtensionIsNamed() {
        assertThatThrownBy(() -> BootstrapLoader.parse("""
                static_resources:
                  listeners:
                  - name: l
                    filter_chains:
                    - filters:
                      - name: x
                        typed_config:
                          "@type": type.googleapis.com/envoy.extensions.filters.network.redis_proxy.v3.RedisProxy
                """, "b.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("b.yaml:8")
                .hasMessageContaining("redis_proxy");
    }

    @Test
    void unsupportedBootstrapFieldIsRejected() {
        assertThatThrownBy(() -> BootstrapLoader.parse("""
                cluster_manager:
                  local_cluster_name: x
                """, "b.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("cluster_manager");
    }

    @Test
    void ignorableFieldsAreAccepted() {
        Bootstrap b = BootstrapLoader.parse("""
                layered_runtime:
                  layers:
                  - name: static
                    static_layer: {}
                """, "b.yaml");
        assertThat(b.hasLayeredRuntime()).isTrue();
    }

    @Test
    void badYamlAndMissingFile(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> BootstrapLoader.parse("a: [1, 2", "b.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("b.yaml");
        assertThatThrownBy(() -> BootstrapLoader.load(dir.resolve("nope.yaml")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("cannot read");
        Path empty = Files.writeString(dir.resolve("e.yaml"), "");
        assertThatThrownBy(() -> BootstrapLoader.load(empty)).hasMessageContaining("empty");
    }
}
