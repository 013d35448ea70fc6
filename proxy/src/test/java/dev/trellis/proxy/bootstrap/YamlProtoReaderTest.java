package dev.trellis.proxy.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.util.JsonFormat;
import dev.trellis.proxy.config.ConfigException;
import dev.trellis.proxy.config.schema.ProtoSchema;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The reader follows protobuf's own JSON parser: every document here (JSON is YAML) is read by both, and the messages
 * must be equal. Errors name the file, line and column, the field's path and what was expected.
 */
class YamlProtoReaderTest {
    private static final ProtoSchema SCHEMA = ProtoSchema.envoy();

    static Bootstrap read(String text) throws Exception {
        byte[] wire = YamlProtoReader.read(
                SCHEMA, BootstrapLoader.compose(text, "b.yaml"), SCHEMA.messageOf(Bootstrap.class), "b.yaml");
        return Bootstrap.parseFrom(wire);
    }

    static Stream<Arguments> documents() {
        return Stream.of(
                Arguments.of("node, metadata as a Struct, locality", """
                        {"node": {"id": "n1", "cluster": "c1", "user_agent_name": "trellis",
                          "locality": {"region": "eu", "zone": "eu-1"},
                          "metadata": {"s": "x", "n": 1.5, "i": 3, "b": true, "z": null,
                                       "l": [1, "two", {"k": false}, []], "o": {"p": {"q": "r"}}}}}"""),
                Arguments.of("numbers as strings, enums by name and number, wrappers, durations", """
                        {"admin": {"address": {"socket_address": {"address": "127.0.0.1", "port_value": "9901"}}},
                         "static_resources": {"clusters": [{
                           "name": "c", "connect_timeout": "0.250s", "type": "STRICT_DNS", "lb_policy": 1,
                           "dns_lookup_family": "V4_ONLY", "per_connection_buffer_limit_bytes": 32768,
                           "dnsRefreshRate": "5s", "ignore_health_on_host_removal": true,
                           "ring_hash_lb_config": {"minimum_ring_size": "1024", "maximum_ring_size": 8388608},
                           "common_lb_config": {"healthy_panic_threshold": {"value": 50.5}},
                           "circuit_breakers": {"thresholds": [{"priority": "HIGH", "max_connections": 7,
                             "max_retries": "3"}]},
                           "outlier_detection": {"consecutive_5xx": 4, "base_ejection_time": "30s",
                             "interval": "1.000000001s"},
                           "load_assignment": {"cluster_name": "c", "endpoints": [{
                             "locality": {"zone": "z"}, "load_balancing_weight": 3, "priority": 1,
                             "lbEndpoints": [{"endpoint": {"address": {"socket_address": {"address": "a.local",
                               "port_value": 80}}}, "health_status": "DRAINING", "load_balancing_weight": 2}]}]},
                           "typed_extension_protocol_options": {
                             "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
                               "@type": "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
                               "explicit_http_config": {"http2_protocol_options": {
                                 "max_concurrent_streams": 100, "initial_stream_window_size": 65536}}}},
                           "metadata": {"filter_metadata": {"istio": {"config": "x", "n": 1}}}}]}}"""),
                Arguments.of("a listener with an HTTP connection manager and routes", """
                        {"static_resources": {"listeners": [{"name": "l",
                          "address": {"socket_address": {"address": "0.0.0.0", "port_value": 15001}},
                          "use_original_dst": true, "listener_filters_timeout": "0s",
                          "filter_chains": [{"filter_chain_match": {"destination_port": 80,
                              "prefix_ranges": [{"address_prefix": "10.0.0.0", "prefix_len": 8}],
                              "server_names": ["a.example"], "application_protocols": ["h2", "http/1.1"]},
                            "filters": [{"name": "envoy.filters.network.http_connection_manager", "typed_config": {
                              "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
                              "stat_prefix": "in", "codec_type": "AUTO", "stream_idle_timeout": "300s",
                              "access_log": [{"name": "envoy.access_loggers.stdout", "typed_config": {
                                "@type": "type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog",
                                "log_format": {"json_format": {"code": "%RESPONSE_CODE%", "n": 1}}}}],
                              "http_filters": [{"name": "envoy.filters.http.router", "typed_config": {
                                "@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router",
                                "suppress_envoy_headers": true}}],
                              "route_config": {"name": "r", "virtual_hosts": [{"name": "v", "domains": ["*"],
                                "request_headers_to_add": [{"header": {"key": "x-a", "value": "1"},
                                  "append_action": "OVERWRITE_IF_EXISTS_OR_ADD"}],
                                "routes": [
                                  {"match": {"prefix": "/a", "case_sensitive": false,
                                     "headers": [{"name": "x-v", "string_match": {"exact": "2"}, "invert_match": true},
                                                 {"name": "x-r", "range_match": {"start": "-10", "end": 10}}],
                                     "query_parameters": [{"name": "q", "present_match": true}],
                                     "runtime_fraction": {"default_value": {"numerator": 50, "denominator": "HUNDRED"}}},
                                   "route": {"weighted_clusters": {"clusters": [{"name": "a", "weight": 30},
                                     {"name": "b", "weight": 70}]}, "timeout": "15s",
                                     "regex_rewrite": {"pattern": {"regex": "^/a"}, "substitution": "/"},
                                     "hash_policy": [{"header": {"header_name": "x-u"}, "terminal": true}],
                                     "retry_policy": {"retry_on": "5xx", "num_retries": 2}},
                                   "typed_per_filter_config": {"envoy.filters.http.fault": {
                                     "@type": "type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault",
                                     "abort": {"http_status": 503, "percentage": {"numerator": 1}}}}},
                                  {"match": {"path": "/r"}, "redirect": {"https_redirect": true, "strip_query": true}},
                                  {"match": {"safe_regex": {"regex": ".*"}},
                                   "direct_response": {"status": 200, "body": {"inline_bytes": "aGVsbG8="}}}]}]}}}]}]}]}}"""),
                Arguments.of("null leaves a field unset; empty lists, objects and an empty Any", """
                        {"node": null, "static_resources": {"listeners": [], "clusters": [{"name": "c",
                          "load_assignment": null, "typed_extension_protocol_options": {}}]},
                         "layered_runtime": {"layers": [{"name": "s", "static_layer": {}}]}}"""),
                Arguments.of("an Any of a type only ever named inside an Any (Istio's optional filter config)", """
                        {"static_resources": {"listeners": [{"name": "l", "filter_chains": [{"filters": [{
                          "name": "hcm", "typed_config": {
                          "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
                          "route_config": {"virtual_hosts": [{"name": "v", "domains": ["*"],
                            "typed_per_filter_config": {"envoy.filters.http.fault": {
                              "@type": "type.googleapis.com/envoy.config.route.v3.FilterConfig", "is_optional": true,
                              "config": {"@type": "type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault",
                                "max_active_faults": 3}}}}]}}}]}]}]}}"""),
                Arguments.of("special floats", """
                        {"static_resources": {"clusters": [{"name": "c",
                          "common_lb_config": {"healthy_panic_threshold": {"value": "NaN"}},
                          "least_request_lb_config": {"active_request_bias": {"default_value": "Infinity",
                            "runtime_key": "k"}}}]}}"""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("documents")
    void readsWhatProtobufsJsonParserReads(String name, String json) throws Exception {
        Bootstrap.Builder expected = Bootstrap.newBuilder();
        JsonFormat.parser().usingTypeRegistry(ExtensionTypes.registry()).merge(json, expected);
        assertThat(read(json)).isEqualTo(expected.build());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("documents")
    void readsTheSameAsYaml(String name, String json) throws Exception {
        // Re-indenting the JSON as flow YAML must not change a thing: the reader works on the YAML tree.
        assertThat(read("---\n" + json + "\n...\n")).isEqualTo(read(json));
    }

    static Stream<Arguments> errors() {
        return Stream.of(
                Arguments.of(
                        """
                        static_resources:
                          clusters:
                          - name: c
                            conect_timeout: 1s
                        """,
                        "b.yaml:4:5: static_resources.clusters[0]: unknown field 'conect_timeout' in "
                                + "envoy.config.cluster.v3.Cluster (did you mean 'connect_timeout'?)"),
                Arguments.of(
                        """
                        static_resources:
                          clusters:
                          - name: c
                            connect_timeout: 1s
                            connectTimeout: 2s
                        """,
                        "b.yaml:5:5: static_resources.clusters[0]: field 'connect_timeout' is set twice (also at line 4)"),
                Arguments.of(
                        """
                        static_resources:
                          clusters:
                          - name: c
                            lb_policy: FASTEST
                        """,
                        "b.yaml:4:16: static_resources.clusters[0].lb_policy: 'FASTEST' is not a "
                                + "envoy.config.cluster.v3.Cluster.LbPolicy (one of ROUND_ROBIN, LEAST_REQUEST"),
                Arguments.of("""
                        static_resources:
                          clusters:
                          - {name: c, connect_timeout: 5}
                        """, "b.yaml:3:32: static_resources.clusters[0].connect_timeout: '5' is not a duration"),
                Arguments.of("""
                        admin:
                          address:
                            socket_address: {address: 127.0.0.1, port_value: -1}
                        """, "admin.address.socket_address.port_value: '-1' is out of range for a uint32"),
                Arguments.of("""
                        admin:
                          address:
                            socket_address: {address: 127.0.0.1, port_value: 4294967296}
                        """, "port_value: '4294967296' is out of range for a uint32"),
                Arguments.of("""
                        admin:
                          address:
                            socket_address: {address: 127.0.0.1, port_value: 1.5}
                        """, "port_value: '1.5' is not a uint32"),
                Arguments.of(
                        """
                        static_resources:
                          clusters: {name: c}
                        """,
                        "b.yaml:2:13: static_resources.clusters: expected a list (a repeated field), found a mapping"),
                Arguments.of("""
                        static_resources:
                          listeners:
                          - name: l
                            use_original_dst: yes
                        """, "static_resources.listeners[0].use_original_dst: 'yes' is not a bool"),
                Arguments.of(
                        """
                        static_resources:
                          listeners:
                          - name: l
                            filter_chains:
                            - filters:
                              - name: x
                                typed_config: {stat_prefix: s}
                        """,
                        "b.yaml:7:23: static_resources.listeners[0].filter_chains[0].filters[0].typed_config: "
                                + "an extension's config needs \"@type\""),
                Arguments.of(
                        """
                        static_resources:
                          listeners:
                          - name: l
                            filter_chains:
                            - filters:
                              - name: x
                                typed_config:
                                  "@type": type.googleapis.com/envoy.extensions.filters.network.redis_proxy.v3.RedisProxy
                        """,
                        "b.yaml:8:20: static_resources.listeners[0].filter_chains[0].filters[0].typed_config: "
                                + "unsupported extension type 'type.googleapis.com/envoy.extensions.filters.network."
                                + "redis_proxy.v3.RedisProxy' (Trellis implements: envoy.extensions.filters.network."
                                + "http_connection_manager.v3.HttpConnectionManager, "),
                Arguments.of(
                        """
                        static_resources:
                          listeners:
                          - name: l
                            filter_chains:
                            - filters:
                              - name: x
                                typed_config:
                                  "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                                  cluster: a
                                  weighted_clusters: {clusters: [{name: b, weight: 1}]}
                        """,
                        "b.yaml:10:11: static_resources.listeners[0].filter_chains[0].filters[0].typed_config: "
                                + "'cluster' and 'weighted_clusters' are alternatives (one of a oneof): set only one"),
                Arguments.of(
                        """
                        node:
                          metadata:
                            cert: {b: [1, null]}
                        static_resources:
                          clusters:
                          - name: c
                            load_assignment:
                              endpoints:
                              - lb_endpoints: [null]
                        """,
                        "b.yaml:9:24: static_resources.clusters[0].load_assignment.endpoints[0].lb_endpoints[0]: "
                                + "list elements cannot be null"),
                Arguments.of("""
                        node: {metadata: &m {k: *m}}
                        """, "nested more than 100 levels deep"),
                Arguments.of("""
                        static_resources:
                          listeners:
                          - name: l
                            filter_chains:
                            - filters:
                              - name: x
                                typed_config:
                                  "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                                  route_config:
                                    virtual_hosts:
                                    - name: v
                                      routes:
                                      - direct_response: {status: 200, body: {inline_bytes: "not base64!"}}
                        """, "direct_response.body.inline_bytes: bytes must be base64"),
                Arguments.of(
                        """
                        - just
                        - a list
                        """,
                        "b.yaml:1:1: expected a mapping of envoy.config.bootstrap.v3.Bootstrap's fields, found a list"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("errors")
    void badInputIsNamedWithLineAndColumn(String yaml, String message) {
        assertThatThrownBy(() -> read(yaml)).isInstanceOf(ConfigException.class).hasMessageContaining(message);
    }
}
