package dev.trellis.proxy.tcp;

import dev.trellis.proxy.accesslog.AccessLogs;
import dev.trellis.proxy.accesslog.LogEntry;
import dev.trellis.proxy.http.ConnectionInfo;
import dev.trellis.proxy.route.EnvoyAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.function.LongSupplier;

/**
 * What one tcp_proxy connection shows its access logs, with Envoy's TCP meaning of the operators: the connection's
 * start and duration, the bytes read from and written to the downstream, the upstream it reached (or tried), and the
 * response flags that explain a connection that never reached one. HTTP-only operators see nothing: no headers, no
 * protocol, response code 0 (as Envoy prints them for TCP: {@code "- - -" 0}).
 *
 * <p>Only exists when the filter has access logs. The relay never touches it: byte counts are the relay's own
 * counters, read when a line is written (at close, and on the optional connected / periodic flushes), all on the
 * connection's event loop.
 */
final class TcpConnectionLog implements LogEntry {
    /** Response flags a tcp_proxy can raise, as bits; {@link #FLAG_NAMES} lists them in Envoy's printing order. */
    static final int UH = 1;

    static final int UF = 1 << 1;
    static final int UO = 1 << 2;
    static final int URX = 1 << 3;
    static final int NC = 1 << 4;
    private static final String[] FLAG_NAMES = {"UH", "UF", "UO", "URX", "NC"};

    static final String END = "TcpConnectionEnd";
    static final String CONNECTED = "TcpUpstreamConnected";
    static final String PERIODIC = "TcpPeriodic";

    private final AccessLogs logs;
    private final ConnectionInfo info;
    private final LongSupplier received;
    private final LongSupplier sent;
    private final long startEpochMs = System.currentTimeMillis();
    private final long startNanos = System.nanoTime();
    private int flags;
    private String cluster;
    private String upstreamHost;
    private String upstreamLocal;
    private String type = END;

    TcpConnectionLog(AccessLogs logs, ConnectionInfo info, LongSupplier received, LongSupplier sent) {
        this.logs = logs;
        this.info = info;
        this.received = received;
        this.sent = sent;
    }

    void flag(int f) {
        flags |= f;
    }

    void cluster(String name) {
        cluster = name;
    }

    /** The host a connection was made (or attempted) to. */
    void upstreamHost(String address) {
        upstreamHost = address;
    }

    void upstreamLocal(SocketAddress a) {
        upstreamLocal = a instanceof InetSocketAddress i ? EnvoyAddress.of(i) : null;
    }

    /** Writes one line of every log; {@code why} is its {@code %ACCESS_LOG_TYPE%}. */
    void write(String why) {
        type = why;
        logs.log(this);
    }

    @Override
    public String responseFlags() {
        if (flags == 0) {
            return "-";
        }
        StringBuilder sb = new StringBuilder(8);
        for (int i = 0; i < FLAG_NAMES.length; i++) {
            if ((flags & (1 << i)) != 0) {
                if (!sb.isEmpty()) {
                    sb.append(',');
                }
                sb.append(FLAG_NAMES[i]);
            }
        }
        return sb.toString();
    }

    @Override
    public long bytesReceived() {
        return received.getAsLong();
    }

    @Override
    public long bytesSent() {
        return sent.getAsLong();
    }

    @Override
    public long durationMs() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    @Override
    public long startEpochMs() {
        return startEpochMs;
    }

    @Override
    public String upstreamHost() {
        return upstreamHost;
    }

    @Override
    public String upstreamCluster() {
        return cluster;
    }

    @Override
    public String upstreamLocalAddress() {
        return upstreamLocal;
    }

    @Override
    public String downstreamRemoteAddress() {
        return EnvoyAddress.of(info.remote());
    }

    /**
     * Where the client meant to connect: with {@code original_dst} (or a {@code use_original_dst} hand-off) Envoy
     * restores the socket's local address to the original destination; otherwise it is the listener's address.
     */
    @Override
    public String requestedServerName() {
        return info.requestedServerName(); // "" when none: the formatter prints it as missing
    }

    @Override
    public String downstreamLocalAddress() {
        return EnvoyAddress.of(info.downstreamLocal());
    }

    @Override
    public String accessLogType() {
        return type;
    }

    // HTTP-only operators: nothing on a TCP connection.

    @Override
    public String requestHeader(String name) {
        return null;
    }

    @Override
    public String responseHeader(String name) {
        return null;
    }

    @Override
    public int responseCode() {
        return 0;
    }

    @Override
    public String protocol() {
        return null;
    }

    @Override
    public String routeName() {
        return null;
    }

    @Override
    public String responseCodeDetails() {
        return null;
    }
}
