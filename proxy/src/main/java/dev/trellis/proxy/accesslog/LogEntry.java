package dev.trellis.proxy.accesslog;

/**
 * What a finished request (HTTP) or a downstream connection (tcp_proxy) exposes to access-log operators. A TCP entry
 * answers the HTTP-only ones as Envoy does for TCP: no headers, response code 0, no protocol.
 */
public interface LogEntry {
    /** A request header (":method", ":path", ":authority", ":scheme" included), or null. */
    String requestHeader(String name);

    String responseHeader(String name);

    int responseCode();

    String responseFlags();

    long bytesReceived();

    long bytesSent();

    long durationMs();

    long startEpochMs();

    String protocol();

    String upstreamHost();

    String upstreamCluster();

    String downstreamRemoteAddress();

    String downstreamLocalAddress();

    String routeName();

    String responseCodeDetails();

    /** Envoy's {@code %UPSTREAM_LOCAL_ADDRESS%}: the local address of the upstream connection, or null. */
    default String upstreamLocalAddress() {
        return null;
    }

    /** Envoy's {@code %CONNECTION_TERMINATION_DETAILS%} (set by filters that close a connection, e.g. RBAC), or null. */
    default String connectionTerminationDetails() {
        return null;
    }

    default String upstreamTransportFailureReason() {
        return null;
    }

    default String requestedServerName() {
        return null;
    }

    /**
     * Envoy's {@code %ACCESS_LOG_TYPE%}: why this line was written. Connection managers log when a stream ends
     * ({@code DownstreamEnd}); tcp_proxy writes {@code TcpConnectionEnd}, {@code TcpUpstreamConnected} and
     * {@code TcpPeriodic}.
     */
    default String accessLogType() {
        return "DownstreamEnd";
    }
}
