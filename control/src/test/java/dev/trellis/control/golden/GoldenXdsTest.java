package dev.trellis.control.golden;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.control.debug.Json;
import dev.trellis.control.debug.ProtoJson;
import dev.trellis.control.generate.Generator;
import dev.trellis.control.generate.Generators;
import dev.trellis.control.generate.XdsResource;
import dev.trellis.control.model.Locality;
import dev.trellis.control.model.MeshSettings;
import dev.trellis.control.model.Proxy;
import dev.trellis.control.push.PushContext;
import dev.trellis.control.testing.ConfigMesh;
import dev.trellis.xds.TypeUrl;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The full xDS (LDS, RDS for every route the listeners name, CDS, EDS for every EDS cluster) a proxy gets from a test
 * mesh, as JSON, compared with a golden file. Refresh the golden files after an intended change with
 * {@code -Dgolden.update=true} and review the diff.
 */
class GoldenXdsTest {

    private static final Path GOLDEN = Path.of("src/test/resources/golden");
    private static final boolean UPDATE = Boolean.getBoolean("golden.update");

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(
                        "bookinfo",
                        "productpage",
                        MeshSettings.DEFAULT,
                        sidecar(
                                "10.0.0.10",
                                "productpage-v1",
                                "default",
                                Map.of("app", "productpage", "version", "v1"))),
                Arguments.of(
                        "bookinfo",
                        "reviews-v2",
                        MeshSettings.DEFAULT,
                        sidecar("10.0.0.22", "reviews-v2", "default", Map.of("app", "reviews", "version", "v2"))),
                Arguments.of(
                        "tcp-external",
                        "client-registry-only",
                        MeshSettings.DEFAULT.withOutboundPolicy(MeshSettings.OutboundTrafficPolicy.REGISTRY_ONLY),
                        sidecar("10.0.9.9", "client", "default", Map.of("app", "client"))),
                Arguments.of(
                        "subsets",
                        "client-sidecar-scoped",
                        MeshSettings.DEFAULT,
                        sidecar("10.0.9.8", "client", "client", Map.of("app", "client"))),
                Arguments.of(
                        "subsets",
                        "apps-peer",
                        MeshSettings.DEFAULT,
                        sidecar("10.0.2.50", "peer", "apps", Map.of("app", "peer"))),
                // One workload seen from two localities: only the EDS priorities differ.
                Arguments.of(
                        "sidecar-locality",
                        "cart-us-east",
                        MeshSettings.DEFAULT,
                        sidecar("10.1.0.5", "cart-1", "shop", Map.of("app", "cart"))
                                .withLocality(Locality.parse("us-east/us-east-1a"))),
                Arguments.of(
                        "sidecar-locality",
                        "cart-eu-west",
                        MeshSettings.DEFAULT,
                        sidecar("10.1.0.5", "cart-1", "shop", Map.of("app", "cart"))
                                .withLocality(Locality.parse("eu-west/eu-west-1a"))));
    }

    static Proxy sidecar(String ip, String name, String ns, Map<String, String> labels) {
        return Proxy.sidecar(
                "sidecar~" + ip + "~" + name + "." + ns + "~" + ns + ".svc.cluster.local", ns, List.of(ip), labels);
    }

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("cases")
    void matchesGoldenFile(String mesh, String proxyName, MeshSettings settings, Proxy proxy) throws Exception {
        PushContext push = ConfigMesh.load(mesh, settings);
        String actual = dump(proxy, push);
        Path golden = GOLDEN.resolve(mesh).resolve(proxyName + ".json");
        if (UPDATE || !Files.exists(golden)) {
            Files.createDirectories(golden.getParent());
            Files.writeString(golden, actual);
            if (!UPDATE) {
                throw new AssertionError("golden file " + golden + " was missing; written now, review and commit it");
            }
        }
        assertThat(actual)
                .as(
                        "xDS for %s/%s differs from %s (rerun with -Dgolden.update=true if intended)",
                        mesh, proxyName, golden)
                .isEqualTo(Files.readString(golden, StandardCharsets.UTF_8));
    }

    /** Everything the proxy would receive, in Envoy's request order, pretty-printed for readable diffs. */
    static String dump(Proxy proxy, PushContext push) throws Exception {
        Map<TypeUrl, Generator> gens = Generators.all();
        SortedMap<String, XdsResource> lds = gens.get(TypeUrl.LISTENER).generate(proxy, push, Set.of());
        SortedMap<String, XdsResource> cds = gens.get(TypeUrl.CLUSTER).generate(proxy, push, Set.of());
        Set<String> routeNames = new TreeSet<>();
        for (XdsResource m : lds.values()) {
            for (var fc : ((Listener) m.message()).getFilterChainsList()) {
                for (var f : fc.getFiltersList()) {
                    if (f.getTypedConfig().is(HttpConnectionManager.class)) {
                        routeNames.add(f.getTypedConfig()
                                .unpack(HttpConnectionManager.class)
                                .getRds()
                                .getRouteConfigName());
                    }
                }
            }
        }
        Set<String> edsNames = new TreeSet<>();
        for (XdsResource m : cds.values()) {
            Cluster c = (Cluster) m.message();
            if (c.getType() == Cluster.DiscoveryType.EDS) {
                edsNames.add(c.getName());
            }
        }
        SortedMap<String, XdsResource> rds = gens.get(TypeUrl.ROUTE).generate(proxy, push, routeNames);
        SortedMap<String, XdsResource> eds = gens.get(TypeUrl.ENDPOINT).generate(proxy, push, edsNames);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("listeners", raw(lds));
        out.put("routes", raw(rds));
        out.put("clusters", raw(cds));
        out.put("endpoints", raw(eds));
        return pretty(Json.write(out)) + "\n";
    }

    private static List<Object> raw(SortedMap<String, XdsResource> m) {
        return m.values().stream()
                .map(x -> (Object) new Json.Raw(ProtoJson.print(x.message())))
                .toList();
    }

    /** Re-indents JSON with two spaces, leaving every token as written (numbers stay integers). */
    static String pretty(String json) {
        StringBuilder out = new StringBuilder();
        int indent = 0;
        boolean inString = false;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (inString) {
                out.append(c);
                if (c == '\\') {
                    out.append(json.charAt(++i));
                } else if (c == '"') {
                    inString = false;
                }
                continue;
            }
            switch (c) {
                case '"' -> {
                    inString = true;
                    out.append(c);
                }
                case '{', '[' -> {
                    out.append(c);
                    char next = nextNonSpace(json, i + 1);
                    if (next == '}' || next == ']') {
                        continue;
                    }
                    indent++;
                    newline(out, indent);
                }
                case '}', ']' -> {
                    char prev = lastNonSpace(out);
                    if (prev != '{' && prev != '[') {
                        indent--;
                        newline(out, indent);
                    }
                    out.append(c);
                }
                case ',' -> {
                    out.append(c);
                    newline(out, indent);
                }
                case ':' -> out.append(": ");
                case ' ', '\n', '\r', '\t' -> {}
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private static char nextNonSpace(String s, int from) {
        for (int i = from; i < s.length(); i++) {
            if (!Character.isWhitespace(s.charAt(i))) {
                return s.charAt(i);
            }
        }
        return 0;
    }

    private static char lastNonSpace(StringBuilder sb) {
        for (int i = sb.length() - 1; i >= 0; i--) {
            if (!Character.isWhitespace(sb.charAt(i))) {
                return sb.charAt(i);
            }
        }
        return 0;
    }

    private static void newline(StringBuilder out, int indent) {
        out.append('\n');
        out.append("  ".repeat(Math.max(0, indent)));
    }
}
