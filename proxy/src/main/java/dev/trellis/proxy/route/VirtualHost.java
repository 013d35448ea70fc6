package dev.trellis.proxy.route;

import java.util.List;

/** A compiled virtual host: its domains, its routes in order, and its header mutations. */
public record VirtualHost(
        String name,
        List<String> domains,
        List<Route> routes,
        HeaderMutation requestHeaders,
        HeaderMutation responseHeaders) {

    /** The first route that matches, or null. */
    public Route route(RequestView r) {
        for (int i = 0; i < routes.size(); i++) {
            Route route = routes.get(i);
            if (route.match().matches(r)) {
                return route;
            }
        }
        return null;
    }
}
