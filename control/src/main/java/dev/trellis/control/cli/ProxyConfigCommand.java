package dev.trellis.control.cli;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import dev.trellis.control.debug.ProtoJson;
import dev.trellis.xds.naming.ClusterName;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code trellis proxy-config listeners|routes|clusters|endpoints|all <proxy>}: what one proxy was sent. */
@Command(
        name = "proxy-config",
        mixinStandardHelpOptions = true,
        description = "Show the listeners, routes, clusters or endpoints the control plane sent to one proxy.")
public final class ProxyConfigCommand implements Callable<Integer> {

    /** The kinds of config to show. */
    public enum Kind {
        listeners,
        routes,
        clusters,
        endpoints,
        all
    }

    @Parameters(index = "0", paramLabel = "TYPE", description = "listeners, routes, clusters, endpoints or all.")
    Kind kind;

    @Parameters(index = "1", paramLabel = "PROXY", description = "Proxy id, a unique part of it, or a connection id.")
    String proxy;

    @CommandLine.Mixin
    DebugEndpointOptions debug;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        String body =
                debug.fetch(spec, "/debug/config_dump?proxyID=" + URLEncoder.encode(proxy, StandardCharsets.UTF_8));
        if (body == null) {
            return 1;
        }
        try {
            Struct dump = Struct.newBuilder().build();
            Struct.Builder b = Struct.newBuilder();
            JsonFormat.parser().merge(body, b);
            dump = b.build();
            if (debug.json()) {
                if (kind == Kind.all) {
                    out.println(body);
                } else {
                    out.println(JsonFormat.printer().print(dump.getFieldsOrThrow(kind.name())));
                }
                out.flush();
                return 0;
            }
            for (Kind k : kind == Kind.all
                    ? List.of(Kind.listeners, Kind.routes, Kind.clusters, Kind.endpoints)
                    : List.of(kind)) {
                if (kind == Kind.all) {
                    out.println("--- " + k + " ---");
                }
                Tables.print(out, table(k, resources(dump, k.name())));
                if (kind == Kind.all) {
                    out.println();
                }
            }
            out.flush();
            return 0;
        } catch (IOException | RuntimeException e) {
            spec.commandLine().getErr().println("trellis proxy-config: unexpected answer: " + e.getMessage());
            return 1;
        }
    }

    private static List<String> resources(Struct dump, String key) throws IOException {
        List<String> out = new ArrayList<>();
        Value section = dump.getFieldsOrDefault(key, Value.getDefaultInstance());
        Value list = section.getStructValue().getFieldsOrDefault("resources", Value.getDefaultInstance());
        for (Value v : list.getListValue().getValuesList()) {
            out.add(JsonFormat.printer().print(v));
        }
        return out;
    }

    static List<List<String>> table(Kind kind, List<String> jsons) throws IOException {
        List<List<String>> rows = new ArrayList<>();
        switch (kind) {
            case clusters -> {
                rows.add(List.of("SERVICE FQDN", "PORT", "SUBSET", "DIRECTION", "TYPE"));
                for (String j : jsons) {
                    Cluster.Builder c = Cluster.newBuilder();
                    ProtoJson.parse(j, c);
                    ClusterName n = ClusterName.tryParse(c.getName());
                    if (n == null) {
                        rows.add(List.of(c.getName(), "-", "-", "-", c.getType().name()));
                    } else {
                        rows.add(List.of(
                                n.host().isEmpty() ? "" : n.host(),
                                Integer.toString(n.port()),
                                n.subset().isEmpty() ? "-" : n.subset(),
                                n.direction().text(),
                                c.getType().name()));
                    }
                }
            }
            case listeners -> {
                rows.add(List.of("NAME", "ADDRESS", "PORT", "MATCH", "DESTINATION"));
                for (String j : jsons) {
                    Listener.Builder l = Listener.newBuilder();
                    ProtoJson.parse(j, l);
                    String address = l.getAddress().getSocketAddress().getAddress();
                    String port = l.hasAddress()
                            ? Integer.toString(l.getAddress().getSocketAddress().getPortValue())
                            : "-";
                    if (l.hasApiListener()) {
                        rows.add(List.of(l.getName(), "-", "-", "API listener", "Route: " + l.getName()));
                        continue;
                    }
                    for (FilterChain fc : l.getFilterChainsList()) {
                        String match = fc.getFilterChainMatch().hasDestinationPort()
                                ? "port "
                                        + fc.getFilterChainMatch()
                                                .getDestinationPort()
                                                .getValue()
                                : "ALL";
                        rows.add(List.of(l.getName(), address, port, match, destination(fc)));
                    }
                }
            }
            case routes -> {
                rows.add(List.of("NAME", "VIRTUAL HOST", "DOMAINS", "MATCH", "DESTINATION"));
                for (String j : jsons) {
                    RouteConfiguration.Builder rc = RouteConfiguration.newBuilder();
                    ProtoJson.parse(j, rc);
                    for (VirtualHost vh : rc.getVirtualHostsList()) {
                        String domains = vh.getDomainsCount() == 0
                                ? ""
                                : vh.getDomains(0)
                                        + (vh.getDomainsCount() > 1 ? " +" + (vh.getDomainsCount() - 1) + " more" : "");
                        for (Route r : vh.getRoutesList()) {
                            rows.add(List.of(rc.getName(), vh.getName(), domains, match(r), routeDestination(r)));
                        }
                    }
                }
            }
            case endpoints -> {
                rows.add(List.of("ENDPOINT", "STATUS", "WEIGHT", "LOCALITY", "CLUSTER"));
                for (String j : jsons) {
                    ClusterLoadAssignment.Builder cla = ClusterLoadAssignment.newBuilder();
                    ProtoJson.parse(j, cla);
                    for (LocalityLbEndpoints group : cla.getEndpointsList()) {
                        String locality = group.getLocality().getRegion()
                                + (group.getLocality().getZone().isEmpty()
                                        ? ""
                                        : "/" + group.getLocality().getZone());
                        for (LbEndpoint e : group.getLbEndpointsList()) {
                            var sa = e.getEndpoint().getAddress().getSocketAddress();
                            rows.add(List.of(
                                    sa.getAddress() + ":" + sa.getPortValue(),
                                    e.getHealthStatus().name(),
                                    Integer.toString(e.getLoadBalancingWeight().getValue()),
                                    locality.isEmpty() ? "-" : locality,
                                    cla.getClusterName()));
                        }
                    }
                }
            }
            case all -> throw new IllegalArgumentException("all is printed section by section");
        }
        return rows;
    }

    private static String destination(FilterChain fc) throws IOException {
        for (Filter f : fc.getFiltersList()) {
            if (f.getTypedConfig().is(HttpConnectionManager.class)) {
                return "Route: "
                        + f.getTypedConfig()
                                .unpack(HttpConnectionManager.class)
                                .getRds()
                                .getRouteConfigName();
            }
            if (f.getTypedConfig().is(TcpProxy.class)) {
                return "Cluster: " + f.getTypedConfig().unpack(TcpProxy.class).getCluster();
            }
        }
        return "-";
    }

    private static String match(Route r) {
        var m = r.getMatch();
        String path = m.hasSafeRegex()
                ? m.getSafeRegex().getRegex()
                : !m.getPath().isEmpty() ? m.getPath() : m.getPrefix() + "*";
        if (m.getHeadersCount() > 0) {
            path += " (" + m.getHeadersCount() + " header match" + (m.getHeadersCount() > 1 ? "es" : "") + ")";
        }
        return path;
    }

    private static String routeDestination(Route r) {
        if (r.hasDirectResponse()) {
            return "direct response " + r.getDirectResponse().getStatus();
        }
        if (r.hasRedirect()) {
            return "redirect";
        }
        var a = r.getRoute();
        if (a.hasWeightedClusters()) {
            List<String> parts = new ArrayList<>();
            a.getWeightedClusters()
                    .getClustersList()
                    .forEach(c -> parts.add(c.getName() + " " + c.getWeight().getValue() + "%"));
            return String.join(", ", parts);
        }
        return a.getCluster();
    }
}
