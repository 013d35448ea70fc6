package dev.trellis.bench.jmh;

import dev.trellis.proxy.route.Route;
import dev.trellis.proxy.route.RouteCompiler;
import dev.trellis.proxy.route.RouteTable;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Route matching over 1,000 routes in one virtual host, as a mesh's catch-all host grows: which route the request hits
 * decides how many matchers run (routes match in order, the first wins). {@code kind} chooses prefix-only routes or
 * routes that also match a header (as VirtualService {@code headers} matches compile to).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RouteMatchBenchmark {

    static final int ROUTES = 1000;

    @Param({"first", "middle", "last", "none"})
    public String target;

    @Param({"prefix", "prefix+header"})
    public String kind;

    RouteTable table;
    Requests request;

    @Setup
    public void setUp() {
        VirtualHost.Builder vh = VirtualHost.newBuilder().setName("all").addDomains("*");
        for (int i = 0; i < ROUTES; i++) {
            io.envoyproxy.envoy.config.route.v3.RouteMatch.Builder m =
                    io.envoyproxy.envoy.config.route.v3.RouteMatch.newBuilder().setPrefix("/svc" + i + "/");
            if (kind.equals("prefix+header")) {
                m.addHeaders(HeaderMatcher.newBuilder()
                        .setName("x-version")
                        .setStringMatch(StringMatcher.newBuilder().setExact("v" + (i % 3))));
            }
            vh.addRoutes(io.envoyproxy.envoy.config.route.v3.Route.newBuilder()
                    .setName("r" + i)
                    .setMatch(m)
                    .setRoute(RouteAction.newBuilder().setCluster("cluster-" + i)));
        }
        table = RouteCompiler.compile(
                RouteConfiguration.newBuilder()
                        .setName("bench")
                        .addVirtualHosts(vh)
                        .build(),
                "1");
        int index =
                switch (target) {
                    case "first" -> 0;
                    case "middle" -> ROUTES / 2;
                    case "last" -> ROUTES - 1;
                    default -> -1;
                };
        String path = index < 0 ? "/nowhere/items/42" : "/svc" + index + "/items/42";
        request = new Requests(
                "reviews.default.svc.cluster.local:9080",
                path,
                "",
                "GET",
                Map.of("x-version", "v" + (Math.max(index, 0) % 3), "user-agent", "bench"));
        Route r = table.virtualHost(request.authority()).route(request);
        if ((r == null) != (index < 0)) {
            throw new IllegalStateException("route table does not match as expected for " + target);
        }
    }

    @Benchmark
    public Route match() {
        return table.virtualHost(request.authority()).route(request);
    }
}
