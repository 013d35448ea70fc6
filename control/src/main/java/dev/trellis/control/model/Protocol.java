package dev.trellis.control.model;

import java.util.Locale;

/**
 * A port's application protocol, chosen as Istio does: {@code appProtocol} first, else the port name's prefix before
 * the first {@code -} ({@code http-web}, {@code grpc}, {@code tcp-db}); anything else is {@link #UNSUPPORTED}, which
 * Istio sniffs and Trellis treats as TCP.
 */
public enum Protocol {
    HTTP,
    HTTP2,
    GRPC,
    GRPC_WEB,
    HTTPS,
    TLS,
    TCP,
    MONGO,
    MYSQL,
    REDIS,
    UDP,
    UNSUPPORTED;

    /** Parses a protocol name as Istio's ServiceEntry {@code protocol} field spells it; null if unknown. */
    public static Protocol parse(String name) {
        if (name == null || name.isEmpty()) {
            return null;
        }
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "http", "http1", "http/1.1" -> HTTP;
            case "http2", "h2", "h2c" -> HTTP2;
            case "grpc" -> GRPC;
            case "grpc-web" -> GRPC_WEB;
            case "https" -> HTTPS;
            case "tls" -> TLS;
            case "tcp" -> TCP;
            case "mongo" -> MONGO;
            case "mysql" -> MYSQL;
            case "redis" -> REDIS;
            case "udp" -> UDP;
            default -> null;
        };
    }

    /** Istio's rule: appProtocol wins, then the port name's prefix, then unsupported (sniffed, here TCP). */
    public static Protocol of(String portName, String appProtocol) {
        Protocol p = parse(appProtocol);
        if (p != null) {
            return p;
        }
        if (portName != null) {
            p = parse(portName);
            if (p != null) {
                return p;
            }
            int dash = portName.indexOf('-');
            if (dash > 0) {
                p = parse(portName.substring(0, dash));
                if (p != null) {
                    return p;
                }
            }
        }
        return UNSUPPORTED;
    }

    /** Served by an HTTP connection manager (HTTP/1.1, HTTP/2, gRPC). */
    public boolean isHttp() {
        return this == HTTP || this == HTTP2 || this == GRPC || this == GRPC_WEB;
    }

    /** Speaks HTTP/2 to the upstream. */
    public boolean isHttp2() {
        return this == HTTP2 || this == GRPC || this == GRPC_WEB;
    }

    /** Served by a TCP proxy (everything that is not HTTP, including TLS passthrough). */
    public boolean isTcp() {
        return !isHttp() && this != UDP;
    }

    public String text() {
        return name().replace('_', '-');
    }
}
