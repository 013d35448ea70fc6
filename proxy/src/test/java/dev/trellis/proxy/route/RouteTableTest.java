package dev.trellis.proxy.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.util.JsonFormat;
import dev.trellis.proxy.config.ConfigException;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Table-driven virtual-host and route matching against Envoy's documented semantics. */
class RouteTableTest {
    static RouteTable compile(String json) throws Exception {
        RouteConfiguration.Builder b = RouteConfiguration.newBuilder();
        JsonFormat.parser().merge(json, b);
        return RouteCompiler.compile(b.build(), "1");
    }

    static final String DOMAINS = """
            {"name": "r", "virtual_hosts": [
              {"name": "exact", "domains": ["api.example.com", "api.example.com:8080"], "routes": []},
              {"name": "suffix-long", "domains": ["*.b.example.com"], "routes": []},
              {"name": "suffix", "domains": ["*.example.com"], "routes": []},
              {"name": "prefix", "domains": ["api.*"], "routes": []},
              {"name": "prefix-long", "domains": ["api.ex*"], "routes": []},
              {"name": "any", "domains": ["*"], "routes": []}
            ]}""";

    static Stream<Arguments> domains() {
        return Stream.of(
                Arguments.of("api.example.com", "exact"),
                Arguments.of("API.Example.COM", "exact"),
                Arguments.of("api.example.com:8080", "exact"),
                Arguments.of("x.b.example.com", "suffix-long"),
                Arguments.of("b.example.com", "suffix"),
                Arguments.of("foo.example.com", "suffix"),
                // "*.example.com" needs a non-empty label before the suffix.
                Arguments.of(".example.com", "any"),
                Arguments.of("api.exotic.org", "prefix-long"),
                Arguments.of("api.other.org", "prefix"),
                // With a port, "*.example.com" no longer matches; "api.ex*" does.
                Arguments.of("api.example.com:9090", "prefix-long"),
                Arguments.of("elsewhere.org", "any"),
                Arguments.of("", "any"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("domains")
    void virtualHostLookupFollowsEnvoysOrder(String host, String expected) throws Exception {
        assertThat(compile(DOMAINS).virtualHost(host).name()).isEqualTo(expected);
    }

    @Test
    void ignorePortInHostMatching() throws Exception {
        RouteTable t = compile("""
                {"name":"r","ignore_port_in_host_matching":true,"virtual_hosts":[
                  {"name":"exact","domains":["a.com"],"routes":[]},
                  {"name":"any","domains":["*"],"routes":[]}]}""");
        assertThat(t.virtualHost("a.com:8080").name()).isEqualTo("exact");
        assertThat(t.virtualHost("[::1]:80").name()).isEqualTo("any");
        assertThat(RouteTable.stripPort("[::1]:80")).isEqualTo("[::1]");
        assertThat(RouteTable.stripPort("[::1]")).isEqualTo("[::1]");
    }

    @Test
    void duplicateDomainIsAnError() {
        assertThatThrownBy(() -> compile("""
                {"name":"r","virtual_hosts":[
                  {"name":"a","domains":["x.com"],"routes":[]},
                  {"name":"b","domains":["X.com"],"routes":[]}]}"""))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("domain 'X.com'")
                .hasMessageContaining("\"a\"");
    }

    static Stream<Arguments> routes() {
        return Stream.of(
                // match, uri, headers, expected to match
                Arguments.of("{\"prefix\":\"/api\"}", "/api/v1?x=1", new String[0], true),
                Arguments.of("{\"prefix\":\"/api\"}", "/ap", new String[0], false),
                Arguments.of("{\"prefix\":\"/API\",\"case_sensitive\":false}", "/api/x", new String[0], true),
                Arguments.of("{\"prefix\":\"/API\"}", "/api/x", new String[0], false),
                Arguments.of("{\"path\":\"/exact\"}", "/exact?q", new String[0], true),
                Arguments.of("{\"path\":\"/exact\"}", "/exact/", new String[0], false),
                Arguments.of("{\"safe_regex\":{\"regex\":\"/v[0-9]+/.*\"}}", "/v12/items", new String[0], true),
                Arguments.of("{\"safe_regex\":{\"regex\":\"/v[0-9]+\"}}", "/v12/items", new String[0], false),
                Arguments.of("{\"path_separated_prefix\":\"/foo\"}", "/foo", new String[0], true),
                Arguments.of("{\"path_separated_prefix\":\"/foo\"}", "/foo/bar", new String[0], true),
                Arguments.of("{\"path_separated_prefix\":\"/foo\"}", "/foobar", new String[0], false),
                Arguments.of("{\"path_separated_prefix\":\"/foo\"}", "/foo?x", new String[0], true),
                Arguments.of(
                        h("{\"name\":\"x-a\",\"string_match\":{\"exact\":\"1\"}}"),
                        "/",
                        new String[] {"x-a", "1"},
                        true),
                Arguments.of(
                        h("{\"name\":\"x-a\",\"string_match\":{\"exact\":\"1\"}}"),
                        "/",
                        new String[] {"x-a", "2"},
                        false),
                Arguments.of(h("{\"name\":\"x-a\",\"string_match\":{\"exact\":\"1\"}}"), "/", new String[0], false),
                Arguments.of(
                        h("{\"name\":\"x-a\",\"string_match\":{\"prefix\":\"ab\"}}"),
                        "/",
                        new String[] {"x-a", "abc"},
                        true),
                Arguments.of(
                        h("{\"name\":\"x-a\",\"string_match\":{\"suffix\":\"bc\"}}"),
                        "/",
                        new String[] {"x-a", "abc"},
                        true),
                Arguments.of(
                        h("{\"name\":\"x-a\",\"string_match\":{\"contains\":\"b\"}}"),
                        "/",
                        new String[] {"x-a", "abc"},
                        true),
                Arguments.of(
                        h("{\"name\":\"x-a\",\"string_match\":{\"exact\":\"ABC\",\"ignore_case\":true}}"),
                        "/",
                        new String[] {"x-a", "abc"},
                        true),
                Arguments.of(
                        h("{\"name\":\"x-a\",\"safe_regex_match\":{\"regex\":\"a.c\"}}"),
                        "/",
                        new String[] {"x-a", "abc"},
                        true),
                Arguments.of(h("{\"name\":\"x-a\",\"present_match\":true}"), "/", new String[] {"x-a", ""}, true),
                Arguments.of(h("{\"name\":\"x-a\",\"present_match\":true}"), "/", new String[0], false),
                Arguments.of(
                        h("{\"name\":\"x-a\",\"present_match\":true,\"invert_match\":true}"), "/", new String[0], true),
                Arguments.of(
                        h("{\"name\":\"x-a\",\"range_match\":{\"start\":10,\"end\":20}}"),
                        "/",
                        new String[] {"x-a", "10"},
                        true),
                Arguments.of(
                        h("{\"name\":\"x-a\",\"range_match\":{\"start\":10,\"end\":20}}"),
                        "/",
                        new String[] {"x-a", "20"},
                        false),
                Arguments.of(
                        h("{\"name\":\"x-a\",\"range_match\":{\"start\":10,\"end\":20}}"),
                        "/",
                        new String[] {"x-a", "x"},
                        false),
                Arguments.of(
                        h("{\"name\":\"x-a\",\"string_match\":{\"exact\":\"1\"},\"invert_match\":true}"),
                        "/",
                        new String[] {"x-a", "2"},
                        true),
                // Several values are joined with ',' before matching.
                Arguments.of(
                        h("{\"name\":\"x-a\",\"string_match\":{\"exact\":\"1,2\"}}"),
                        "/",
                        new String[] {"x-a", "1", "x-a", "2"},
                        true),
                Arguments.of(
                        h("{\"name\":\":method\",\"string_match\":{\"exact\":\"GET\"}}"), "/", new String[0], true),
                Arguments.of(q("{\"name\":\"debug\",\"present_match\":true}"), "/?debug", new String[0], true),
                Arguments.of(q("{\"name\":\"debug\",\"present_match\":true}"), "/?x=debug", new String[0], false),
                Arguments.of(
                        q("{\"name\":\"v\",\"string_match\":{\"exact\":\"a b\"}}"), "/?v=a%20b", new String[0], true),
                Arguments.of(
                        q("{\"name\":\"v\",\"string_match\":{\"prefix\":\"a\"}}"), "/?w=1&v=abc", new String[0], true),
                Arguments.of(
                        "{\"prefix\":\"/\",\"grpc\":{}}",
                        "/svc/M",
                        new String[] {"content-type", "application/grpc+proto"},
                        true),
                Arguments.of(
                        "{\"prefix\":\"/\",\"grpc\":{}}",
                        "/svc/M",
                        new String[] {"content-type", "application/json"},
                        false),
                Arguments.of(
                        "{\"prefix\":\"/\",\"runtime_fraction\":{\"default_value\":{\"numerator\":0}}}",
                        "/",
                        new String[0],
                        false),
                Arguments.of(
                        "{\"prefix\":\"/\",\"runtime_fraction\":{\"default_value\":{\"numerator\":100}}}",
                        "/",
                        new String[0],
                        true));
    }

    static String h(String matcher) {
        return "{\"prefix\":\"/\",\"headers\":[" + matcher + "]}";
    }

    static String q(String matcher) {
        return "{\"prefix\":\"/\",\"query_parameters\":[" + matcher + "]}";
    }

    @ParameterizedTest(name = "{0} {1} -> {3}")
    @MethodSource("routes")
    void routeMatching(String match, String uri, String[] headers, boolean expected) throws Exception {
        RouteTable t =
                compile("{\"name\":\"r\",\"virtual_hosts\":[{\"name\":\"v\",\"domains\":[\"*\"],\"routes\":[{\"match\":"
                        + match + ",\"direct_response\":{\"status\":200}}]}]}");
        Route r = t.virtualHost("x").route(FakeRequest.of("x", uri, headers));
        assertThat(r != null).isEqualTo(expected);
    }

    @Test
    void firstMatchingRouteWins() throws Exception {
        RouteTable t = compile("""
                {"name":"r","virtual_hosts":[{"name":"v","domains":["*"],"routes":[
                  {"name":"a","match":{"prefix":"/a"},"route":{"cluster":"ca"}},
                  {"name":"ab","match":{"prefix":"/ab"},"route":{"cluster":"cab"}},
                  {"name":"all","match":{"prefix":"/"},"route":{"cluster":"c"}}]}]}""");
        assertThat(t.virtualHost("x").route(FakeRequest.of("x", "/abc")).name()).isEqualTo("a");
        assertThat(t.virtualHost("x").route(FakeRequest.of("x", "/zz")).name()).isEqualTo("all");
    }

    @Test
    void actionsCompile() throws Exception {
        RouteTable t = compile("""
                {"name":"r","virtual_hosts":[{"name":"v","domains":["*"],"routes":[
                  {"match":{"prefix":"/w"},"route":{"weighted_clusters":{"clusters":[
                     {"name":"a","weight":30},{"name":"b","weight":70}]},
                     "hash_policy":[{"header":{"header_name":"X-User"}},{"connection_properties":{"source_ip":true}}],
                     "timeout":"2s","idle_timeout":"1s"}},
                  {"match":{"prefix":"/r"},"route":{"cluster":"a","regex_rewrite":{"pattern":{"regex":"^/r/(\\\\w+)"},"substitution":"/x/\\\\1"}}},
                  {"match":{"prefix":"/h"},"route":{"cluster_header":"X-Cluster"}}]}]}""");
        Route.Forward w = (Route.Forward)
                t.virtualHost("x").route(FakeRequest.of("x", "/w")).action();
        assertThat(w.cumulativeWeights()).containsExactly(30, 100);
        assertThat(w.timeoutMs()).isEqualTo(2000);
        assertThat(w.idleTimeoutMs()).isEqualTo(1000);
        assertThat(HashPolicy.compute(w.hashPolicies(), FakeRequest.of("x", "/w", "x-user", "u1")))
                .isEqualTo(HashPolicy.compute(w.hashPolicies(), FakeRequest.of("x", "/w", "x-user", "u1")))
                .isNotEqualTo(HashPolicy.compute(w.hashPolicies(), FakeRequest.of("x", "/w", "x-user", "u2")));
        Route.Forward r = (Route.Forward)
                t.virtualHost("x").route(FakeRequest.of("x", "/r/abc/d")).action();
        assertThat(r.regexRewrite().matcher("/r/abc/d").replaceAll(r.regexSubstitution()))
                .isEqualTo("/x/abc/d");
        Route.Forward h = (Route.Forward)
                t.virtualHost("x").route(FakeRequest.of("x", "/h")).action();
        assertThat(h.clusterHeader()).isEqualTo("x-cluster");
        assertThat(((Route.Forward)
                                compile("""
                {"name":"r","virtual_hosts":[{"name":"v","domains":["*"],"routes":[
                  {"match":{"prefix":"/"},"route":{"cluster":"a"}}]}]}""").virtualHost("x").routes().get(0).action())
                        .timeoutMs())
                .isEqualTo(15_000);
    }

    static Stream<Arguments> badConfigs() {
        return Stream.of(
                Arguments.of(
                        "{\"name\":\"r\",\"virtual_hosts\":[{\"name\":\"v\",\"domains\":[],\"routes\":[]}]}",
                        "'domains' must not be empty"),
                Arguments.of(
                        "{\"name\":\"r\",\"virtual_hosts\":[{\"name\":\"v\",\"domains\":[\"*\"],\"routes\":[{\"match\":{\"safe_regex\":{\"regex\":\"(\"}},\"route\":{\"cluster\":\"a\"}}]}]}",
                        "invalid regex"),
                Arguments.of(
                        "{\"name\":\"r\",\"virtual_hosts\":[{\"name\":\"v\",\"domains\":[\"*\"],\"routes\":[{\"match\":{\"prefix\":\"/\"}}]}]}",
                        "one of 'route', 'redirect', 'direct_response' is required"),
                Arguments.of(
                        "{\"name\":\"r\",\"virtual_hosts\":[{\"name\":\"v\",\"domains\":[\"*\"],\"require_tls\":\"ALL\",\"routes\":[]}]}",
                        "field 'require_tls'"),
                Arguments.of(
                        "{\"name\":\"r\",\"virtual_hosts\":[{\"name\":\"v\",\"domains\":[\"*\"],\"routes\":[{\"match\":{\"prefix\":\"/\"},\"route\":{\"weighted_clusters\":{\"clusters\":[{\"name\":\"a\",\"weight\":0}]}}}]}]}",
                        "weights sum to 0"),
                Arguments.of(
                        "{\"name\":\"r\",\"virtual_hosts\":[{\"name\":\"v\",\"domains\":[\"*\"],\"routes\":[{\"match\":{\"prefix\":\"/\"},\"route\":{\"cluster\":\"a\"},\"request_headers_to_add\":[{\"header\":{\"key\":\"x\",\"value\":\"%START_TIME%\"}}]}]}]}",
                        "%START_TIME%"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("badConfigs")
    void badConfigNamesTheField(String json, String message) {
        assertThatThrownBy(() -> compile(json))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(message);
    }
}
