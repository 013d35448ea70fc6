package dev.trellis.control.networking.listener;

import dev.trellis.control.networking.Envoy;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.Cors;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;

/** The HTTP filters routes may need before the router; their per-route settings live in the routes. */
public final class HttpFilters {

    public static final String FAULT = "envoy.filters.http.fault";
    public static final String CORS = "envoy.filters.http.cors";

    private HttpFilters() {}

    static HttpFilter byName(String name) {
        return switch (name) {
            case FAULT ->
                HttpFilter.newBuilder()
                        .setName(FAULT)
                        .setTypedConfig(Envoy.any(HTTPFault.getDefaultInstance()))
                        .build();
            case CORS ->
                HttpFilter.newBuilder()
                        .setName(CORS)
                        .setTypedConfig(Envoy.any(Cors.getDefaultInstance()))
                        .build();
            default -> throw new IllegalArgumentException("unknown HTTP filter " + name);
        };
    }
}
