package dev.trellis.proxy.filter.cors;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.trellis.proxy.config.ConfigException;
import dev.trellis.proxy.http.HttpStream;
import dev.trellis.proxy.http.filter.HttpFilter;
import dev.trellis.proxy.http.filter.HttpFilterFactory;
import dev.trellis.proxy.route.StringMatch;
import dev.trellis.proxy.server.ProxyContext;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.Cors;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** {@code envoy.filters.http.cors}. */
public final class CorsFilterFactory implements HttpFilterFactory<Boolean> {
    public static final String TYPE_URL = "type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors";

    /** A compiled per-route policy. */
    record Policy(
            List<StringMatch> origins,
            String methods,
            String headers,
            String exposeHeaders,
            String maxAge,
            boolean credentials,
            boolean enabled) {
        static final Policy NONE = new Policy(List.of(), "", "", "", "", false, false);

        boolean allows(String origin) {
            for (StringMatch m : origins) {
                if (m.matches(origin)) {
                    return true;
                }
            }
            return false;
        }
    }

    private static final Map<Any, Policy> PER_ROUTE = new ConcurrentHashMap<>();

    @Override
    public String typeUrl() {
        return TYPE_URL;
    }

    @Override
    public Boolean parse(Any config, String where, ProxyContext context) {
        try {
            dev.trellis.proxy.config.Fields.unpack(config, Cors.class);
        } catch (InvalidProtocolBufferException e) {
            throw new ConfigException(where + ": cannot decode Cors: " + e.getMessage());
        }
        return Boolean.TRUE;
    }

    static Policy compile(Any any) {
        CorsPolicy p;
        try {
            p = dev.trellis.proxy.config.Fields.unpack(any, CorsPolicy.class);
        } catch (InvalidProtocolBufferException e) {
            return Policy.NONE;
        }
        return new Policy(
                p.getAllowOriginStringMatchList().stream()
                        .map(m -> StringMatch.compile(m, "cors allow_origin_string_match"))
                        .toList(),
                p.getAllowMethods(),
                p.getAllowHeaders(),
                p.getExposeHeaders(),
                p.getMaxAge(),
                p.hasAllowCredentials() && p.getAllowCredentials().getValue(),
                !p.hasFilterEnabled() || p.getFilterEnabled().getDefaultValue().getNumerator() > 0);
    }

    @Override
    public HttpFilter create(Boolean config, String filterName) {
        return new HttpFilter() {
            private Policy policy;
            private String origin;

            @Override
            public Status onRequestHeaders(HttpStream s) {
                Any a = s.perFilterConfig(filterName);
                String o = s.header("origin");
                if (a == null || o == null) {
                    return Status.CONTINUE;
                }
                Policy p = PER_ROUTE.computeIfAbsent(a, CorsFilterFactory::compile);
                if (!p.enabled() || !p.allows(o)) {
                    return Status.CONTINUE;
                }
                policy = p;
                origin = o;
                if (s.request().method().equals(HttpMethod.OPTIONS)
                        && s.header("access-control-request-method") != null) {
                    HttpHeaders h = new DefaultHttpHeaders();
                    h.set("access-control-allow-origin", o);
                    if (!p.methods().isEmpty()) {
                        h.set("access-control-allow-methods", p.methods());
                    }
                    if (!p.headers().isEmpty()) {
                        h.set("access-control-allow-headers", p.headers());
                    }
                    if (!p.maxAge().isEmpty()) {
                        h.set("access-control-max-age", p.maxAge());
                    }
                    if (p.credentials()) {
                        h.set("access-control-allow-credentials", "true");
                    }
                    policy = null; // the preflight answer already carries the headers
                    s.sendLocalReply(200, null, new byte[0], "text/plain", h);
                    return Status.STOP;
                }
                return Status.CONTINUE;
            }

            @Override
            public void onResponseHeaders(HttpStream s, HttpResponse r) {
                if (policy == null) {
                    return;
                }
                r.headers().set("access-control-allow-origin", origin);
                if (policy.credentials()) {
                    r.headers().set("access-control-allow-credentials", "true");
                }
                if (!policy.exposeHeaders().isEmpty()) {
                    r.headers().set("access-control-expose-headers", policy.exposeHeaders());
                }
            }
        };
    }
}
