package dev.trellis.bench.jmh;

import dev.trellis.proxy.route.RequestView;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;

/** A request as route matching sees it, with its headers already in a map (as the codec leaves them). */
record Requests(String authority, String path, String query, String method, Map<String, String> headers)
        implements RequestView {

    private static final InetSocketAddress REMOTE = new InetSocketAddress("10.1.2.3", 40000);

    @Override
    public String header(String name) {
        if (name.equals(":method")) {
            return method;
        }
        return headers.get(name);
    }

    @Override
    public List<String> headerValues(String name) {
        String v = header(name);
        return v == null ? List.of() : List.of(v);
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return REMOTE;
    }
}
