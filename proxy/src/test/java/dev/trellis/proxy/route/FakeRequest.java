package dev.trellis.proxy.route;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A request for matching tests. */
record FakeRequest(
        String authority, String uri, String method, Map<String, List<String>> headers, InetSocketAddress remote)
        implements RequestView {

    static FakeRequest of(String authority, String uri, String... headerPairs) {
        Map<String, List<String>> h = new LinkedHashMap<>();
        for (int i = 0; i < headerPairs.length; i += 2) {
            h.computeIfAbsent(headerPairs[i].toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(headerPairs[i + 1]);
        }
        return new FakeRequest(authority, uri, "GET", h, new InetSocketAddress("10.1.2.3", 5555));
    }

    @Override
    public String path() {
        int q = uri.indexOf('?');
        return q < 0 ? uri : uri.substring(0, q);
    }

    @Override
    public String query() {
        int q = uri.indexOf('?');
        return q < 0 ? "" : uri.substring(q + 1);
    }

    @Override
    public String header(String name) {
        if (name.equals(":method")) {
            return method;
        }
        List<String> v = headers.get(name);
        return v == null ? null : String.join(",", v);
    }

    @Override
    public List<String> headerValues(String name) {
        return headers.getOrDefault(name, List.of());
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public InetSocketAddress localAddress() {
        return new InetSocketAddress("10.9.9.9", 8080);
    }
}
