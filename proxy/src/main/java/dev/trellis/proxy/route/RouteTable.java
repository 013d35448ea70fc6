package dev.trellis.proxy.route;

import dev.trellis.proxy.config.ConfigException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A compiled {@code RouteConfiguration}. Virtual hosts are found in Envoy's order: exact domain, then the longest
 * {@code *.suffix} wildcard, then the longest {@code prefix.*} wildcard, then {@code *}. Matching is case-insensitive;
 * with {@code ignore_port_in_host_matching} the port is dropped from the authority first.
 */
public final class RouteTable {
    private record Wildcard(String part, VirtualHost vh) {}

    private final String name;
    private final String version;
    private final Map<String, VirtualHost> exact = new HashMap<>();
    private final List<Wildcard> suffixes = new ArrayList<>();
    private final List<Wildcard> prefixes = new ArrayList<>();
    private VirtualHost any;
    private final boolean ignorePort;
    private final HeaderMutation requestHeaders;
    private final HeaderMutation responseHeaders;
    private final boolean mostSpecificWins;
    private final List<VirtualHost> virtualHosts;
    private final com.google.protobuf.Message source;

    RouteTable(
            String name,
            String version,
            List<VirtualHost> virtualHosts,
            boolean ignorePort,
            HeaderMutation requestHeaders,
            HeaderMutation responseHeaders,
            boolean mostSpecificWins,
            com.google.protobuf.Message source) {
        this.name = name;
        this.version = version;
        this.ignorePort = ignorePort;
        this.requestHeaders = requestHeaders;
        this.responseHeaders = responseHeaders;
        this.mostSpecificWins = mostSpecificWins;
        this.virtualHosts = List.copyOf(virtualHosts);
        this.source = source;
        Map<String, String> seen = new HashMap<>();
        for (VirtualHost vh : virtualHosts) {
            for (String d : vh.domains()) {
                String domain = d.toLowerCase(Locale.ROOT);
                String prev = seen.put(domain, vh.name());
                if (prev != null) {
                    throw new ConfigException("route configuration \"" + name + "\": domain '" + d
                            + "' appears in virtual hosts \"" + prev + "\" and \"" + vh.name() + "\"");
                }
                if (domain.equals("*")) {
                    any = vh;
                } else if (domain.startsWith("*")) {
                    suffixes.add(new Wildcard(domain.substring(1), vh));
                } else if (domain.endsWith("*")) {
                    prefixes.add(new Wildcard(domain.substring(0, domain.length() - 1), vh));
                } else {
                    exact.put(domain, vh);
                }
            }
        }
        Comparator<Wildcard> longestFirst =
                Comparator.comparingInt((Wildcard w) -> w.part().length()).reversed();
        suffixes.sort(longestFirst);
        prefixes.sort(longestFirst);
    }

    public VirtualHost virtualHost(String authority) {
        if (authority == null) {
            authority = "";
        }
        String host = authority.toLowerCase(Locale.ROOT);
        if (ignorePort) {
            host = stripPort(host);
        }
        VirtualHost vh = exact.get(host);
        if (vh != null) {
            return vh;
        }
        for (Wildcard w : suffixes) {
            // "*.foo.com" needs at least one character before the suffix.
            if (host.length() > w.part().length() && host.endsWith(w.part())) {
                return w.vh();
            }
        }
        for (Wildcard w : prefixes) {
            if (host.length() > w.part().length() && host.startsWith(w.part())) {
                return w.vh();
            }
        }
        return any;
    }

    /** Drops a trailing ":port" (not from a bare IPv6 literal). */
    public static String stripPort(String host) {
        int colon = host.lastIndexOf(':');
        if (colon < 0) {
            return host;
        }
        if (host.startsWith("[")) {
            int close = host.indexOf(']');
            return close > 0 && colon > close ? host.substring(0, colon) : host;
        }
        return host.indexOf(':') == colon ? host.substring(0, colon) : host;
    }

    public String name() {
        return name;
    }

    public String version() {
        return version;
    }

    public HeaderMutation requestHeaders() {
        return requestHeaders;
    }

    public HeaderMutation responseHeaders() {
        return responseHeaders;
    }

    public boolean mostSpecificWins() {
        return mostSpecificWins;
    }

    public List<VirtualHost> virtualHosts() {
        return virtualHosts;
    }

    public com.google.protobuf.Message source() {
        return source;
    }
}
