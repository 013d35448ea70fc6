package dev.trellis.api.analyze;

import dev.trellis.api.model.Resource;
import dev.trellis.api.model.networking.HTTPMatchRequest;
import dev.trellis.api.model.networking.HTTPRoute;
import dev.trellis.api.model.networking.L4MatchAttributes;
import dev.trellis.api.model.networking.StringMatch;
import dev.trellis.api.model.networking.TLSMatchAttributes;
import dev.trellis.api.model.networking.VirtualService;
import dev.trellis.api.validation.rules.Checks;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * IST0130 and IST0131, Istio's {@code analyzeUnreachableHTTPRules} (and its TCP and TLS twins): a route after a
 * catch-all route or whose every match repeats an earlier one is never used (IST0130); a match that repeats an
 * earlier match, or whose URI prefix is covered by an earlier prefix match with the same other conditions, is not
 * used (IST0131).
 */
final class UnreachableRulesAnalyzer implements Analyzer {

    @Override
    public String name() {
        return "virtualservice.UnreachableRulesAnalyzer";
    }

    @Override
    public String description() {
        return "Checks for VirtualService rules and matches that can never be used";
    }

    @Override
    public void analyze(AnalysisContext ctx) {
        for (Resource<VirtualService> r : ctx.all(VirtualService.class)) {
            http(ctx, r);
            List<List<?>> tcp = new ArrayList<>();
            r.spec().tcpOrDefault().forEach(t -> tcp.add(t.match() == null ? List.<L4MatchAttributes>of() : t.match()));
            l4(ctx, r, "spec.tcp", tcp);
            List<List<?>> tls = new ArrayList<>();
            r.spec()
                    .tlsOrDefault()
                    .forEach(t -> tls.add(t.match() == null ? List.<TLSMatchAttributes>of() : t.match()));
            l4(ctx, r, "spec.tls", tls);
        }
    }

    private record PrefixMatch(
            String routeStr,
            String matchStr,
            String prefix,
            long port,
            String method,
            String authority,
            Map<String, String> headers,
            Map<String, String> queryParams,
            Map<String, String> withoutHeaders) {}

    private static void http(AnalysisContext ctx, Resource<VirtualService> r) {
        List<HTTPRoute> routes = r.spec().httpOrDefault();
        Map<String, Integer> seen = new HashMap<>();
        int emptyMatch = -1;
        List<PrefixMatch> prefixes = new ArrayList<>();
        for (int n = 0; n < routes.size(); n++) {
            HTTPRoute route = routes.get(n);
            String path = "spec.http[" + n + "]";
            if (route.matchOrDefault().isEmpty()) {
                if (emptyMatch >= 0) {
                    ctx.report(
                            MessageType.VIRTUAL_SERVICE_UNREACHABLE_RULE,
                            r,
                            path,
                            routeName(route, n),
                            "only the last rule can have no matches");
                }
                emptyMatch = n;
                continue;
            }
            int duplicates = 0;
            List<HTTPMatchRequest> matches = route.matchOrDefault();
            for (int m = 0; m < matches.size(); m++) {
                HTTPMatchRequest match = matches.get(m);
                String key = canonical(match);
                Integer dup = seen.get(key);
                if (dup != null) {
                    ctx.report(
                            MessageType.VIRTUAL_SERVICE_INEFFECTIVE_MATCH,
                            r,
                            path + ".match[" + m + "]",
                            routeName(route, n),
                            matchName(match, m),
                            routeName(routes.get(dup), dup));
                    duplicates++;
                    continue;
                }
                seen.put(key, n);
                PrefixMatch pm = prefixMatch(route, n, match, m);
                if (pm != null) {
                    prefixes.add(pm);
                }
            }
            if (duplicates == matches.size()) {
                ctx.report(
                        MessageType.VIRTUAL_SERVICE_UNREACHABLE_RULE,
                        r,
                        path,
                        routeName(route, n),
                        "all matches used by prior rules");
            }
        }
        for (int a = 0; a < prefixes.size(); a++) {
            PrefixMatch earlier = prefixes.get(a);
            for (int b = a + 1; b < prefixes.size(); b++) {
                PrefixMatch later = prefixes.get(b);
                if (later.prefix().equals(earlier.prefix())) {
                    continue;
                }
                if (covered(earlier, later)) {
                    ctx.report(
                            MessageType.VIRTUAL_SERVICE_INEFFECTIVE_MATCH,
                            r,
                            "spec.http",
                            later.routeStr(),
                            later.matchStr() + " of prefix " + later.prefix(),
                            earlier.matchStr() + " of prefix " + earlier.prefix() + " on " + earlier.routeStr());
                }
            }
        }
    }

    private static void l4(AnalysisContext ctx, Resource<VirtualService> r, String base, List<List<?>> routes) {
        Map<Object, Integer> seen = new HashMap<>();
        int emptyMatch = -1;
        for (int n = 0; n < routes.size(); n++) {
            List<?> matches = routes.get(n);
            String path = base + "[" + n + "]";
            if (matches.isEmpty()) {
                if (emptyMatch >= 0) {
                    ctx.report(
                            MessageType.VIRTUAL_SERVICE_UNREACHABLE_RULE,
                            r,
                            path,
                            "#" + n,
                            "only the last rule can have no matches");
                }
                emptyMatch = n;
                continue;
            }
            int duplicates = 0;
            for (int m = 0; m < matches.size(); m++) {
                Object match = matches.get(m);
                Integer dup = seen.get(match);
                if (dup != null) {
                    ctx.report(
                            MessageType.VIRTUAL_SERVICE_INEFFECTIVE_MATCH,
                            r,
                            path + ".match[" + m + "]",
                            "#" + n,
                            "#" + m,
                            "#" + dup);
                    duplicates++;
                } else {
                    seen.put(match, n);
                }
            }
            if (duplicates == matches.size()) {
                ctx.report(
                        MessageType.VIRTUAL_SERVICE_UNREACHABLE_RULE,
                        r,
                        path,
                        "#" + n,
                        "all matches used by prior rules");
            }
        }
    }

    private static String routeName(HTTPRoute route, int n) {
        return route.name() != null && !route.name().isEmpty() ? Checks.q(route.name()) : "#" + n;
    }

    private static String matchName(HTTPMatchRequest m, int n) {
        return m.name() != null && !m.name().isEmpty() ? Checks.q(m.name()) : "#" + n;
    }

    /** The match without its name, with maps in key order, so that equal matches have equal keys. */
    private static String canonical(HTTPMatchRequest m) {
        HTTPMatchRequest c = new HTTPMatchRequest(
                m.authority(),
                m.gateways(),
                sorted(m.headers()),
                m.ignoreUriCase(),
                m.method(),
                null,
                m.port(),
                sorted(m.queryParams()),
                m.scheme(),
                sorted(m.sourceLabels()),
                m.sourceNamespace(),
                m.statPrefix(),
                m.uri(),
                sorted(m.withoutHeaders()));
        return c.toString();
    }

    private static <V> Map<String, V> sorted(Map<String, V> m) {
        return m == null ? null : new TreeMap<>(m);
    }

    private static String exactOrPrefix(StringMatch sm) {
        if (sm == null) {
            return "";
        }
        if (sm.exact() != null && !sm.exact().isEmpty()) {
            return "exact:" + sm.exact();
        }
        if (sm.prefix() != null && !sm.prefix().isEmpty()) {
            return "prefix:" + sm.prefix();
        }
        return "";
    }

    private static Map<String, String> exactOrPrefix(Map<String, StringMatch> m) {
        Map<String, String> out = new HashMap<>();
        if (m != null) {
            m.forEach((k, v) -> out.put(k, exactOrPrefix(v)));
        }
        return out;
    }

    private static PrefixMatch prefixMatch(HTTPRoute route, int n, HTTPMatchRequest m, int mn) {
        if (m.uri() == null || m.uri().prefix() == null || m.uri().prefix().isEmpty()) {
            return null;
        }
        String method = exactOrPrefix(m.method());
        if (method.isEmpty()) {
            method = "exact:GET";
        }
        return new PrefixMatch(
                routeName(route, n),
                matchName(m, mn),
                m.uri().prefix(),
                m.port() == null ? 0 : m.port(),
                method,
                exactOrPrefix(m.authority()),
                exactOrPrefix(m.headers()),
                exactOrPrefix(m.queryParams()),
                exactOrPrefix(m.withoutHeaders()));
    }

    /** Istio's {@code coveredValidation}: the earlier prefix match catches every request the later one would. */
    private static boolean covered(PrefixMatch a, PrefixMatch b) {
        if (!b.prefix().startsWith(a.prefix()) || b.port() != a.port()) {
            return false;
        }
        if (!a.method().equals(b.method()) && !a.method().startsWith(b.method())) {
            return false;
        }
        if (!a.authority().equals(b.authority()) && !a.authority().startsWith(b.authority())) {
            return false;
        }
        return mapCovered(a.headers(), b.headers())
                && mapCovered(a.queryParams(), b.queryParams())
                && mapCovered(a.withoutHeaders(), b.withoutHeaders());
    }

    private static boolean mapCovered(Map<String, String> a, Map<String, String> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (Map.Entry<String, String> e : a.entrySet()) {
            String other = b.get(e.getKey());
            if (other == null) {
                return false;
            }
            if (!e.getValue().equals(other) && !e.getValue().startsWith(other)) {
                return false;
            }
        }
        return true;
    }
}
