package dev.trellis.proxy.route;

import com.google.re2j.Pattern;
import dev.trellis.proxy.config.ConfigException;
import dev.trellis.proxy.config.Fields;
import io.envoyproxy.envoy.config.route.v3.DirectResponseAction;
import io.envoyproxy.envoy.config.route.v3.QueryParameterMatcher;
import io.envoyproxy.envoy.config.route.v3.RedirectAction;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Compiles a {@code RouteConfiguration} into a {@link RouteTable}, naming the offending field on bad input. */
public final class RouteCompiler {
    private RouteCompiler() {}

    /** Envoy's default route timeout. */
    public static final long DEFAULT_TIMEOUT_MS = 15_000;

    private static final Set<String> CONFIG_FIELDS = Set.of(
            "name",
            "virtual_hosts",
            "request_headers_to_add",
            "request_headers_to_remove",
            "response_headers_to_add",
            "response_headers_to_remove",
            "internal_only_headers",
            "validate_clusters",
            "ignore_port_in_host_matching",
            "most_specific_header_mutations_wins",
            "max_direct_response_body_size_bytes");

    private static final Set<String> VHOST_FIELDS = Set.of(
            "name",
            "domains",
            "routes",
            "request_headers_to_add",
            "request_headers_to_remove",
            "response_headers_to_add",
            "response_headers_to_remove",
            "typed_per_filter_config",
            // Retries arrive with the resilience issue; accepted so Istio's routes load (they carry a retry policy).
            "retry_policy",
            "include_request_attempt_count",
            "include_attempt_count_in_response");

    private static final Set<String> ROUTE_FIELDS = Set.of(
            "name",
            "match",
            "route",
            "redirect",
            "direct_response",
            "request_headers_to_add",
            "request_headers_to_remove",
            "response_headers_to_add",
            "response_headers_to_remove",
            "typed_per_filter_config",
            "metadata",
            "decorator");

    private static final Set<String> MATCH_FIELDS = Set.of(
            "prefix",
            "path",
            "safe_regex",
            "path_separated_prefix",
            "case_sensitive",
            "headers",
            "query_parameters",
            "grpc",
            "runtime_fraction");

    private static final Set<String> ACTION_FIELDS = Set.of(
            "cluster",
            "weighted_clusters",
            "cluster_header",
            "prefix_rewrite",
            "regex_rewrite",
            "host_rewrite_literal",
            "auto_host_rewrite",
            "host_rewrite_header",
            "timeout",
            "idle_timeout",
            "hash_policy",
            "upgrade_configs",
            "cluster_not_found_response_code",
            // Accepted, applied by later issues (retries, gRPC timeouts); see the package docs.
            "retry_policy",
            "max_stream_duration",
            "max_grpc_timeout");

    public static RouteTable compile(RouteConfiguration rc, String version) {
        String where = "route configuration \"" + rc.getName() + "\"";
        Fields.requireOnly(rc, where, CONFIG_FIELDS);
        List<VirtualHost> vhs = new ArrayList<>();
        for (int i = 0; i < rc.getVirtualHostsCount(); i++) {
            var vh = rc.getVirtualHosts(i);
            String vw = where + " virtual_hosts[" + i + "] \"" + vh.getName() + "\"";
            Fields.requireOnly(vh, vw, VHOST_FIELDS);
            if (vh.getDomainsCount() == 0) {
                throw new ConfigException(vw + ": field 'domains' must not be empty");
            }
            List<Route> routes = new ArrayList<>();
            for (int j = 0; j < vh.getRoutesCount(); j++) {
                routes.add(route(vh.getRoutes(j), vw + " routes[" + j + "]"));
            }
            vhs.add(new VirtualHost(
                    vh.getName(),
                    List.copyOf(vh.getDomainsList()),
                    List.copyOf(routes),
                    HeaderMutation.compile(vh.getRequestHeadersToAddList(), vh.getRequestHeadersToRemoveList(), vw),
                    HeaderMutation.compile(vh.getResponseHeadersToAddList(), vh.getResponseHeadersToRemoveList(), vw)));
        }
        return new RouteTable(
                rc.getName(),
                version,
                vhs,
                rc.getIgnorePortInHostMatching(),
                HeaderMutation.compile(rc.getRequestHeadersToAddList(), rc.getRequestHeadersToRemoveList(), where),
                HeaderMutation.compile(rc.getResponseHeadersToAddList(), rc.getResponseHeadersToRemoveList(), where),
                rc.getMostSpecificHeaderMutationsWins(),
                rc);
    }

    static Route route(io.envoyproxy.envoy.config.route.v3.Route r, String where) {
        Fields.requireOnly(r, where, ROUTE_FIELDS);
        RouteMatch match = match(r.getMatch(), where + " match");
        Route.Action action =
                switch (r.getActionCase()) {
                    case ROUTE -> forward(r.getRoute(), where + " route");
                    case REDIRECT -> redirect(r.getRedirect(), where + " redirect");
                    case DIRECT_RESPONSE -> direct(r.getDirectResponse(), where + " direct_response");
                    default ->
                        throw new ConfigException(where + ": one of 'route', 'redirect', 'direct_response' is required"
                                + (r.getActionCase()
                                                == io.envoyproxy.envoy.config.route.v3.Route.ActionCase.ACTION_NOT_SET
                                        ? ""
                                        : " ('" + r.getActionCase() + "' is not supported)"));
                };
        return new Route(
                r.getName(),
                match,
                action,
                HeaderMutation.compile(r.getRequestHeadersToAddList(), r.getRequestHeadersToRemoveList(), where),
                HeaderMutation.compile(r.getResponseHeadersToAddList(), r.getResponseHeadersToRemoveList(), where),
                Fields.hasEntries(r, "typed_per_filter_config") ? r.getTypedPerFilterConfigMap() : Map.of());
    }

    static RouteMatch match(io.envoyproxy.envoy.config.route.v3.RouteMatch m, String where) {
        Fields.requireOnly(m, where, MATCH_FIELDS);
        boolean cs = !m.hasCaseSensitive() || m.getCaseSensitive().getValue();
        RouteMatch.PathKind kind;
        String value = "";
        Pattern regex = null;
        switch (m.getPathSpecifierCase()) {
            case PREFIX -> {
                kind = RouteMatch.PathKind.PREFIX;
                value = m.getPrefix();
            }
            case PATH -> {
                kind = RouteMatch.PathKind.PATH;
                value = m.getPath();
            }
            case SAFE_REGEX -> {
                kind = RouteMatch.PathKind.REGEX;
                regex = StringMatch.regex(m.getSafeRegex().getRegex(), where + " safe_regex");
            }
            case PATH_SEPARATED_PREFIX -> {
                kind = RouteMatch.PathKind.SEPARATED_PREFIX;
                value = m.getPathSeparatedPrefix();
                if (value.contains("?") || value.contains("#") || (value.endsWith("/") && value.length() > 1)) {
                    throw new ConfigException(where + ": path_separated_prefix '" + value
                            + "' must not contain '?' or '#' nor end with '/'");
                }
            }
            default ->
                throw new ConfigException(where + ": a path specifier (prefix, path, safe_regex,"
                        + " path_separated_prefix) is required");
        }
        List<HeaderMatch> headers = new ArrayList<>();
        for (int i = 0; i < m.getHeadersCount(); i++) {
            headers.add(HeaderMatch.compile(m.getHeaders(i), where + " headers[" + i + "]"));
        }
        List<RouteMatch.QueryMatch> queries = new ArrayList<>();
        for (int i = 0; i < m.getQueryParametersCount(); i++) {
            QueryParameterMatcher q = m.getQueryParameters(i);
            String qw = where + " query_parameters[" + i + "]";
            if (q.hasPresentMatch()) {
                queries.add(new RouteMatch.QueryMatch(q.getName(), null, q.getPresentMatch()));
            } else if (q.hasStringMatch()) {
                queries.add(new RouteMatch.QueryMatch(q.getName(), StringMatch.compile(q.getStringMatch(), qw), false));
            } else {
                queries.add(new RouteMatch.QueryMatch(q.getName(), null, true));
            }
        }
        int num = 0;
        int den = 0;
        if (m.hasRuntimeFraction()) {
            var f = m.getRuntimeFraction().getDefaultValue();
            num = f.getNumerator();
            den = switch (f.getDenominator()) {
                case HUNDRED -> 100;
                case TEN_THOUSAND -> 10_000;
                case MILLION -> 1_000_000;
                default -> throw new ConfigException(where + " runtime_fraction: unknown denominator");
            };
        }
        return new RouteMatch(
                kind, value, regex, cs, List.copyOf(headers), List.copyOf(queries), m.hasGrpc(), num, den);
    }

    static Route.Forward forward(RouteAction a, String where) {
        Fields.requireOnly(a, where, ACTION_FIELDS);
        String cluster = null;
        List<Route.WeightedCluster> weighted = List.of();
        int[] cumulative = null;
        String clusterHeader = null;
        switch (a.getClusterSpecifierCase()) {
            case CLUSTER -> cluster = a.getCluster();
            case CLUSTER_HEADER -> clusterHeader = a.getClusterHeader().toLowerCase(java.util.Locale.ROOT);
            case WEIGHTED_CLUSTERS -> {
                WeightedCluster wc = a.getWeightedClusters();
                List<Route.WeightedCluster> list = new ArrayList<>();
                cumulative = new int[wc.getClustersCount()];
                int sum = 0;
                for (int i = 0; i < wc.getClustersCount(); i++) {
                    var c = wc.getClusters(i);
                    String cw = where + " weighted_clusters.clusters[" + i + "]";
                    if (c.getName().isEmpty()) {
                        throw new ConfigException(cw + ": field 'name' is required");
                    }
                    int w = c.hasWeight() ? c.getWeight().getValue() : 0;
                    sum += w;
                    cumulative[i] = sum;
                    list.add(new Route.WeightedCluster(
                            c.getName(),
                            w,
                            HeaderMutation.compile(
                                    c.getRequestHeadersToAddList(), c.getRequestHeadersToRemoveList(), cw),
                            HeaderMutation.compile(
                                    c.getResponseHeadersToAddList(), c.getResponseHeadersToRemoveList(), cw)));
                }
                if (sum == 0) {
                    throw new ConfigException(where + " weighted_clusters: the weights sum to 0");
                }
                if (wc.hasTotalWeight() && wc.getTotalWeight().getValue() != sum) {
                    throw new ConfigException(where + " weighted_clusters: total_weight "
                            + wc.getTotalWeight().getValue() + " differs from the sum of weights " + sum);
                }
                weighted = List.copyOf(list);
            }
            default ->
                throw new ConfigException(
                        where + ": one of 'cluster', 'weighted_clusters', 'cluster_header'" + " is required");
        }
        Pattern rx = null;
        String subst = null;
        if (a.hasRegexRewrite()) {
            rx = StringMatch.regex(a.getRegexRewrite().getPattern().getRegex(), where + " regex_rewrite");
            subst = envoySubstitution(a.getRegexRewrite().getSubstitution());
        }
        List<HashPolicy> hp = new ArrayList<>();
        for (int i = 0; i < a.getHashPolicyCount(); i++) {
            var p = a.getHashPolicy(i);
            HashPolicy.Kind k;
            String n;
            HashPolicy.CookieSpec cookie = null;
            switch (p.getPolicySpecifierCase()) {
                case HEADER -> {
                    k = HashPolicy.Kind.HEADER;
                    n = p.getHeader().getHeaderName().toLowerCase(java.util.Locale.ROOT);
                }
                case COOKIE -> {
                    k = HashPolicy.Kind.COOKIE;
                    n = p.getCookie().getName();
                    if (n.isEmpty()) {
                        throw new ConfigException(where + " hash_policy[" + i + "].cookie: field 'name' is required");
                    }
                    if (p.getCookie().hasTtl()) {
                        List<java.util.Map.Entry<String, String>> attrs = new ArrayList<>();
                        for (var at : p.getCookie().getAttributesList()) {
                            attrs.add(java.util.Map.entry(at.getName(), at.getValue()));
                        }
                        cookie = new HashPolicy.CookieSpec(
                                p.getCookie().getTtl().getSeconds(),
                                p.getCookie().getPath(),
                                List.copyOf(attrs));
                    }
                }
                case CONNECTION_PROPERTIES -> {
                    k = HashPolicy.Kind.SOURCE_IP;
                    n = "";
                }
                case QUERY_PARAMETER -> {
                    k = HashPolicy.Kind.QUERY_PARAMETER;
                    n = p.getQueryParameter().getName();
                }
                default ->
                    throw new ConfigException(
                            where + " hash_policy[" + i + "]: " + p.getPolicySpecifierCase() + " is not supported");
            }
            hp.add(new HashPolicy(k, n, p.getTerminal(), cookie));
        }
        List<String> upgrades = new ArrayList<>();
        for (var u : a.getUpgradeConfigsList()) {
            if (!u.hasEnabled() || u.getEnabled().getValue()) {
                upgrades.add(u.getUpgradeType().toLowerCase(java.util.Locale.ROOT));
            }
        }
        return new Route.Forward(
                cluster,
                weighted,
                cumulative,
                clusterHeader,
                a.getPrefixRewrite().isEmpty() ? null : a.getPrefixRewrite(),
                rx,
                subst,
                a.getHostRewriteLiteral().isEmpty() ? null : a.getHostRewriteLiteral(),
                a.hasAutoHostRewrite() && a.getAutoHostRewrite().getValue(),
                a.getHostRewriteHeader().isEmpty()
                        ? null
                        : a.getHostRewriteHeader().toLowerCase(java.util.Locale.ROOT),
                a.hasTimeout() ? Fields.millis(a.getTimeout()) : DEFAULT_TIMEOUT_MS,
                a.hasIdleTimeout() ? Fields.millis(a.getIdleTimeout()) : -1,
                List.copyOf(hp),
                List.copyOf(upgrades));
    }

    /** Envoy's RE2 substitutions use {@code \1}; re2j uses {@code $1}. */
    static String envoySubstitution(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length() && Character.isDigit(s.charAt(i + 1))) {
                sb.append('$').append(s.charAt(++i));
            } else if (c == '$') {
                sb.append("\\$");
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    static Route.Redirect redirect(RedirectAction r, String where) {
        String scheme = r.getHttpsRedirect() ? "https" : r.getSchemeRedirect().isEmpty() ? null : r.getSchemeRedirect();
        Pattern rx = null;
        String subst = null;
        if (r.hasRegexRewrite()) {
            rx = StringMatch.regex(r.getRegexRewrite().getPattern().getRegex(), where + " regex_rewrite");
            subst = envoySubstitution(r.getRegexRewrite().getSubstitution());
        }
        int status =
                switch (r.getResponseCode()) {
                    case MOVED_PERMANENTLY -> 301;
                    case FOUND -> 302;
                    case SEE_OTHER -> 303;
                    case TEMPORARY_REDIRECT -> 307;
                    case PERMANENT_REDIRECT -> 308;
                    default -> throw new ConfigException(where + ": unknown response_code");
                };
        return new Route.Redirect(
                scheme,
                r.getHostRedirect().isEmpty() ? null : r.getHostRedirect(),
                r.getPortRedirect(),
                r.getPathRedirect().isEmpty() ? null : r.getPathRedirect(),
                r.getPrefixRewrite().isEmpty() ? null : r.getPrefixRewrite(),
                rx,
                subst,
                status,
                r.getStripQuery());
    }

    static Route.DirectResponse direct(DirectResponseAction d, String where) {
        if (d.getStatus() < 200 || d.getStatus() > 599) {
            throw new ConfigException(where + ": status " + d.getStatus() + " is not in [200, 599]");
        }
        byte[] body = new byte[0];
        if (d.hasBody()) {
            var b = d.getBody();
            body = switch (b.getSpecifierCase()) {
                case INLINE_STRING -> b.getInlineString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
                case INLINE_BYTES -> b.getInlineBytes().toByteArray();
                case FILENAME -> {
                    try {
                        yield Files.readAllBytes(Path.of(b.getFilename()));
                    } catch (IOException e) {
                        throw new ConfigException(
                                where + " body.filename: cannot read '" + b.getFilename() + "': " + e.getMessage());
                    }
                }
                default -> new byte[0];
            };
        }
        return new Route.DirectResponse(d.getStatus(), body);
    }
}
