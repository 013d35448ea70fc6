package dev.trellis.api.validation.rules;

import static dev.trellis.api.validation.rules.Checks.isEmpty;
import static dev.trellis.api.validation.rules.Checks.q;
import static dev.trellis.api.validation.rules.Report.f;
import static dev.trellis.api.validation.rules.Report.i;
import static dev.trellis.api.validation.rules.Report.k;

import dev.trellis.api.model.Resource;
import dev.trellis.api.model.networking.CorsPolicy;
import dev.trellis.api.model.networking.Destination;
import dev.trellis.api.model.networking.HTTPDirectResponse;
import dev.trellis.api.model.networking.HTTPFaultInjection;
import dev.trellis.api.model.networking.HTTPMatchRequest;
import dev.trellis.api.model.networking.HTTPMirrorPolicy;
import dev.trellis.api.model.networking.HTTPRedirect;
import dev.trellis.api.model.networking.HTTPRetry;
import dev.trellis.api.model.networking.HTTPRewrite;
import dev.trellis.api.model.networking.HTTPRoute;
import dev.trellis.api.model.networking.HTTPRouteDestination;
import dev.trellis.api.model.networking.Headers;
import dev.trellis.api.model.networking.L4MatchAttributes;
import dev.trellis.api.model.networking.Percent;
import dev.trellis.api.model.networking.RouteDestination;
import dev.trellis.api.model.networking.StringMatch;
import dev.trellis.api.model.networking.TCPRoute;
import dev.trellis.api.model.networking.TLSMatchAttributes;
import dev.trellis.api.model.networking.TLSRoute;
import dev.trellis.api.model.networking.VirtualService;
import dev.trellis.api.validation.Diagnostic;
import dev.trellis.api.validation.Validator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Istio's VirtualService rules ({@code ValidateVirtualService}): hosts, gateways, delegation, and every HTTP, TLS and
 * TCP route (destinations, weights, matches, regexes, redirects, rewrites, retries, faults, mirrors, CORS, headers).
 */
public final class VirtualServiceRule implements Validator<VirtualService> {

    static final String MESH = "mesh";

    @Override
    public Class<VirtualService> specType() {
        return VirtualService.class;
    }

    @Override
    public List<Diagnostic> validate(Resource<VirtualService> resource) {
        Report r = new Report(resource);
        VirtualService vs = resource.spec();
        List<String> hosts = vs.hostsOrDefault();
        boolean delegate = hosts.isEmpty();
        if (delegate) {
            if (!isEmpty(vs.gateways())) {
                r.error("spec.gateways", "delegate virtual service must have no gateways specified");
            }
            if (!isEmpty(vs.tls())) {
                r.error("spec.tls", "delegate virtual service must have no tls route specified");
            }
            if (!isEmpty(vs.tcp())) {
                r.error("spec.tcp", "delegate virtual service must have no tcp route specified");
            }
        }
        boolean appliesToGateway = false;
        boolean appliesToMesh = true;
        if (!isEmpty(vs.gateways())) {
            gatewayNames(r, "spec.gateways", vs.gateways());
            appliesToGateway = !vs.gateways().contains(MESH);
            appliesToMesh = !appliesToGateway;
        }
        if (!appliesToGateway) {
            List<HTTPRoute> http = vs.httpOrDefault();
            for (int n = 0; n < http.size(); n++) {
                List<HTTPMatchRequest> matches = http.get(n).matchOrDefault();
                for (int m = 0; m < matches.size(); m++) {
                    String at = i(f(i("spec.http", n), "match"), m);
                    jwtClaimKeys(r, f(at, "headers"), matches.get(m).headers(), vs.gateways());
                    jwtClaimKeys(r, f(at, "withoutHeaders"), matches.get(m).withoutHeaders(), vs.gateways());
                }
            }
        }
        boolean sni = vs.tlsOrDefault().stream()
                .anyMatch(t -> t.match() != null && t.match().stream().anyMatch(m -> !isEmpty(m.sniHosts())));
        boolean allHostsValid = true;
        for (int n = 0; n < hosts.size(); n++) {
            String h = hosts.get(n);
            String err = appliesToGateway ? Checks.wildcardDomainForGatewayVs(sni, h) : Checks.wildcardDomain(h);
            if (err != null) {
                if (!Checks.isIp(h)) {
                    r.error(i("spec.hosts", n), err);
                    allHostsValid = false;
                }
            } else if (appliesToMesh && h.equals("*")) {
                r.error(
                        i("spec.hosts", n),
                        "wildcard host * is not allowed for virtual services bound to the mesh gateway");
                allHostsValid = false;
            }
        }
        if (allHostsValid) {
            for (int a = 0; a < hosts.size(); a++) {
                for (int b = a + 1; b < hosts.size(); b++) {
                    if (Checks.hostMatches(hosts.get(a), hosts.get(b))) {
                        r.error(
                                i("spec.hosts", b),
                                "duplicate hosts in virtual service: " + hosts.get(a) + " & " + hosts.get(b));
                    }
                }
            }
        }
        if (isEmpty(vs.http()) && isEmpty(vs.tcp()) && isEmpty(vs.tls())) {
            r.error("spec", "http, tcp or tls must be provided in virtual service");
        }
        List<HTTPRoute> http = vs.httpOrDefault();
        for (int n = 0; n < http.size(); n++) {
            httpRoute(r, i("spec.http", n), http.get(n), delegate);
        }
        List<TLSRoute> tls = vs.tlsOrDefault();
        for (int n = 0; n < tls.size(); n++) {
            tlsRoute(r, i("spec.tls", n), tls.get(n), vs, appliesToGateway);
        }
        List<TCPRoute> tcp = vs.tcpOrDefault();
        for (int n = 0; n < tcp.size(); n++) {
            tcpRoute(r, i("spec.tcp", n), tcp.get(n));
        }
        Common.exportTo(r, "spec.exportTo", resource.namespace(), vs.exportTo(), false, false);
        return r.list();
    }

    private static void jwtClaimKeys(Report r, String path, Map<String, StringMatch> headers, List<String> gateways) {
        if (headers == null) {
            return;
        }
        for (String key : headers.keySet()) {
            if (key.startsWith("@request.auth.claims")) {
                r.error(
                        k(path, key),
                        "JWT claim based routing (key: " + key + ") is only supported for gateway, found no gateways: "
                                + (gateways == null ? "[]" : gateways.toString().replace(",", "")));
            }
        }
    }

    /** Istio's {@code validateGatewayNames}: {@code namespace/name}, a legacy FQDN, or a plain name. */
    static void gatewayNames(Report r, String path, List<String> names) {
        if (names == null) {
            return;
        }
        for (int n = 0; n < names.size(); n++) {
            String g = names.get(n);
            String at = i(path, n);
            int slash = g.indexOf('/');
            if (slash < 0) {
                if (g.contains(".")) {
                    String[] parts = g.split("\\.");
                    r.warning(
                            at,
                            "using legacy gatewayName format " + q(g) + "; prefer the <namespace>/<name> format: "
                                    + q(parts[1] + "/" + parts[0]));
                }
                r.error(at, Checks.fqdn(g));
                continue;
            }
            String ns = g.substring(0, slash);
            String name = g.substring(slash + 1);
            if (ns.isEmpty() || name.isEmpty()) {
                r.error(at, "config namespace and gateway name cannot be empty");
            }
            if (!Checks.isDns1123Label(ns)) {
                r.error(at, "invalid value for namespace: " + q(ns));
            }
            if (!Checks.isDns1123Label(name)) {
                r.error(at, "invalid value for gateway name: " + q(name));
            }
        }
    }

    private static void httpRoute(Report r, String path, HTTPRoute h, boolean delegateVs) {
        boolean root = !delegateVs && h.delegate() != null;
        if (root) {
            if (h.redirect() != null) {
                r.error(f(path, "redirect"), "root HTTP route " + nameOf(h) + "must not specify redirect");
            }
            if (h.route() != null) {
                r.error(f(path, "route"), "root HTTP route " + nameOf(h) + "must not specify route");
            }
        } else {
            if (delegateVs && h.delegate() != null) {
                r.error(f(path, "delegate"), "delegate HTTP route cannot contain delegate");
            }
            conflicts(r, path, h);
        }
        matches(r, path, h.matchOrDefault());
        headerOps(r, f(path, "headers"), h.headers());
        cors(r, f(path, "corsPolicy"), h.corsPolicy());
        fault(r, f(path, "fault"), h.fault());
        mirrorPercent(r, f(path, "mirrorPercent"), h.mirrorPercent());
        mirrorPercent(r, f(path, "mirror_percent"), h.mirrorPercentLegacy());
        if (h.mirrorPercentage() != null && h.mirrorPercentage().value() != null) {
            double v = h.mirrorPercentage().value();
            if (v > 100) {
                r.error(
                        f(path, "mirrorPercentage"),
                        "mirror_percentage must have a max value of 100 (it has " + v + ")");
            }
            if (v < 0) {
                r.error(f(path, "mirrorPercentage"), "mirror_percentage must have a min value of 0 (it has " + v + ")");
            }
        }
        destination(r, f(path, "mirror"), h.mirror());
        mirrors(r, f(path, "mirrors"), h.mirrors());
        redirect(r, f(path, "redirect"), h.redirect());
        directResponse(r, f(path, "directResponse"), h.directResponse());
        retries(r, f(path, "retries"), h.retries());
        rewrite(r, f(path, "rewrite"), h.rewrite());
        authorityRewrite(r, path, h.rewrite(), h.headers());
        httpDestinations(r, f(path, "route"), h.route());
        if (h.timeout() != null) {
            r.error(f(path, "timeout"), Checks.duration(h.timeout()));
        }
    }

    private static String nameOf(HTTPRoute h) {
        return h.name() == null || h.name().isEmpty() ? "" : h.name() + " ";
    }

    private static void conflicts(Report r, String path, HTTPRoute h) {
        boolean hasRoute = !isEmpty(h.route());
        if (h.redirect() != null) {
            if (hasRoute) {
                r.error(f(path, "redirect"), "HTTP route cannot contain both route and redirect");
            }
            if (h.fault() != null) {
                r.error(f(path, "redirect"), "HTTP route cannot contain both fault and redirect");
            }
            if (h.rewrite() != null) {
                r.error(f(path, "redirect"), "HTTP route rule cannot contain both rewrite and redirect");
            }
            if (h.directResponse() != null) {
                r.error(f(path, "redirect"), "HTTP route rule cannot contain both direct_response and redirect");
            }
        } else if (h.directResponse() != null) {
            if (hasRoute) {
                r.error(f(path, "directResponse"), "HTTP route cannot contain both route and direct_response");
            }
            if (h.fault() != null) {
                r.error(f(path, "directResponse"), "HTTP route cannot contain both fault and direct_response");
            }
            if (h.rewrite() != null) {
                r.error(f(path, "directResponse"), "HTTP route rule cannot contain both rewrite and direct_response");
            }
        } else if (!hasRoute) {
            r.error(path, "HTTP route, redirect or direct_response is required");
        }
        if (h.mirror() != null && !isEmpty(h.mirrors())) {
            r.error(f(path, "mirrors"), "HTTP route cannot contain both mirror and mirrors");
        }
    }

    private static void matches(Report r, String path, List<HTTPMatchRequest> matches) {
        for (int n = 0; n < matches.size(); n++) {
            HTTPMatchRequest m = matches.get(n);
            String at = i(f(path, "match"), n);
            if (m == null) {
                continue;
            }
            if (m.headers() != null) {
                m.headers().forEach((name, sm) -> {
                    String hp = k(f(at, "headers"), name);
                    r.error(hp, headerNameOrClaim(name));
                    r.error(hp, stringMatch(sm, "headers"));
                });
            }
            if (m.withoutHeaders() != null) {
                m.withoutHeaders().forEach((name, sm) -> {
                    String hp = k(f(at, "withoutHeaders"), name);
                    r.error(hp, headerNameOrClaim(name));
                    // "*" is not a regex here: it means "header present"
                    if (sm != null && !"*".equals(sm.regex())) {
                        r.error(hp, stringMatch(sm, "withoutHeaders"));
                    }
                });
            }
            if (m.uri() != null && m.uri().regex() != null) {
                r.error(f(at, "uri"), regexMatch(m.uri().regex(), "uri"));
            }
            r.error(f(at, "scheme"), stringMatch(m.scheme(), "scheme"));
            r.error(f(at, "method"), stringMatch(m.method(), "method"));
            r.error(f(at, "authority"), stringMatch(m.authority(), "authority"));
            if (m.queryParams() != null) {
                m.queryParams()
                        .forEach((name, sm) -> r.error(k(f(at, "queryParams"), name), stringMatch(sm, "queryParams")));
            }
            if (m.port() != null && m.port() != 0) {
                r.error(f(at, "port"), Checks.port(m.port()));
            }
            r.errors(f(at, "sourceLabels"), Checks.labels(m.sourceLabels()));
            gatewayNames(r, f(at, "gateways"), m.gateways());
            if (!isEmpty(m.sourceNamespace()) && !Checks.isDns1123Label(m.sourceNamespace())) {
                r.error(f(at, "sourceNamespace"), "sourceNamespace match " + m.sourceNamespace() + " is invalid");
            }
        }
    }

    private static String headerNameOrClaim(String name) {
        if (name.startsWith("@request.auth.claims.") && name.length() > "@request.auth.claims.".length()) {
            return null;
        }
        return Checks.headerName(name);
    }

    private static String stringMatch(StringMatch sm, String where) {
        if (sm == null) {
            return null;
        }
        if (sm.prefix() != null && sm.prefix().isEmpty()) {
            return q(where) + ": prefix string match should not be empty";
        }
        return sm.regex() == null ? null : regexMatch(sm.regex(), where);
    }

    private static String regexMatch(String re, String where) {
        if (re.isEmpty()) {
            return q(where) + ": regex string match should not be empty";
        }
        return Checks.regex(re, where);
    }

    private static void headerOps(Report r, String path, Headers headers) {
        if (headers == null) {
            return;
        }
        Headers.HeaderOperations req = headers.request();
        if (req != null) {
            String p = f(path, "request");
            opsAddSet(r, f(p, "add"), req.add(), true);
            opsAddSet(r, f(p, "set"), req.set(), true);
            opsRemove(r, f(p, "remove"), req.remove());
        }
        Headers.HeaderOperations resp = headers.response();
        if (resp != null) {
            String p = f(path, "response");
            opsAddSet(r, f(p, "add"), resp.add(), false);
            opsAddSet(r, f(p, "set"), resp.set(), false);
            opsRemove(r, f(p, "remove"), resp.remove());
        }
    }

    private static void opsAddSet(Report r, String path, Map<String, String> ops, boolean request) {
        if (ops == null) {
            return;
        }
        ops.forEach((name, value) -> {
            String at = k(path, name);
            r.error(at, request ? headerOpNameAllowAuthority(name) : headerOpName(name));
            r.error(at, headerValue(value));
        });
    }

    private static void opsRemove(Report r, String path, List<String> names) {
        if (names == null) {
            return;
        }
        for (int n = 0; n < names.size(); n++) {
            r.error(i(path, n), headerOpName(names.get(n)));
        }
    }

    private static boolean isInternalHeader(String name) {
        return name.startsWith(":") || name.equalsIgnoreCase("host");
    }

    private static boolean isAuthorityHeader(String name) {
        return name.equalsIgnoreCase(":authority") || name.equalsIgnoreCase("host");
    }

    private static String headerOpNameAllowAuthority(String name) {
        if (name.isEmpty()) {
            return "header name cannot be empty";
        }
        if (isInternalHeader(name) && !isAuthorityHeader(name)) {
            return "invalid header " + q(name) + ": header cannot have \":\" prefix";
        }
        return null;
    }

    private static String headerOpName(String name) {
        if (name.isEmpty()) {
            return "header name cannot be empty";
        }
        if (name.equalsIgnoreCase("host")) {
            return "invalid header " + q(name) + ": cannot set Host header";
        }
        if (isInternalHeader(name)) {
            return "invalid header " + q(name) + ": header cannot have \":\" prefix";
        }
        return null;
    }

    /**
     * Envoy's header value syntax (Istio's port of Envoy's header parser): no control characters; {@code %} starts a
     * {@code %VAR%} or {@code %VAR(["arg", ...])%} expression, {@code %%} is a literal percent.
     */
    static String headerValue(String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        for (int n = 0; n < value.length(); n++) {
            char c = value.charAt(n);
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                return "header value configuration " + value + " is invalid";
            }
        }
        final int literal = 0,
                variable = 1,
                expectArray = 2,
                expectString = 3,
                string = 4,
                delimiterOrEnd = 5,
                argsEnd = 6,
                variableEnd = 7;
        int state = literal;
        String prefix = "header value configuration: invalid header configuration. ";
        for (int pos = 0; pos < value.length(); pos++) {
            char ch = value.charAt(pos);
            boolean hasNext = pos + 1 < value.length();
            switch (state) {
                case literal -> {
                    if (ch == '%') {
                        if (!hasNext) {
                            return prefix + "Un-escaped %";
                        }
                        if (value.charAt(pos + 1) == '%') {
                            pos++;
                        } else {
                            state = variable;
                        }
                    }
                }
                case variable -> {
                    if (ch == '%') {
                        state = literal;
                    } else if (ch == '(') {
                        state = expectArray;
                    }
                }
                case expectArray -> {
                    if (ch == '[') {
                        state = expectString;
                    } else if (ch != ' ') {
                        state = string;
                    }
                }
                case delimiterOrEnd -> {
                    if (ch == ',') {
                        state = expectString;
                    } else if (ch == ']') {
                        state = argsEnd;
                    } else if (ch != ' ') {
                        return prefix + "Expecting ',', ']', or whitespace";
                    }
                }
                case expectString -> {
                    if (ch == '"') {
                        state = string;
                    } else if (ch != ' ') {
                        return prefix + "Expecting '\"'";
                    }
                }
                case string -> {
                    if (ch == '\\') {
                        if (!hasNext) {
                            return prefix + "Un-terminated backslash in JSON string";
                        }
                        pos++;
                    } else if (ch == ')') {
                        state = variableEnd;
                    } else if (ch == '"') {
                        state = delimiterOrEnd;
                    }
                }
                case argsEnd -> {
                    if (ch == ')') {
                        state = variableEnd;
                    } else if (ch != ' ') {
                        return prefix + "Expecting ')' or whitespace after the arguments";
                    }
                }
                default -> {
                    if (ch == '%') {
                        state = literal;
                    } else if (ch != ' ') {
                        return prefix + "Expecting '%' or whitespace after the arguments";
                    }
                }
            }
        }
        return state == literal ? null : prefix + "Un-terminated variable expression '" + value + "'";
    }

    private static final Set<String> METHODS =
            Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "CONNECT", "OPTIONS", "TRACE");

    private static void cors(Report r, String path, CorsPolicy c) {
        if (c == null) {
            return;
        }
        if (c.allowOrigins() != null) {
            for (int n = 0; n < c.allowOrigins().size(); n++) {
                StringMatch o = c.allowOrigins().get(n);
                String at = i(f(path, "allowOrigins"), n);
                String match =
                        o == null ? "" : o.exact() != null ? o.exact() : o.prefix() != null ? o.prefix() : o.regex();
                if (match == null || match.isEmpty()) {
                    r.error(
                            at,
                            "'" + (match == null ? "" : match) + "' is not a valid match type for CORS allow origins");
                } else if (o.regex() != null) {
                    r.error(at, Checks.regex(o.regex(), "corsPolicy.allowOrigins"));
                }
            }
        }
        list(
                c.allowMethods(),
                f(path, "allowMethods"),
                (at, m) -> r.error(at, METHODS.contains(m) ? null : q(m) + " is not a supported HTTP method"));
        list(
                c.allowHeaders(),
                f(path, "allowHeaders"),
                (at, h) -> r.error(at, "*".equals(h) ? null : Checks.headerName(h)));
        list(
                c.exposeHeaders(),
                f(path, "exposeHeaders"),
                (at, h) -> r.error(at, "*".equals(h) ? null : Checks.headerName(h)));
        if (c.maxAge() != null) {
            r.error(f(path, "maxAge"), Checks.duration(c.maxAge()));
            if (c.maxAge().nanos() % 1_000_000_000L != 0) {
                r.error(f(path, "maxAge"), "max_age duration is accurate only to seconds precision");
            }
        }
    }

    static void list(List<String> values, String path, java.util.function.BiConsumer<String, String> check) {
        if (values == null) {
            return;
        }
        for (int n = 0; n < values.size(); n++) {
            check.accept(i(path, n), values.get(n));
        }
    }

    private static final Set<String> GRPC_STATUS = Set.of(
            "OK",
            "CANCELLED",
            "UNKNOWN",
            "INVALID_ARGUMENT",
            "DEADLINE_EXCEEDED",
            "NOT_FOUND",
            "ALREADY_EXISTS",
            "PERMISSION_DENIED",
            "RESOURCE_EXHAUSTED",
            "FAILED_PRECONDITION",
            "ABORTED",
            "OUT_OF_RANGE",
            "UNIMPLEMENTED",
            "INTERNAL",
            "UNAVAILABLE",
            "DATA_LOSS",
            "UNAUTHENTICATED");

    private static void fault(Report r, String path, HTTPFaultInjection fault) {
        if (fault == null) {
            return;
        }
        if (fault.abort() == null && fault.delay() == null) {
            r.error(path, "HTTP fault injection must have an abort and/or a delay");
        }
        HTTPFaultInjection.Abort abort = fault.abort();
        if (abort != null) {
            String at = f(path, "abort");
            percentage(r, f(at, "percentage"), abort.percentage());
            if (abort.grpcStatus() != null) {
                if (!GRPC_STATUS.contains(abort.grpcStatus())) {
                    r.error(
                            f(at, "grpcStatus"),
                            "gRPC status " + q(abort.grpcStatus()) + " is not supported. See "
                                    + "https://github.com/grpc/grpc/blob/master/doc/statuscodes.md for a list of "
                                    + "supported codes, for example 'NOT_FOUND'");
                }
            } else if (abort.http2Error() != null) {
                r.error(f(at, "http2Error"), "HTTP/2 abort fault injection not supported yet");
            } else if (abort.httpStatus() != null) {
                r.error(f(at, "httpStatus"), httpStatus(abort.httpStatus()));
            } else {
                r.warning(at, "abort configured, but error type not set");
            }
        }
        HTTPFaultInjection.Delay delay = fault.delay();
        if (delay != null) {
            String at = f(path, "delay");
            percentage(r, f(at, "percentage"), delay.percentage());
            if (delay.percent() != null && (delay.percent() < 0 || delay.percent() > 100)) {
                r.error(f(at, "percent"), "percentage " + delay.percent() + " is not in range 0..100");
            }
            if (delay.fixedDelay() != null) {
                r.error(f(at, "fixedDelay"), Checks.duration(delay.fixedDelay()));
            }
            if (delay.exponentialDelay() != null) {
                r.error(f(at, "exponentialDelay"), Checks.duration(delay.exponentialDelay()));
                r.error(f(at, "exponentialDelay"), "exponentialDelay not supported yet");
            }
        }
    }

    static void percentage(Report r, String path, Percent p) {
        if (p == null || p.value() == null) {
            return;
        }
        double v = p.value();
        if (v < 0.0 || v > 100.0 || (v > 0.0 && v < 0.0001)) {
            r.error(path, "percentage " + fmt(v) + " is neither 0.0, nor in range [0.0001, 100.0]");
        }
    }

    static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    private static String httpStatus(long status) {
        return status < 200 || status > 600 ? "HTTP status " + status + " is not in range 200-599" : null;
    }

    private static void mirrorPercent(Report r, String path, Long value) {
        if (value == null) {
            return;
        }
        if (value > 100) {
            r.error(path, "mirror_percent must have a max value of 100 (it has " + value + ")");
        }
        r.warning(path, "using deprecated setting \"mirrorPercent\", use \"mirrorPercentage\" instead");
    }

    private static void mirrors(Report r, String path, List<HTTPMirrorPolicy> mirrors) {
        if (mirrors == null) {
            return;
        }
        for (int n = 0; n < mirrors.size(); n++) {
            HTTPMirrorPolicy m = mirrors.get(n);
            String at = i(path, n);
            if (m == null || m.destination() == null) {
                r.error(at, "destination is required for mirrors");
                continue;
            }
            destination(r, f(at, "destination"), m.destination());
            if (m.percentage() != null && m.percentage().value() != null) {
                double v = m.percentage().value();
                if (v > 100) {
                    r.error(
                            f(at, "percentage"),
                            "mirror percentage must have a max value of 100 (it has " + fmt(v) + ")");
                }
                if (v < 0) {
                    r.error(
                            f(at, "percentage"),
                            "mirror percentage must have a min value of 0 (it has " + fmt(v) + ")");
                }
            }
        }
    }

    /** Istio's {@code validateDestination}: host, subset name and port of one destination. */
    static void destination(Report r, String path, Destination d) {
        if (d == null) {
            return;
        }
        if ("*".equals(d.host())) {
            r.error(f(path, "host"), "invalid destination host *");
        } else {
            r.error(f(path, "host"), Checks.wildcardDomain(d.host()));
        }
        if (!isEmpty(d.subset())) {
            r.error(f(path, "subset"), subsetName(d.subset()));
        }
        if (d.port() != null && d.port().number() != null) {
            r.error(f(path, "port.number"), Checks.port(d.port().number()));
        } else if (d.port() != null) {
            r.error(f(path, "port.number"), Checks.port(0));
        }
    }

    static String subsetName(String name) {
        if (isEmpty(name)) {
            return "subset name cannot be empty";
        }
        return Checks.isDns1123Label(name) ? null : "subset name is invalid: " + name;
    }

    private static void redirect(Report r, String path, HTTPRedirect rd) {
        if (rd == null) {
            return;
        }
        if (isEmpty(rd.uri())
                && isEmpty(rd.authority())
                && rd.port() == null
                && rd.derivePort() == null
                && isEmpty(rd.scheme())) {
            r.error(path, "redirect must specify URI, authority, scheme, or port");
            return;
        }
        if (rd.redirectCode() != null
                && rd.redirectCode() != 0
                && (rd.redirectCode() < 300 || rd.redirectCode() > 399)) {
            r.error(f(path, "redirectCode"), rd.redirectCode() + " is not a valid redirect code, must be 3xx");
            return;
        }
        if (!isEmpty(rd.scheme()) && !rd.scheme().equals("http") && !rd.scheme().equals("https")) {
            r.error(f(path, "scheme"), "invalid redirect scheme, must be \"http\" or \"https\"");
            return;
        }
        if (rd.port() != null && rd.port() > 0) {
            r.error(f(path, "port"), Checks.port(rd.port()));
        }
    }

    private static void directResponse(Report r, String path, HTTPDirectResponse d) {
        if (d == null) {
            return;
        }
        if (d.body() != null) {
            int size = d.body().string() != null
                    ? d.body().string().getBytes(java.nio.charset.StandardCharsets.UTF_8).length
                    : d.body().bytes() != null ? d.body().bytes().length() * 3 / 4 : 0;
            if (size > 1024 * 1024) {
                r.error(
                        f(path, "body"),
                        "large direct_responses may impact control plane performance, must be less than 1MB");
            } else if (size > 100 * 1024) {
                r.warning(f(path, "body"), "large direct_responses may impact control plane performance");
            }
        }
        r.error(f(path, "status"), httpStatus(d.status() == null ? 0 : d.status()));
    }

    private static final Set<String> RETRY_ON = Set.of(
            "5xx",
            "gateway-error",
            "reset",
            "reset-before-request",
            "connect-failure",
            "retriable-4xx",
            "refused-stream",
            "retriable-status-codes",
            "retriable-headers",
            "envoy-ratelimited",
            "http3-post-connect-failure",
            "cancelled",
            "deadline-exceeded",
            "internal",
            "resource-exhausted",
            "unavailable");

    /** The status codes Go's {@code http.StatusText} knows, as Istio accepts them in {@code retryOn}. */
    private static final Set<Integer> HTTP_STATUS = Set.of(
            100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 307,
            308, 400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 418, 421,
            422, 423, 424, 425, 426, 428, 429, 431, 451, 500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511);

    private static void retries(Report r, String path, HTTPRetry retry) {
        if (retry == null) {
            return;
        }
        int attempts = retry.attempts() == null ? 0 : retry.attempts();
        if (attempts < 0) {
            r.error(f(path, "attempts"), "attempts cannot be negative");
        }
        if (retry.attempts() != null
                && attempts == 0
                && (retry.perTryTimeout() != null
                        || !isEmpty(retry.retryOn())
                        || retry.retryRemoteLocalities() != null)) {
            r.error(f(path, "attempts"), "http retry policy configured when attempts are set to 0 (disabled)");
        }
        if (retry.perTryTimeout() != null) {
            r.error(f(path, "perTryTimeout"), Checks.duration(retry.perTryTimeout()));
        }
        if (!isEmpty(retry.retryOn())) {
            for (String policy : retry.retryOn().split(",", -1)) {
                String p = policy.trim();
                boolean status;
                try {
                    status = HTTP_STATUS.contains(Integer.parseInt(p));
                } catch (NumberFormatException e) {
                    status = false;
                }
                if (!status && !RETRY_ON.contains(p)) {
                    r.error(f(path, "retryOn"), q(policy) + " is not a valid retryOn policy");
                }
            }
        }
    }

    private static void rewrite(Report r, String path, HTTPRewrite rw) {
        if (rw == null) {
            return;
        }
        if (!isEmpty(rw.uri()) && rw.uriRegexRewrite() != null) {
            r.error(path, "rewrite may only contain one of URI or UriRegexRewrite");
            return;
        }
        if (isEmpty(rw.uri()) && rw.uriRegexRewrite() == null && isEmpty(rw.authority())) {
            r.error(
                    path,
                    "rewrite must specify at least one of URI, UriRegexRewrite, or authority. Only one of URI or "
                            + "UriRegexRewrite may be specified");
            return;
        }
        if (rw.uriRegexRewrite() != null) {
            String at = f(path, "uriRegexRewrite");
            if (isEmpty(rw.uriRegexRewrite().match())
                    || rw.uriRegexRewrite().rewrite() == null
                    || rw.uriRegexRewrite().rewrite().isEmpty()) {
                r.error(at, "UriRegexRewrite requires both Rewrite and Match fields to be specified");
            } else {
                String err = Checks.regex(rw.uriRegexRewrite().match(), "HTTPRewrite.UriRegexRewrite.Match");
                if (err != null) {
                    r.error(f(at, "match"), "UriRegexRewrite has errors: " + err);
                }
            }
        }
    }

    private static void authorityRewrite(Report r, String path, HTTPRewrite rw, Headers headers) {
        String current = rw == null || rw.authority() == null ? "" : rw.authority();
        if (headers == null || headers.request() == null) {
            return;
        }
        for (Map<String, String> ops : java.util.Arrays.asList(
                headers.request().set(), headers.request().add())) {
            if (ops == null) {
                continue;
            }
            for (var e : ops.entrySet()) {
                if (!isAuthorityHeader(e.getKey())) {
                    continue;
                }
                if (!current.isEmpty()) {
                    r.error(
                            f(path, "headers.request"),
                            "authority header cannot be set multiple times: have " + q(current) + ", attempting to set "
                                    + q(e.getValue()));
                    return;
                }
                current = e.getValue();
            }
        }
    }

    private static void httpDestinations(Report r, String path, List<HTTPRouteDestination> route) {
        weightedDestinations(
                r,
                path,
                route,
                HTTPRouteDestination::destination,
                HTTPRouteDestination::weight,
                (at, d) -> headerOps(r, f(at, "headers"), d.headers()));
    }

    private static void routeDestinations(Report r, String path, List<RouteDestination> route) {
        weightedDestinations(r, path, route, RouteDestination::destination, RouteDestination::weight, (at, d) -> {});
    }

    /** HTTP, TCP and TLS routes weigh their destinations alike: relative weights, none negative, not all zero. */
    private static <D> void weightedDestinations(
            Report r,
            String path,
            List<D> route,
            Function<D, Destination> destinationOf,
            Function<D, Integer> weightOf,
            BiConsumer<String, D> more) {
        if (route == null) {
            return;
        }
        long total = 0;
        for (int n = 0; n < route.size(); n++) {
            D d = route.get(n);
            String at = i(path, n);
            if (d == null) {
                r.error(at, "weight may not be nil");
                continue;
            }
            Destination destination = destinationOf.apply(d);
            if (destination == null) {
                r.error(at, "destination is required");
            }
            more.accept(at, d);
            destination(r, f(at, "destination"), destination);
            Integer weight = weightOf.apply(d);
            int w = weight == null ? 0 : weight;
            if (w < 0) {
                r.error(f(at, "weight"), "weight " + w + " < 0: weights must not be negative");
            }
            total += w;
        }
        if (route.size() > 1 && total == 0) {
            r.error(
                    path,
                    "total destination weight = 0: give at least one of the " + route.size()
                            + " destinations a positive weight");
        }
    }

    private static void tlsRoute(Report r, String path, TLSRoute tls, VirtualService vs, boolean gateway) {
        if (tls == null) {
            return;
        }
        if (isEmpty(tls.match())) {
            r.error(path, "TLS route must have at least one match condition");
        } else {
            for (int n = 0; n < tls.match().size(); n++) {
                tlsMatch(r, i(f(path, "match"), n), tls.match().get(n), vs, gateway);
            }
        }
        if (isEmpty(tls.route())) {
            r.error(path, "TLS route is required");
        }
        routeDestinations(r, f(path, "route"), tls.route());
    }

    private static void tlsMatch(Report r, String path, TLSMatchAttributes m, VirtualService vs, boolean gateway) {
        if (m == null) {
            r.error(path, "TLS match may not be null");
            return;
        }
        if (isEmpty(m.sniHosts())) {
            r.error(path, "TLS match must have at least one SNI host");
        } else {
            for (int n = 0; n < m.sniHosts().size(); n++) {
                sniHost(r, i(f(path, "sniHosts"), n), m.sniHosts().get(n), vs, gateway);
            }
        }
        list(m.destinationSubnets(), f(path, "destinationSubnets"), (at, s) -> r.error(at, Checks.ipSubnet(s)));
        if (m.port() != null && m.port() != 0) {
            r.error(f(path, "port"), Checks.port(m.port()));
        }
        r.errors(f(path, "sourceLabels"), Checks.labels(m.sourceLabels()));
        gatewayNames(r, f(path, "gateways"), m.gateways());
    }

    private static void sniHost(Report r, String path, String sni, VirtualService vs, boolean gateway) {
        String err = gateway ? Checks.wildcardDomainForGatewayVs(true, sni) : Checks.wildcardDomain(sni);
        if (err != null) {
            if (Checks.isIp(sni)) {
                r.warning(
                        path,
                        "using an IP address (" + q(sni)
                                + ") goes against SNI spec and most clients do not support this");
                return;
            }
            r.error(path, err);
            return;
        }
        for (String h : vs.hostsOrDefault()) {
            if (Checks.hostSubsetOf(sni, h)) {
                return;
            }
        }
        r.error(
                path,
                "SNI host " + q(sni) + " is not a compatible subset of any of the virtual service hosts: ["
                        + String.join(", ", vs.hostsOrDefault()) + "]");
    }

    private static void tcpRoute(Report r, String path, TCPRoute tcp) {
        if (tcp == null) {
            return;
        }
        if (tcp.match() != null) {
            for (int n = 0; n < tcp.match().size(); n++) {
                L4MatchAttributes m = tcp.match().get(n);
                String at = i(f(path, "match"), n);
                if (m == null) {
                    r.error(at, "tcp match may not be nil");
                    continue;
                }
                list(m.destinationSubnets(), f(at, "destinationSubnets"), (p, s) -> r.error(p, Checks.ipSubnet(s)));
                if (m.port() != null && m.port() != 0) {
                    r.error(f(at, "port"), Checks.port(m.port()));
                }
                r.errors(f(at, "sourceLabels"), Checks.labels(m.sourceLabels()));
                gatewayNames(r, f(at, "gateways"), m.gateways());
            }
        }
        if (isEmpty(tcp.route())) {
            r.error(path, "TCP route is required");
        }
        routeDestinations(r, f(path, "route"), tcp.route());
    }
}
