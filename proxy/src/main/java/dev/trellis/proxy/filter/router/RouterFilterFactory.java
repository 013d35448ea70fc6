package dev.trellis.proxy.filter.router;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.trellis.proxy.config.ConfigException;
import dev.trellis.proxy.config.Fields;
import dev.trellis.proxy.http.filter.HttpFilter;
import dev.trellis.proxy.http.filter.HttpFilterFactory;
import dev.trellis.proxy.server.ProxyContext;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import java.util.Set;

/** {@code envoy.filters.http.router}. */
public final class RouterFilterFactory implements HttpFilterFactory<RouterConfig> {
    public static final String TYPE_URL = "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router";

    @Override
    public String typeUrl() {
        return TYPE_URL;
    }

    @Override
    public RouterConfig parse(Any config, String where, ProxyContext context) {
        Router r;
        try {
            r = dev.trellis.proxy.config.Fields.unpack(config, Router.class);
        } catch (InvalidProtocolBufferException e) {
            throw new ConfigException(where + ": cannot decode Router: " + e.getMessage());
        }
        Fields.requireOnly(r, where, Set.of("suppress_envoy_headers", "start_child_span", "dynamic_stats"));
        return new RouterConfig(r.getSuppressEnvoyHeaders(), context);
    }

    @Override
    public HttpFilter create(RouterConfig config, String filterName) {
        return new RouterFilter(config);
    }

    @Override
    public boolean terminal() {
        return true;
    }
}
