package dev.trellis.proxy.route;

import java.net.InetSocketAddress;

/**
 * An address as Envoy prints it ({@code Address::asString}): {@code 10.0.0.1:8080}, IPv6 in brackets
 * {@code [::1]:8080}. What access logs, header operators and generated cookies show and hash.
 */
public final class EnvoyAddress {
    private EnvoyAddress() {}

    /** The address with its port, or null for null. */
    public static String of(InetSocketAddress a) {
        if (a == null) {
            return null;
        }
        String ip = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
        return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + a.getPort();
    }

    /** The IP alone, without brackets or port ({@code %DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%}), or null. */
    public static String withoutPort(InetSocketAddress a) {
        if (a == null) {
            return null;
        }
        return a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
    }
}
