package dev.trellis.proxy.http.filter;

import com.google.protobuf.Any;
import dev.trellis.proxy.server.ProxyContext;

/**
 * Builds a filter's immutable config from its proto once per listener update, and a filter instance per stream.
 *
 * @param <C> the compiled config
 */
public interface HttpFilterFactory<C> {
    /** The config message's type URL, e.g. {@code type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}. */
    String typeUrl();

    /** Parses and validates; throws {@link dev.trellis.proxy.config.ConfigException} naming the field. */
    C parse(Any config, String where, ProxyContext context);

    /** A per-stream instance; {@code filterName} is the filter's name in the HCM (the key of per-route configs). */
    HttpFilter create(C config, String filterName);

    /** Whether this filter must be last (the router). */
    default boolean terminal() {
        return false;
    }
}
