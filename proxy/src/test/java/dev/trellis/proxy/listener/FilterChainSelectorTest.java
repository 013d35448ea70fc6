package dev.trellis.proxy.listener;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.JsonFormat;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Envoy's filter chain match order, table-driven. */
class FilterChainSelectorTest {
    /** name -> filter_chain_match JSON. */
    static final String[][] CHAINS = {
        {"port-9080", "{\"destination_port\":9080}"},
        {
            "port-9080-ip",
            "{\"destination_port\":9080,\"prefix_ranges\":[{\"address_prefix\":\"10.0.0.0\",\"prefix_len\":8}]}"
        },
        {
            "port-9080-ip-narrow",
            "{\"destination_port\":9080,\"prefix_ranges\":[{\"address_prefix\":\"10.1.0.0\",\"prefix_len\":16}]}"
        },
        {"tls-sni", "{\"transport_protocol\":\"tls\",\"server_names\":[\"api.example.com\"]}"},
        {"tls-wild", "{\"transport_protocol\":\"tls\",\"server_names\":[\"*.example.com\"]}"},
        {"tls", "{\"transport_protocol\":\"tls\"}"},
        {"h2c", "{\"application_protocols\":[\"h2c\"]}"},
        {"http11", "{\"application_protocols\":[\"http/1.1\",\"http/1.0\"]}"},
        {"src", "{\"source_prefix_ranges\":[{\"address_prefix\":\"192.168.0.0\",\"prefix_len\":16}]}"},
        {"any", "{}"},
    };

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("1.2.3.4", 9080, "", "raw_buffer", List.of(), "port-9080"),
                Arguments.of("10.2.3.4", 9080, "", "raw_buffer", List.of(), "port-9080-ip"),
                Arguments.of("10.1.3.4", 9080, "", "raw_buffer", List.of(), "port-9080-ip-narrow"),
                Arguments.of("1.2.3.4", 80, "api.example.com", "tls", List.of(), "tls-sni"),
                Arguments.of("1.2.3.4", 80, "www.example.com", "tls", List.of(), "tls-wild"),
                Arguments.of("1.2.3.4", 80, "other.org", "tls", List.of(), "tls"),
                Arguments.of("1.2.3.4", 80, "", "raw_buffer", List.of("h2c"), "h2c"),
                Arguments.of("1.2.3.4", 80, "", "raw_buffer", List.of("http/1.1"), "http11"),
                Arguments.of("1.2.3.4", 80, "", "raw_buffer", List.of(), "any"));
    }

    @ParameterizedTest(name = "{0}:{1} sni={2} {3} {4} -> {5}")
    @MethodSource("cases")
    void selects(String dstIp, int dstPort, String sni, String transport, List<String> alpn, String expected)
            throws Exception {
        List<String> names = new ArrayList<>();
        List<FilterChainMatch> matches = new ArrayList<>();
        for (String[] c : CHAINS) {
            var b = io.envoyproxy.envoy.config.listener.v3.FilterChainMatch.newBuilder();
            JsonFormat.parser().merge(c[1], b);
            names.add(c[0]);
            matches.add(FilterChainMatch.compile(b.build(), c[0]));
        }
        var facts = new FilterChainSelector.Facts(
                new InetSocketAddress(dstIp, dstPort), new InetSocketAddress("172.16.0.1", 5000), sni, transport, alpn);
        assertThat(FilterChainSelector.select(names, matches, facts, "default")).isEqualTo(expected);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void sourceRangeIsConsideredLast(
            String dstIp, int dstPort, String sni, String transport, List<String> alpn, String expected)
            throws Exception {
        var b = io.envoyproxy.envoy.config.listener.v3.FilterChainMatch.newBuilder();
        JsonFormat.parser()
                .merge("{\"source_prefix_ranges\":[{\"address_prefix\":\"192.168.0.0\",\"prefix_len\":16}]}", b);
        List<FilterChainMatch> m = List.of(FilterChainMatch.compile(b.build(), "src"), FilterChainMatch.ANY);
        var from192 = new FilterChainSelector.Facts(
                new InetSocketAddress("1.1.1.1", 80),
                new InetSocketAddress("192.168.1.1", 1),
                "",
                "raw_buffer",
                List.of());
        var from10 = new FilterChainSelector.Facts(
                new InetSocketAddress("1.1.1.1", 80),
                new InetSocketAddress("10.0.0.1", 1),
                "",
                "raw_buffer",
                List.of());
        assertThat(FilterChainSelector.select(List.of("src", "any"), m, from192, "none"))
                .isEqualTo("src");
        assertThat(FilterChainSelector.select(List.of("src", "any"), m, from10, "none"))
                .isEqualTo("any");
        assertThat(FilterChainSelector.select(List.of("src"), List.of(m.get(0)), from10, "none"))
                .isEqualTo("none");
    }
}
