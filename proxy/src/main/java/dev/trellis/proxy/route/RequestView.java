package dev.trellis.proxy.route;

import java.net.InetSocketAddress;
import java.util.List;

/** What route matching reads from a request. */
public interface RequestView {
    /** {@code :authority} / Host, as received. */
    String authority();

    /** The path without the query string. */
    String path();

    /** The query string without '?', or empty. */
    String query();

    String method();

    /** The value of a header (several values joined with ","), or null when absent. */
    String header(String name);

    List<String> headerValues(String name);

    InetSocketAddress remoteAddress();

    /** The downstream connection's local address, when known. */
    default InetSocketAddress localAddress() {
        return null;
    }
}
