package dev.trellis.proxy.accesslog;

/** What a finished request exposes to access-log operators. */
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
}
