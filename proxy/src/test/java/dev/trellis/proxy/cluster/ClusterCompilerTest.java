package dev.trellis.proxy.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.util.JsonFormat;
import dev.trellis.proxy.bootstrap.ExtensionTypes;
import dev.trellis.proxy.config.ConfigException;
import dev.trellis.proxy.stats.Stats;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ClusterCompilerTest {
    static Cluster compile(String json) throws Exception {
        var b = io.envoyproxy.envoy.config.cluster.v3.Cluster.newBuilder();
        JsonFormat.parser()
                .usingTypeRegistry(JsonFormat.TypeRegistry.newBuilder()
                        .add(ExtensionTypes.descriptors())
                        .add(io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext.getDescriptor())
                        .build())
                .merge(json, b);
        return ClusterCompiler.compile(b.build(), "1", new Stats());
    }

    @Test
    void istioShapesLoad() throws Exception {
        // Istio's BlackHoleCluster: STATIC without endpoints.
        Cluster blackhole = compile("{\"name\":\"BlackHoleCluster\",\"type\":\"STATIC\",\"connect_timeout\":\"10s\"}");
        assertThat(blackhole.connectTimeoutMs()).isEqualTo(10_000);
        Cluster tls = compile("""
                {"name":"outbound|443||api.example.com","type":"STRICT_DNS","load_assignment":{"cluster_name":"x",
                 "endpoints":[{"lb_endpoints":[{"endpoint":{"address":{"socket_address":{"address":"api.example.com","port_value":443}}}}]}]},
                 "transport_socket":{"name":"envoy.transport_sockets.tls","typed_config":{
                   "@type":"type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext","sni":"api.example.com"}}}""");
        assertThat(tls.unusableReason()).contains("TLS").contains("not supported yet");
        Cluster outlier =
                compile("{\"name\":\"o\",\"type\":\"EDS\",\"eds_cluster_config\":{\"eds_config\":{\"ads\":{}}},"
                        + "\"outlier_detection\":{\"consecutive_5xx\":5}}");
        assertThat(outlier.unusableReason()).isNull();
        Cluster h2 = compile("""
                {"name":"h2","type":"STATIC","lb_policy":"LEAST_REQUEST","circuit_breakers":{"thresholds":[{"max_connections":7,"max_requests":9}]},
                 "typed_extension_protocol_options":{"envoy.extensions.upstreams.http.v3.HttpProtocolOptions":{
                   "@type":"type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
                   "common_http_protocol_options":{"idle_timeout":"2s","max_requests_per_connection":3},
                   "use_downstream_protocol_config":{}}}}""");
        assertThat(h2.protocol()).isEqualTo(UpstreamProtocol.USE_DOWNSTREAM);
        assertThat(h2.idleTimeoutMs()).isEqualTo(2000);
        assertThat(h2.maxRequestsPerConnection()).isEqualTo(3);
        assertThat(h2.circuitBreakers().maxConnections).isEqualTo(7);
        assertThat(h2.circuitBreakers().maxRequests).isEqualTo(9);
        assertThat(h2.circuitBreakers().maxPendingRequests).isEqualTo(1024);
    }

    static Stream<Arguments> bad() {
        return Stream.of(
                Arguments.of("{\"type\":\"STATIC\"}", "'name' is required"),
                Arguments.of("{\"name\":\"c\",\"type\":\"STRICT_DNS\"}", "'load_assignment' is required"),
                Arguments.of("{\"name\":\"c\",\"lb_policy\":\"LOAD_BALANCING_POLICY_CONFIG\"}", "lb_policy"),
                Arguments.of("{\"name\":\"c\",\"health_checks\":[{\"timeout\":\"1s\"}]}", "health_checks"),
                Arguments.of("{\"name\":\"c\",\"type\":\"ORIGINAL_DST\"}", "CLUSTER_PROVIDED"),
                Arguments.of(
                        "{\"name\":\"c\",\"type\":\"STATIC\",\"load_assignment\":{\"endpoints\":[{\"lb_endpoints\":"
                                + "[{\"endpoint\":{\"address\":{\"socket_address\":{\"address\":\"db.local\",\"port_value\":1}}}}]}]}}",
                        "not an IP address"),
                Arguments.of(
                        "{\"name\":\"c\",\"typed_extension_protocol_options\":{\"envoy.extensions.upstreams.http.v3.HttpProtocolOptions\":"
                                + "{\"@type\":\"type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions\","
                                + "\"explicit_http_config\":{\"http2_protocol_options\":{\"initial_stream_window_size\":100}}}}}",
                        "initial_stream_window_size"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("bad")
    void badClustersNameTheField(String json, String message) throws Exception {
        if (message.equals("not an IP address")) {
            // Static addresses are checked when the cluster is installed.
            Cluster c = compile(json);
            var cm = new ClusterManager(new Stats());
            assertThatThrownBy(() -> cm.addOrUpdate(
                            java.util.List.of((io.envoyproxy.envoy.config.cluster.v3.Cluster) c.source()), "1"))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining(message);
            cm.close();
            return;
        }
        assertThatThrownBy(() -> compile(json))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(message);
    }
}
