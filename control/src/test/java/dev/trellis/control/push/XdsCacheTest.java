package dev.trellis.control.push;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Duration;
import dev.trellis.api.model.Resource;
import dev.trellis.control.config.ConfigController;
import dev.trellis.control.config.ConfigWatcher;
import dev.trellis.control.config.IstioFiles;
import dev.trellis.control.generate.Generator;
import dev.trellis.control.generate.Generators;
import dev.trellis.control.generate.XdsResource;
import dev.trellis.control.model.Locality;
import dev.trellis.control.model.MeshSettings;
import dev.trellis.control.model.Proxy;
import dev.trellis.control.model.Service;
import dev.trellis.control.model.ServicePort;
import dev.trellis.control.model.Workload;
import dev.trellis.control.networking.cluster.ClusterPolicy;
import dev.trellis.control.registry.AggregateRegistry;
import dev.trellis.control.registry.MemoryRegistry;
import dev.trellis.control.testing.ConfigMesh;
import dev.trellis.xds.TypeUrl;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The caches that let proxies share generated config (within a push) and pushes share unchanged resources (across
 * pushes): a proxy must get exactly what it would get alone, whichever proxies asked before it, and a change must
 * reach every resource it touches and no other.
 */
class XdsCacheTest {

    private static final Map<TypeUrl, Generator> GENERATORS = Generators.all();

    static Proxy sidecar(String ip, String name, String ns, Map<String, String> labels) {
        return Proxy.sidecar(
                "sidecar~" + ip + "~" + name + "." + ns + "~" + ns + ".svc.cluster.local", ns, List.of(ip), labels);
    }

    /** Everything a sidecar gets (LDS, CDS, RDS for every route its listeners name, EDS for every EDS cluster). */
    static Map<TypeUrl, SortedMap<String, XdsResource>> everything(Proxy proxy, PushContext push) {
        Map<TypeUrl, SortedMap<String, XdsResource>> out = new LinkedHashMap<>();
        SortedMap<String, XdsResource> lds = GENERATORS.get(TypeUrl.LISTENER).generate(proxy, push, Set.of());
        SortedMap<String, XdsResource> cds = GENERATORS.get(TypeUrl.CLUSTER).generate(proxy, push, Set.of());
        Set<String> routes = new TreeSet<>();
        for (XdsResource l : lds.values()) {
            for (var fc : ((Listener) l.message()).getFilterChainsList()) {
                for (var f : fc.getFiltersList()) {
                    if (f.getTypedConfig().is(HttpConnectionManager.class)) {
                        try {
                            routes.add(f.getTypedConfig()
                                    .unpack(HttpConnectionManager.class)
                                    .getRds()
                                    .getRouteConfigName());
                        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                            throw new AssertionError(e);
                        }
                    }
                }
            }
        }
        Set<String> eds = new TreeSet<>();
        for (XdsResource c : cds.values()) {
            if (((Cluster) c.message()).getType() == Cluster.DiscoveryType.EDS) {
                eds.add(c.name());
            }
        }
        out.put(TypeUrl.LISTENER, lds);
        out.put(TypeUrl.CLUSTER, cds);
        out.put(TypeUrl.ROUTE, GENERATORS.get(TypeUrl.ROUTE).generate(proxy, push, routes));
        out.put(TypeUrl.ENDPOINT, GENERATORS.get(TypeUrl.ENDPOINT).generate(proxy, push, eds));
        return out;
    }

    /** Content only: per type, each resource's name and digest. */
    static Map<TypeUrl, Map<String, String>> fingerprint(Map<TypeUrl, SortedMap<String, XdsResource>> all) {
        Map<TypeUrl, Map<String, String>> out = new LinkedHashMap<>();
        all.forEach((t, m) -> {
            Map<String, String> f = new TreeMap<>();
            m.forEach((n, r) -> f.put(n, r.digest()));
            out.put(t, f);
        });
        return out;
    }

    static Stream<Arguments> scopedProxies() {
        return Stream.of(
                // A Sidecar narrows egress in "client"; "secret" is exported to "apps" only; "elsewhere" sees all else.
                Arguments.of(
                        "subsets",
                        List.of(
                                sidecar("10.0.9.8", "client", "client", Map.of("app", "client")),
                                sidecar("10.0.2.50", "peer", "apps", Map.of("app", "peer")),
                                sidecar("10.0.4.4", "stranger", "elsewhere", Map.of("app", "stranger")))),
                // The same workload in two localities: locality load balancing orders its endpoints differently.
                Arguments.of(
                        "sidecar-locality",
                        List.of(
                                sidecar("10.1.0.5", "cart-1", "shop", Map.of("app", "cart"))
                                        .withLocality(Locality.parse("us-east/us-east-1a")),
                                sidecar("10.1.0.5", "cart-1", "shop", Map.of("app", "cart"))
                                        .withLocality(Locality.parse("eu-west/eu-west-1a")))));
    }

    /**
     * Would fail if two proxies whose scope differs shared a cache entry: every proxy's config generated from one
     * shared push, in both orders, equals its config generated from a push of its own.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("scopedProxies")
    void everyProxyGetsFromSharedCachesWhatItWouldGetAlone(String mesh, List<Proxy> proxies) throws IOException {
        List<Map<TypeUrl, Map<String, String>>> alone = new ArrayList<>();
        for (Proxy p : proxies) {
            alone.add(fingerprint(everything(p, ConfigMesh.load(mesh, MeshSettings.DEFAULT))));
        }
        assertThat(Set.copyOf(alone))
                .as("the proxies of this case see different config (else the test proves nothing)")
                .hasSize(proxies.size());
        PushContext shared = ConfigMesh.load(mesh, MeshSettings.DEFAULT);
        for (int i = 0; i < proxies.size(); i++) {
            assertThat(fingerprint(everything(proxies.get(i), shared)))
                    .as("%s, in order", proxies.get(i).id())
                    .isEqualTo(alone.get(i));
        }
        PushContext reversed = ConfigMesh.load(mesh, MeshSettings.DEFAULT);
        for (int i = proxies.size() - 1; i >= 0; i--) {
            assertThat(fingerprint(everything(proxies.get(i), reversed)))
                    .as("%s, in reverse order", proxies.get(i).id())
                    .isEqualTo(alone.get(i));
        }
    }

    /** A Sidecar that selects workloads by label: two proxies of one namespace with different labels must not share. */
    @Test
    void proxiesOfOneNamespaceSelectedByDifferentSidecarsDoNotShare(@TempDir Path dir) throws IOException {
        ConfigEnv env = new ConfigEnv(dir, """
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: near, namespace: team}
                spec:
                  hosts: [near.team.svc.cluster.local]
                  addresses: [10.96.5.1]
                  location: MESH_INTERNAL
                  resolution: STATIC
                  ports: [{number: 8080, name: http, protocol: HTTP}]
                  endpoints: [{address: 10.0.5.1}]
                ---
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: far, namespace: other}
                spec:
                  hosts: [far.other.svc.cluster.local]
                  addresses: [10.96.6.1]
                  location: MESH_INTERNAL
                  resolution: STATIC
                  ports: [{number: 8080, name: http, protocol: HTTP}]
                  endpoints: [{address: 10.0.6.1}]
                ---
                apiVersion: networking.istio.io/v1
                kind: Sidecar
                metadata: {name: narrow, namespace: team}
                spec:
                  workloadSelector: {labels: {app: narrow}}
                  egress:
                  - hosts: ["./*"]
                """);
        PushContext push = env.env.snapshot();
        Proxy narrow = sidecar("10.0.5.10", "narrow", "team", Map.of("app", "narrow"));
        Proxy wide = sidecar("10.0.5.11", "wide", "team", Map.of("app", "wide"));
        Set<String> narrowClusters = clusters(narrow, push);
        Set<String> wideClusters = clusters(wide, push);
        assertThat(narrowClusters)
                .contains("outbound|8080||near.team.svc.cluster.local")
                .doesNotContain("outbound|8080||far.other.svc.cluster.local");
        assertThat(wideClusters)
                .contains("outbound|8080||near.team.svc.cluster.local", "outbound|8080||far.other.svc.cluster.local");
    }

    /** Proxies with the same view share one generated set, not equal copies. */
    @Test
    void proxiesWithTheSameViewShareOneSet() {
        Registry r = new Registry();
        r.put(0, "10.0.0.1");
        r.put(1, "10.0.1.1");
        PushContext push = r.env.snapshot();
        Proxy a = sidecar("10.9.0.1", "a", "default", Map.of("app", "a"));
        Proxy b = sidecar("10.9.0.2", "b", "default", Map.of("app", "b"));
        for (TypeUrl t : List.of(TypeUrl.CLUSTER, TypeUrl.LISTENER)) {
            assertThat(GENERATORS.get(t).resources(a, push, Set.of()))
                    .as(t.shortName())
                    .isSameAs(GENERATORS.get(t).resources(b, push, Set.of()));
        }
        Set<String> eds = Set.of(cluster(0), cluster(1));
        assertThat(GENERATORS.get(TypeUrl.ENDPOINT).resources(a, push, eds))
                .isSameAs(GENERATORS.get(TypeUrl.ENDPOINT).resources(b, push, eds));
    }

    @Test
    void anEndpointChangeRebuildsOnlyThatServicesEndpoints() {
        Registry r = new Registry();
        r.put(0, "10.0.0.1");
        r.put(1, "10.0.1.1");
        Proxy p = sidecar("10.9.0.1", "a", "default", Map.of());
        Set<String> names = Set.of(cluster(0), cluster(1));
        SortedMap<String, XdsResource> before = GENERATORS.get(TypeUrl.ENDPOINT).generate(p, r.env.snapshot(), names);
        long misses = r.env.xdsCache().misses();

        r.put(0, "10.0.0.2");
        SortedMap<String, XdsResource> after = GENERATORS.get(TypeUrl.ENDPOINT).generate(p, r.env.snapshot(), names);

        assertThat(address(after.get(cluster(0)))).isEqualTo("10.0.0.2");
        assertThat(after.get(cluster(1)))
                .as("the unchanged service's endpoints are kept from the last push")
                .isSameAs(before.get(cluster(1)));
        assertThat(r.env.xdsCache().misses() - misses).as("builds for the push").isEqualTo(1);
    }

    @Test
    void aNewServiceBuildsOnlyItsOwnClustersAndARemovedOneLeavesTheCache() {
        Registry r = new Registry();
        r.put(0, "10.0.0.1");
        r.put(1, "10.0.1.1");
        Proxy p = sidecar("10.9.0.1", "a", "default", Map.of());
        SortedMap<String, XdsResource> before = GENERATORS.get(TypeUrl.CLUSTER).generate(p, r.env.snapshot(), Set.of());
        int entries = r.env.xdsCache().size();

        r.put(2, "10.0.2.1");
        SortedMap<String, XdsResource> after = GENERATORS.get(TypeUrl.CLUSTER).generate(p, r.env.snapshot(), Set.of());
        assertThat(after).containsKey(cluster(2));
        assertThat(after.get(cluster(0))).isSameAs(before.get(cluster(0)));
        assertThat(after.get(cluster(1))).isSameAs(before.get(cluster(1)));
        assertThat(r.env.xdsCache().size()).isEqualTo(entries + 1);

        r.remove(1);
        SortedMap<String, XdsResource> removed =
                GENERATORS.get(TypeUrl.CLUSTER).generate(p, r.env.snapshot(), Set.of());
        assertThat(removed).doesNotContainKey(cluster(1));
        assertThat(r.env.xdsCache().size())
                .as("the removed service's entry is dropped when the next push is taken")
                .isEqualTo(entries);
    }

    @Test
    void aRoutingConfigChangeRebuildsWhatItShapes() {
        Registry r = new Registry();
        r.put(0, "10.0.0.1");
        Proxy p = sidecar("10.9.0.1", "a", "default", Map.of());
        PushContext first = r.env.snapshot();
        Cluster before = (Cluster) GENERATORS
                .get(TypeUrl.CLUSTER)
                .generate(p, first, Set.of())
                .get(cluster(0))
                .message();

        r.routing = new ConnectTimeout(7);
        Cluster after = (Cluster) GENERATORS
                .get(TypeUrl.CLUSTER)
                .generate(p, r.env.snapshot(), Set.of())
                .get(cluster(0))
                .message();

        assertThat(before.getConnectTimeout().getSeconds()).isNotEqualTo(7);
        assertThat(after.getConnectTimeout().getSeconds()).isEqualTo(7);
    }

    @Test
    void theFirstFailedBuildIsNotKept() {
        XdsCache cache = new XdsCache();
        XdsCache.Key key = push -> true;
        Supplier<String> failing = () -> {
            throw new IllegalStateException("boom");
        };
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> cache.get(key, failing))
                .hasMessage("boom");
        assertThat(cache.size()).isZero();
        assertThat((String) cache.get(key, () -> "built")).isEqualTo("built");
        assertThat((String) cache.get(key, () -> "again")).isEqualTo("built");
    }

    @Test
    void entriesNobodyReadsForTheIdleTimeAreDropped() {
        java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong();
        XdsCache cache = new XdsCache(java.time.Duration.ofSeconds(10), now::get);
        XdsCache.Key read = push -> true;
        XdsCache.Key left = push -> true;
        cache.get(read, () -> "kept");
        cache.get(left, () -> "dropped");
        now.addAndGet(java.time.Duration.ofSeconds(8).toNanos());
        cache.get(read, () -> "rebuilt");
        now.addAndGet(java.time.Duration.ofSeconds(8).toNanos());
        cache.retainCurrent(PushContext.empty(MeshSettings.DEFAULT));
        assertThat(cache.size()).isEqualTo(1);
        assertThat((String) cache.get(read, () -> "rebuilt")).isEqualTo("kept");
        assertThat((String) cache.get(left, () -> "rebuilt")).isEqualTo("rebuilt");
    }

    static String cluster(int i) {
        return "outbound|8080||" + host(i);
    }

    static String host(int i) {
        return "svc-" + i + ".default.svc.cluster.local";
    }

    static String address(XdsResource r) {
        return ((ClusterLoadAssignment) r.message())
                .getEndpoints(0)
                .getLbEndpoints(0)
                .getEndpoint()
                .getAddress()
                .getSocketAddress()
                .getAddress();
    }

    static Set<String> clusters(Proxy p, PushContext push) {
        return GENERATORS.get(TypeUrl.CLUSTER).generate(p, push, Set.of()).keySet();
    }

    /** Services built in code, one endpoint each, and a routing config the test can replace. */
    static final class Registry {
        final MemoryRegistry registry = new MemoryRegistry("test");
        final Map<String, Service> services = new LinkedHashMap<>();
        final Map<String, List<Workload>> endpoints = new LinkedHashMap<>();
        volatile RoutingConfig routing = RoutingConfig.EMPTY;
        final Environment env;

        Registry() {
            AggregateRegistry agg = new AggregateRegistry();
            agg.add(registry);
            env = new Environment(MeshSettings.DEFAULT, agg, () -> routing, List::of);
        }

        void put(int i, String ip) {
            services.put(
                    host(i),
                    Service.internal(
                            host(i), "default", List.of("10.96.0." + i), List.of(ServicePort.named("http", 8080))));
            endpoints.put(host(i), List.of(Workload.of("w-" + i, "default", ip, Map.of("app", "svc-" + i))));
            registry.replaceServices(List.copyOf(services.values()), endpoints);
        }

        void remove(int i) {
            services.remove(host(i));
            endpoints.remove(host(i));
            registry.replaceServices(List.copyOf(services.values()), endpoints);
        }
    }

    /** A routing config whose DestinationRule-like policy sets every cluster's connect timeout. */
    static final class ConnectTimeout extends RoutingConfig {
        private final long seconds;

        ConnectTimeout(long seconds) {
            this.seconds = seconds;
        }

        @Override
        public ClusterPolicy clusterPolicy() {
            return new ClusterPolicy() {
                @Override
                public Cluster apply(
                        Proxy proxy,
                        PushContext push,
                        Service s,
                        ServicePort p,
                        dev.trellis.xds.naming.ClusterName name,
                        Cluster base) {
                    return base.toBuilder()
                            .setConnectTimeout(Duration.newBuilder().setSeconds(seconds))
                            .build();
                }
            };
        }
    }

    /** Istio config from YAML through the real loader, behind an Environment whose snapshots share one cache. */
    static final class ConfigEnv {
        final Environment env;

        ConfigEnv(Path dir, String yaml) throws IOException {
            Path f = dir.resolve("mesh.yaml");
            Files.writeString(f, yaml);
            ConfigWatcher.FileLoad l = IstioFiles.load(f);
            assertThat(l.errors()).isEmpty();
            List<Resource<?>> all = new ArrayList<>(l.resources());
            MemoryRegistry registry = new MemoryRegistry("config");
            ConfigController controller = new ConfigController(MeshSettings.DEFAULT, registry, () -> {}, Map::of);
            controller.apply(all);
            AggregateRegistry agg = new AggregateRegistry();
            agg.add(registry);
            env = new Environment(MeshSettings.DEFAULT, agg, controller::routing, controller::errors);
        }
    }
}
