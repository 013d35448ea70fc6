package dev.trellis.control.config;

import com.google.protobuf.UInt32Value;
import dev.trellis.api.model.networking.CorsPolicy;
import dev.trellis.api.model.networking.Destination;
import dev.trellis.api.model.networking.HTTPFaultInjection;
import dev.trellis.api.model.networking.HTTPMatchRequest;
import dev.trellis.api.model.networking.HTTPMirrorPolicy;
import dev.trellis.api.model.networking.HTTPRetry;
import dev.trellis.api.model.networking.HTTPRoute;
import dev.trellis.api.model.networking.HTTPRouteDestination;
import dev.trellis.api.model.networking.Headers;
import dev.trellis.api.model.networking.StringMatch;
import dev.trellis.control.model.MeshSettings;
import dev.trellis.control.model.Proxy;
import dev.trellis.control.model.Service;
import dev.trellis.control.networking.Envoy;
import dev.trellis.control.networking.listener.HttpFilters;
import dev.trellis.control.networking.route.Retries;
import dev.trellis.control.push.PushContext;
import dev.trellis.xds.naming.ClusterName;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.core.v3.RuntimeFractionalPercent;
import io.envoyproxy.envoy.config.route.v3.DirectResponseAction;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.QueryParameterMatcher;
import io.envoyproxy.envoy.config.route.v3.RedirectAction;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.common.fault.v3.FaultDelay;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.FaultAbort;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * VirtualService HTTP routes as Envoy routes, following Istio's translation: one Envoy route per match (a route
 * without matches matches everything), in order, so the first match wins; unsupported match fields that cannot hold
 * for this proxy (source labels, source namespace, gateways other than {@code mesh}, another port) drop the match.
 */
public final class HttpRoutes {

    private HttpRoutes() {}

    /**
     * Translates the routes of a VirtualService for a proxy's listener port.
     *
     * @param vsNamespace the VirtualService's namespace (short destination hosts resolve against it)
     * @param service the service whose virtual host these routes fill
     */
    public static List<Route> translate(
            List<HTTPRoute> http, String vsNamespace, Proxy proxy, PushContext push, Service service, int port) {
        List<Route> out = new ArrayList<>();
        int index = 0;
        boolean hash = !push.routing().hashPolicies(proxy, service, port).isEmpty();
        for (HTTPRoute r : http) {
            String name = r.name() != null ? r.name() : "route-" + index;
            index++;
            if (r.matchOrDefault().isEmpty()) {
                out.add(route(
                        r,
                        name,
                        RouteMatch.newBuilder().setPrefix("/").build(),
                        vsNamespace,
                        push,
                        service,
                        port,
                        hash));
                continue;
            }
            for (HTTPMatchRequest m : r.matchOrDefault()) {
                RouteMatch match = match(m, proxy, port);
                if (match != null) {
                    out.add(route(r, name, match, vsNamespace, push, service, port, hash));
                }
            }
        }
        return out;
    }

    /** The Envoy match for an Istio match, or null if it can never hold for this proxy and port. */
    static RouteMatch match(HTTPMatchRequest m, Proxy proxy, int port) {
        if (m.port() != null && m.port() != port) {
            return null;
        }
        if (!m.gatewaysOrDefault().isEmpty() && !m.gatewaysOrDefault().contains("mesh")) {
            return null;
        }
        if (m.sourceNamespace() != null && !m.sourceNamespace().equals(proxy.namespace())) {
            return null;
        }
        for (Map.Entry<String, String> e : m.sourceLabelsOrDefault().entrySet()) {
            if (!e.getValue().equals(proxy.labels().get(e.getKey()))) {
                return null;
            }
        }
        RouteMatch.Builder b = RouteMatch.newBuilder();
        StringMatch uri = m.uri();
        if (uri == null || (uri.exact() == null && uri.prefix() == null && uri.regex() == null)) {
            b.setPrefix("/");
        } else if (uri.exact() != null) {
            b.setPath(uri.exact());
        } else if (uri.prefix() != null) {
            b.setPrefix(uri.prefix());
        } else {
            b.setSafeRegex(RegexMatcher.newBuilder().setRegex(uri.regex()));
        }
        if (m.ignoreUriCaseOrDefault()) {
            b.setCaseSensitive(com.google.protobuf.BoolValue.of(false));
        }
        if (m.method() != null) {
            b.addHeaders(header(":method", m.method(), false));
        }
        if (m.authority() != null) {
            b.addHeaders(header(":authority", m.authority(), false));
        }
        if (m.scheme() != null) {
            b.addHeaders(header(":scheme", m.scheme(), false));
        }
        new java.util.TreeMap<>(m.headersOrDefault()).forEach((k, v) -> b.addHeaders(header(k, v, false)));
        new java.util.TreeMap<>(m.withoutHeadersOrDefault()).forEach((k, v) -> b.addHeaders(header(k, v, true)));
        new java.util.TreeMap<>(m.queryParamsOrDefault())
                .forEach((k, v) -> b.addQueryParameters(
                        QueryParameterMatcher.newBuilder().setName(k).setStringMatch(stringMatcher(v))));
        return b.build();
    }

    private static HeaderMatcher header(String name, StringMatch v, boolean invert) {
        HeaderMatcher.Builder h = HeaderMatcher.newBuilder().setName(name).setInvertMatch(invert);
        if (v == null || (v.exact() == null && v.prefix() == null && v.regex() == null)) {
            h.setPresentMatch(true); // Istio: an empty match means "the header is present".
        } else {
            h.setStringMatch(stringMatcher(v));
        }
        return h.build();
    }

    static StringMatcher stringMatcher(StringMatch v) {
        if (v.exact() != null) {
            return StringMatcher.newBuilder().setExact(v.exact()).build();
        }
        if (v.prefix() != null) {
            return StringMatcher.newBuilder().setPrefix(v.prefix()).build();
        }
        if (v.regex() != null) {
            return StringMatcher.newBuilder()
                    .setSafeRegex(RegexMatcher.newBuilder().setRegex(v.regex()))
                    .build();
        }
        return StringMatcher.newBuilder().setPrefix("").build();
    }

    private static Route route(
            HTTPRoute r,
            String name,
            RouteMatch match,
            String ns,
            PushContext push,
            Service service,
            int port,
            boolean hash) {
        Route.Builder b = Route.newBuilder().setName(name).setMatch(match);
        if (r.redirect() != null) {
            var rd = r.redirect();
            RedirectAction.Builder a = RedirectAction.newBuilder();
            if (rd.uri() != null) {
                a.setPathRedirect(rd.uri());
            }
            if (rd.authority() != null) {
                a.setHostRedirect(rd.authority());
            }
            if (rd.port() != null) {
                a.setPortRedirect(rd.port().intValue());
            }
            if (rd.scheme() != null) {
                a.setSchemeRedirect(rd.scheme());
            }
            a.setResponseCode(
                    switch (rd.redirectCodeOrDefault().intValue()) {
                        case 302 -> RedirectAction.RedirectResponseCode.FOUND;
                        case 303 -> RedirectAction.RedirectResponseCode.SEE_OTHER;
                        case 307 -> RedirectAction.RedirectResponseCode.TEMPORARY_REDIRECT;
                        case 308 -> RedirectAction.RedirectResponseCode.PERMANENT_REDIRECT;
                        default -> RedirectAction.RedirectResponseCode.MOVED_PERMANENTLY;
                    });
            b.setRedirect(a);
        } else if (r.directResponse() != null) {
            DirectResponseAction.Builder a = DirectResponseAction.newBuilder()
                    .setStatus(r.directResponse().statusOrDefault().intValue());
            var body = r.directResponse().body();
            if (body != null && body.string() != null) {
                a.setBody(DataSource.newBuilder().setInlineString(body.string()));
            } else if (body != null && body.bytes() != null) {
                a.setBody(DataSource.newBuilder()
                        .setInlineBytes(com.google.protobuf.ByteString.copyFrom(
                                java.util.Base64.getDecoder().decode(body.bytes()))));
            }
            b.setDirectResponse(a);
        } else {
            b.setRoute(action(r, ns, push, service, port, hash));
        }
        Headers h = r.headers();
        if (h != null && h.request() != null) {
            b.addAllRequestHeadersToAdd(headerOps(h.request()));
            b.addAllRequestHeadersToRemove(h.request().removeOrDefault());
        }
        if (h != null && h.response() != null) {
            b.addAllResponseHeadersToAdd(headerOps(h.response()));
            b.addAllResponseHeadersToRemove(h.response().removeOrDefault());
        }
        if (r.fault() != null) {
            b.putTypedPerFilterConfig(HttpFilters.FAULT, Envoy.any(fault(r.fault())));
        }
        if (r.corsPolicy() != null) {
            b.putTypedPerFilterConfig(HttpFilters.CORS, Envoy.any(cors(r.corsPolicy())));
        }
        return b.build();
    }

    private static RouteAction action(
            HTTPRoute r, String ns, PushContext push, Service service, int port, boolean hash) {
        RouteAction.Builder a = RouteAction.newBuilder();
        List<HTTPRouteDestination> dests = r.routeOrDefault();
        if (dests.size() == 1) {
            a.setCluster(cluster(dests.getFirst().destination(), ns, push.mesh(), push, port));
        } else if (!dests.isEmpty()) {
            WeightedCluster.Builder wc = WeightedCluster.newBuilder();
            for (HTTPRouteDestination d : dests) {
                int w = d.weight() == null ? 0 : d.weight();
                if (w == 0 && dests.size() > 1) {
                    continue; // Istio drops zero-weight destinations.
                }
                WeightedCluster.ClusterWeight.Builder cw = WeightedCluster.ClusterWeight.newBuilder()
                        .setName(cluster(d.destination(), ns, push.mesh(), push, port))
                        .setWeight(UInt32Value.of(w));
                if (d.headers() != null && d.headers().request() != null) {
                    cw.addAllRequestHeadersToAdd(headerOps(d.headers().request()));
                    cw.addAllRequestHeadersToRemove(d.headers().request().removeOrDefault());
                }
                if (d.headers() != null && d.headers().response() != null) {
                    cw.addAllResponseHeadersToAdd(headerOps(d.headers().response()));
                    cw.addAllResponseHeadersToRemove(d.headers().response().removeOrDefault());
                }
                wc.addClusters(cw);
            }
            a.setWeightedClusters(wc);
        } else {
            a.setCluster(ClusterName.outbound(port, service.hostname()).toString());
        }
        a.setTimeout(
                r.timeout() == null ? Envoy.millis(0) : Envoy.millis(r.timeout().nanos() / 1_000_000));
        if (r.rewrite() != null) {
            if (r.rewrite().uri() != null) {
                a.setPrefixRewrite(r.rewrite().uri());
            }
            if (r.rewrite().authority() != null) {
                a.setHostRewriteLiteral(r.rewrite().authority());
            }
            if (r.rewrite().uriRegexRewrite() != null) {
                a.setRegexRewrite(io.envoyproxy.envoy.type.matcher.v3.RegexMatchAndSubstitute.newBuilder()
                        .setPattern(RegexMatcher.newBuilder()
                                .setRegex(r.rewrite().uriRegexRewrite().match()))
                        .setSubstitution(r.rewrite().uriRegexRewrite().rewrite()));
            }
        }
        RetryPolicy retry = retryPolicy(r.retries(), hash);
        if (retry != null) {
            a.setRetryPolicy(retry);
        }
        List<Destination> mirrors = new ArrayList<>();
        List<Double> percents = new ArrayList<>();
        if (r.mirror() != null) {
            mirrors.add(r.mirror());
            percents.add(
                    r.mirrorPercentage() != null && r.mirrorPercentage().value() != null
                            ? r.mirrorPercentage().value()
                            : r.mirrorPercent() != null ? r.mirrorPercent().doubleValue() : 100.0);
        }
        for (HTTPMirrorPolicy mp : r.mirrorsOrDefault()) {
            mirrors.add(mp.destination());
            percents.add(
                    mp.percentage() == null || mp.percentage().value() == null
                            ? 100.0
                            : mp.percentage().value());
        }
        for (int i = 0; i < mirrors.size(); i++) {
            a.addRequestMirrorPolicies(RouteAction.RequestMirrorPolicy.newBuilder()
                    .setCluster(cluster(mirrors.get(i), ns, push.mesh(), push, port))
                    .setRuntimeFraction(
                            RuntimeFractionalPercent.newBuilder().setDefaultValue(percent(percents.get(i)))));
        }
        return a.build();
    }

    /**
     * A VirtualService route's retry policy as Istio converts it: none set gives the default policy; {@code attempts}
     * 0 (or unset, as in Istio's proto) turns retries off (null); otherwise the default with the route's attempts, its
     * {@code retryOn} (numbers in it become retriable status codes, adding {@code retriable-status-codes}), per-try
     * timeout, backoff and {@code retryIgnorePreviousHosts}. {@code retryRemoteLocalities} is not translated (see
     * {@link #unsupportedRetryFields}).
     *
     * @param hash whether the route's cluster uses a consistent-hash load balancer (no previous-hosts predicate then)
     */
    static RetryPolicy retryPolicy(HTTPRetry in, boolean hash) {
        RetryPolicy def = Retries.defaultPolicy(hash);
        if (in == null) {
            return def;
        }
        if (in.attempts() == null || in.attempts() <= 0) {
            return null;
        }
        RetryPolicy.Builder p = def.toBuilder().setNumRetries(UInt32Value.of(in.attempts()));
        if (in.retryOn() != null && !in.retryOn().isBlank()) {
            List<String> conditions = new ArrayList<>();
            List<Integer> codes = new ArrayList<>();
            for (String part : in.retryOn().split(",")) {
                String t = part.strip();
                if (t.isEmpty()) {
                    continue;
                }
                Integer code = statusCode(t);
                if (code != null) {
                    codes.add(code);
                } else {
                    conditions.add(t);
                }
            }
            String on = String.join(",", conditions);
            if (!codes.isEmpty() && !on.contains("retriable-status-codes")) {
                on = on.isEmpty() ? "retriable-status-codes" : on + ",retriable-status-codes";
            }
            p.setRetryOn(on).clearRetriableStatusCodes().addAllRetriableStatusCodes(codes);
        }
        if (in.perTryTimeout() != null) {
            p.setPerTryTimeout(Envoy.millis(in.perTryTimeout().nanos() / 1_000_000));
        }
        if (in.retryIgnorePreviousHosts() != null) {
            p.clearRetryHostPredicate();
            if (in.retryIgnorePreviousHosts()) {
                p.addRetryHostPredicate(Retries.previousHosts());
            }
        }
        if (in.backoff() != null) {
            p.setRetryBackOff(RetryPolicy.RetryBackOff.newBuilder()
                    .setBaseInterval(Envoy.millis(in.backoff().nanos() / 1_000_000)));
        }
        return p.build();
    }

    /** An HTTP status code as Istio recognises one in {@code retryOn} (a number Go's net/http names). */
    private static Integer statusCode(String s) {
        if (s.length() != 3 || !s.chars().allMatch(Character::isDigit)) {
            return null;
        }
        int c = Integer.parseInt(s);
        return KNOWN_STATUS.contains(c) ? c : null;
    }

    private static final java.util.Set<Integer> KNOWN_STATUS = java.util.Set.of(
            100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 307,
            308, 400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 418, 421,
            422, 423, 424, 425, 426, 428, 429, 431, 451, 500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511);

    /** Retry fields a VirtualService may set that the translation leaves out, for the config error list. */
    static List<String> unsupportedRetryFields(HTTPRetry in) {
        if (in != null && Boolean.TRUE.equals(in.retryRemoteLocalities())) {
            return List.of("retries.retryRemoteLocalities is not translated (needs Envoy's previous_priorities"
                    + " retry priority); retries stay within the usual priority order");
        }
        return List.of();
    }

    /**
     * {@code outbound|<port>|<subset>|<fqdn>}: the destination's port, else the service's only port, else the port
     * the request came in on.
     */
    static String cluster(Destination d, String ns, MeshSettings mesh, PushContext push, int listenerPort) {
        String host = mesh.fqdn(d.host(), ns);
        int port;
        if (d.port() != null && d.port().number() != null) {
            port = d.port().number().intValue();
        } else {
            Service target = push.service(host);
            port = target != null && target.ports().size() == 1
                    ? target.ports().getFirst().port()
                    : listenerPort;
        }
        return ClusterName.outbound(port, d.subset() == null ? "" : d.subset(), host)
                .toString();
    }

    private static List<HeaderValueOption> headerOps(Headers.HeaderOperations ops) {
        List<HeaderValueOption> out = new ArrayList<>();
        new java.util.TreeMap<>(ops.setOrDefault())
                .forEach((k, v) -> out.add(HeaderValueOption.newBuilder()
                        .setHeader(HeaderValue.newBuilder().setKey(k).setValue(v))
                        .setAppendAction(HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD)
                        .build()));
        new java.util.TreeMap<>(ops.addOrDefault())
                .forEach((k, v) -> out.add(HeaderValueOption.newBuilder()
                        .setHeader(HeaderValue.newBuilder().setKey(k).setValue(v))
                        .setAppendAction(HeaderValueOption.HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD)
                        .build()));
        return out;
    }

    /** Percentages as Envoy's FractionalPercent in millionths, so 0.1% survives. */
    static FractionalPercent percent(double value) {
        double v = Math.max(0, Math.min(100, value));
        return FractionalPercent.newBuilder()
                .setNumerator((int) Math.round(v * 10_000))
                .setDenominator(FractionalPercent.DenominatorType.MILLION)
                .build();
    }

    static HTTPFault fault(HTTPFaultInjection f) {
        HTTPFault.Builder b = HTTPFault.newBuilder();
        if (f.delay() != null) {
            var d = f.delay();
            FaultDelay.Builder fd = FaultDelay.newBuilder();
            if (d.fixedDelay() != null) {
                fd.setFixedDelay(Envoy.millis(d.fixedDelay().nanos() / 1_000_000));
            }
            double pct = d.percentage() != null && d.percentage().value() != null
                    ? d.percentage().value()
                    : d.percent() != null ? d.percent() : 100.0;
            fd.setPercentage(percent(pct));
            b.setDelay(fd);
        }
        if (f.abort() != null) {
            var a = f.abort();
            FaultAbort.Builder fa = FaultAbort.newBuilder();
            if (a.httpStatus() != null) {
                fa.setHttpStatus(a.httpStatus());
            } else if (a.grpcStatus() != null) {
                fa.setGrpcStatus(grpcCode(a.grpcStatus()));
            }
            fa.setPercentage(percent(
                    a.percentage() != null && a.percentage().value() != null
                            ? a.percentage().value()
                            : 100.0));
            b.setAbort(fa);
        }
        return b.build();
    }

    private static int grpcCode(String status) {
        try {
            return Integer.parseInt(status);
        } catch (NumberFormatException e) {
            try {
                return io.grpc.Status.Code.valueOf(status).value();
            } catch (IllegalArgumentException e2) {
                return io.grpc.Status.Code.UNKNOWN.value();
            }
        }
    }

    static io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy cors(CorsPolicy c) {
        var b = io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy.newBuilder();
        for (String o : c.allowOriginOrDefault()) {
            b.addAllowOriginStringMatch(StringMatcher.newBuilder().setExact(o));
        }
        for (StringMatch o : c.allowOriginsOrDefault()) {
            b.addAllowOriginStringMatch(stringMatcher(o));
        }
        if (!c.allowMethodsOrDefault().isEmpty()) {
            b.setAllowMethods(String.join(",", c.allowMethodsOrDefault()));
        }
        if (!c.allowHeadersOrDefault().isEmpty()) {
            b.setAllowHeaders(String.join(",", c.allowHeadersOrDefault()));
        }
        if (!c.exposeHeadersOrDefault().isEmpty()) {
            b.setExposeHeaders(String.join(",", c.exposeHeadersOrDefault()));
        }
        if (c.maxAge() != null) {
            b.setMaxAge(Long.toString(c.maxAge().nanos() / 1_000_000_000L));
        }
        if (c.allowCredentials() != null) {
            b.setAllowCredentials(com.google.protobuf.BoolValue.of(c.allowCredentials()));
        }
        return b.build();
    }
}
