package dev.trellis.proxy.http;

import dev.trellis.proxy.http.filter.HttpFilter;
import dev.trellis.proxy.lb.LbContext;
import dev.trellis.proxy.route.HeaderMutation;
import dev.trellis.proxy.route.RequestView;
import dev.trellis.proxy.route.Route;
import dev.trellis.proxy.route.RouteTable;
import dev.trellis.proxy.route.VirtualHost;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One request/response exchange on a downstream connection. It owns the request headers (mutating them in place
 * before they are forwarded), runs the HTTP filters, buffers request body parts until the router has an upstream, and
 * writes the response back with the connection manager's response mutations. Everything runs on the connection's
 * event loop.
 */
public final class HttpStream implements RequestView, LbContext, dev.trellis.proxy.accesslog.LogEntry {
    private final HttpConnectionHandler conn;
    private final HcmConfig cfg;
    private final HttpRequest request;
    private final long startNanos = System.nanoTime();
    private final long startEpochMs = System.currentTimeMillis();
    private long bytesIn;
    private long bytesOut;
    private HttpHeaders responseHeaders;
    private String upstreamHost;
    private String upstreamCluster;
    private String details;
    private String path;
    private String query;
    private RouteTable table;
    private VirtualHost vhost;
    private Route route;
    private HttpFilter[] filters;
    private boolean requestComplete;
    private ArrayDeque<HttpContent> pendingBody;
    private StreamSink sink;
    private boolean responseStarted;
    private boolean responseComplete;
    private boolean done;
    private int status;
    private int flags;
    private boolean keepAlive;
    private final boolean http10;
    private final boolean head;
    private String requestId;
    private String upgradeType;
    private boolean upgraded;
    private boolean hasHash;
    private long hash;
    private long routeTimeoutMs;
    long routeDeadline;
    long lastActivity = startNanos;
    /** The route's {@code idle_timeout}, overriding the connection manager's stream_idle_timeout; -1 = not set. */
    long idleTimeoutOverrideMs = -1;

    private final List<HeaderMutation> responseMutations = new ArrayList<>(4);
    private final List<HeaderMutation> responseMutationsReversed = responseMutations;

    HttpStream(HttpConnectionHandler conn, HttpRequest request) {
        this.conn = conn;
        this.cfg = conn.config();
        this.request = request;
        this.http10 = request.protocolVersion().equals(HttpVersion.HTTP_1_0);
        this.head = request.method().equals(HttpMethod.HEAD);
        splitUri(request.uri());
    }

    private void splitUri(String uri) {
        int q = uri.indexOf('?');
        String p = q < 0 ? uri : uri.substring(0, q);
        // Absolute-form (proxy) requests: match on the path only.
        if (p.startsWith("http://") || p.startsWith("https://")) {
            int slash = p.indexOf('/', p.indexOf("//") + 2);
            p = slash < 0 ? "/" : p.substring(slash);
        }
        this.path = p;
        this.query = q < 0 ? "" : uri.substring(q + 1);
    }

    // ---- request side -------------------------------------------------------------------------------------------

    void start() {
        cfg.stats().rqTotal.inc();
        cfg.stats().rqActive.inc();
        HttpHeaders h = request.headers();
        keepAlive = HttpUtil.isKeepAlive(request);
        String authority = h.get(HttpHeaderNames.HOST);
        if (authority == null || authority.isEmpty()) {
            if (!http10) {
                sendLocalReply(400, ResponseFlag.DPE, "missing host header");
                return;
            }
        }
        if (HttpUtil.is100ContinueExpected(request)) {
            // Envoy answers 100-continue itself and does not forward the expectation.
            h.remove(HttpHeaderNames.EXPECT);
            conn.writeInterim(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
        }
        String upgrade = h.get(HttpHeaderNames.UPGRADE);
        if (upgrade != null && h.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)) {
            upgradeType = upgrade.toLowerCase(java.util.Locale.ROOT);
            if (upgradeType.equals("h2c")) {
                // Like Envoy, an HTTP/1.1 -> h2c upgrade offer is ignored: the request proceeds as HTTP/1.1.
                upgradeType = null;
                h.remove("http2-settings");
            }
        }
        mutateRequestHeaders(h, authority);
        table = cfg.routes().table();
        if (table != null) {
            vhost = table.virtualHost(authority());
            if (vhost != null) {
                route = vhost.route(this);
            }
        }
        var configured = cfg.filters();
        filters = new HttpFilter[configured.size()];
        for (int i = 0; i < filters.length; i++) {
            filters[i] = configured.get(i).create();
        }
        nextFilter = 0;
        runRequestFilters();
    }

    private int nextFilter;

    private void runRequestFilters() {
        while (nextFilter < filters.length && !done) {
            HttpFilter f = filters[nextFilter++];
            if (f.onRequestHeaders(this) == HttpFilter.Status.STOP) {
                return;
            }
        }
    }

    /** Continues the request filter chain after a filter returned STOP (e.g. after an injected delay). */
    public void resumeRequest() {
        if (!done) {
            runRequestFilters();
        }
    }

    /** The route's {@code typed_per_filter_config} for the named filter, or null. */
    public com.google.protobuf.Any perFilterConfig(String filterName) {
        return route == null ? null : route.perFilterConfig().get(filterName);
    }

    /** The connection manager's own request mutations (hop-by-hop, forwarding headers, request id). */
    private void mutateRequestHeaders(HttpHeaders h, String authority) {
        h.remove(HttpHeaderNames.KEEP_ALIVE);
        h.remove(HttpHeaderNames.PROXY_CONNECTION);
        if (upgradeType == null) {
            h.remove(HttpHeaderNames.CONNECTION);
            h.remove(HttpHeaderNames.UPGRADE);
        } else {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        }
        String te = h.get(HttpHeaderNames.TE);
        if (te != null && !te.equalsIgnoreCase("trailers")) {
            h.remove(HttpHeaderNames.TE);
        }
        if (cfg.stripAnyHostPort() && authority != null) {
            h.set(HttpHeaderNames.HOST, RouteTable.stripPort(authority));
        }
        InetSocketAddress remote = conn.info().remote();
        if (cfg.useRemoteAddress()) {
            if (!cfg.skipXffAppend() && remote != null) {
                String ip = remote.getAddress().getHostAddress();
                String xff = h.get("x-forwarded-for");
                h.set("x-forwarded-for", xff == null ? ip : xff + "," + ip);
            }
            h.set("x-forwarded-proto", "http");
        } else if (!h.contains("x-forwarded-proto")) {
            h.set("x-forwarded-proto", "http");
        }
        if (cfg.generateRequestId()) {
            requestId = h.get("x-request-id");
            if (requestId == null || !cfg.preserveExternalRequestId() && cfg.useRemoteAddress()) {
                requestId = RequestIds.next();
                h.set("x-request-id", requestId);
            }
        }
        if (!cfg.via().isEmpty()) {
            String via = h.get(HttpHeaderNames.VIA);
            h.set(HttpHeaderNames.VIA, via == null ? cfg.via() : via + "," + cfg.via());
        }
    }

    void onRequestContent(HttpContent c) {
        lastActivity = System.nanoTime();
        bytesIn += c.content().readableBytes();
        boolean last = c instanceof LastHttpContent;
        if (last) {
            requestComplete = true;
            if (routeTimeoutMs > 0 && !done) {
                armRouteTimeout();
            }
        }
        if (done) {
            c.release();
            return;
        }
        if (sink != null) {
            sink.onRequestBody(c);
        } else {
            if (pendingBody == null) {
                pendingBody = new ArrayDeque<>(2);
            }
            pendingBody.add(c);
        }
    }

    void onDownstreamRaw(ByteBuf data) {
        lastActivity = System.nanoTime();
        if (sink != null && !done) {
            sink.onDownstreamRaw(data);
        } else {
            data.release();
        }
    }

    void onDownstreamReadComplete() {
        if (sink != null && !done) {
            sink.onRequestReadComplete();
        }
    }

    void onDownstreamWritabilityChanged(boolean writable) {
        if (sink != null && !done) {
            sink.onDownstreamWritabilityChanged(writable);
        }
    }

    /** The client went away: the stream ends with DC, the upstream is dropped. */
    void onDownstreamReset() {
        if (done) {
            return;
        }
        addFlag(ResponseFlag.DC);
        finish(true);
    }

    void onTimeout(ResponseFlag flag, int code, String body) {
        if (done) {
            return;
        }
        if (flag == ResponseFlag.UT && sink != null) {
            sink.onRouteTimeout();
            return;
        }
        sendLocalReply(code, flag, body);
    }

    // ---- API for filters and the router -------------------------------------------------------------------------

    public HttpRequest request() {
        return request;
    }

    public HcmConfig config() {
        return cfg;
    }

    public ConnectionInfo connection() {
        return conn.info();
    }

    public io.netty.channel.EventLoop eventLoop() {
        return conn.channel().eventLoop();
    }

    public Route route() {
        return route;
    }

    public VirtualHost virtualHost() {
        return vhost;
    }

    public RouteTable routeTable() {
        return table;
    }

    public boolean requestComplete() {
        return requestComplete;
    }

    public boolean responseStarted() {
        return responseStarted;
    }

    /** Whether the downstream side speaks HTTP/2 (for {@code USE_DOWNSTREAM} upstream protocol). */
    public boolean isHttp2() {
        return conn.isHttp2();
    }

    public boolean isDone() {
        return done;
    }

    public String upgradeType() {
        return upgradeType;
    }

    public long startNanos() {
        return startNanos;
    }

    public void addFlag(ResponseFlag f) {
        flags |= 1 << f.ordinal();
    }

    public boolean hasFlag(ResponseFlag f) {
        return (flags & (1 << f.ordinal())) != 0;
    }

    /** Envoy's {@code %RESPONSE_FLAGS%}: the flags, comma-separated, or "-". */
    public String responseFlags() {
        if (flags == 0) {
            return "-";
        }
        StringBuilder sb = new StringBuilder();
        for (ResponseFlag f : ResponseFlag.values()) {
            if (hasFlag(f)) {
                if (!sb.isEmpty()) {
                    sb.append(',');
                }
                sb.append(f.name());
            }
        }
        return sb.toString();
    }

    public int status() {
        return status;
    }

    public void setHash(long h) {
        this.hasHash = true;
        this.hash = h;
    }

    /** Replaces the request path (keeping the query) after a rewrite. */
    public void rewritePath(String newPath) {
        request.headers().set("x-envoy-original-path", request.uri());
        request.setUri(query.isEmpty() ? newPath : newPath + "?" + query);
        this.path = newPath;
    }

    /** Response header mutations to apply, in order, when the response headers go out. */
    public void addResponseMutation(HeaderMutation m) {
        if (!m.isEmpty()) {
            responseMutations.add(m);
        }
    }

    /** A route-level {@code idle_timeout} (0 disables) replacing the connection manager's stream idle timeout. */
    public void setIdleTimeout(long ms) {
        this.idleTimeoutOverrideMs = ms;
        if (ms > 0) {
            conn.armTimer(lastActivity + ms * 1_000_000L);
        }
    }

    /** Starts the route timeout (counted from the end of the request, as Envoy does). */
    public void setRouteTimeout(long ms) {
        this.routeTimeoutMs = ms;
        if (ms > 0 && requestComplete) {
            armRouteTimeout();
        }
    }

    private void armRouteTimeout() {
        routeDeadline = System.nanoTime() + routeTimeoutMs * 1_000_000L;
        conn.armTimer(routeDeadline);
    }

    /** Stops reading the downstream connection (e.g. until an upstream connection is ready). */
    public void blockDownstreamReads(int reason) {
        conn.block(reason);
    }

    public void unblockDownstreamReads(int reason) {
        conn.unblock(reason);
    }

    /** Attaches the upstream side: queued body parts are handed over, later ones go straight to it. */
    public void attachSink(StreamSink s) {
        this.sink = s;
        if (pendingBody != null) {
            HttpContent c;
            while ((c = pendingBody.poll()) != null) {
                s.onRequestBody(c);
            }
        }
    }

    public void detachSink() {
        this.sink = null;
    }

    // ---- response side ------------------------------------------------------------------------------------------

    /** Sends the response headers (mutated in place; ownership passes to the connection). */
    public void encodeHeaders(HttpResponse r) {
        if (done) {
            io.netty.util.ReferenceCountUtil.release(r);
            return;
        }
        lastActivity = System.nanoTime();
        responseStarted = true;
        status = r.status().code();
        responseHeaders = r.headers();
        details = "via_upstream";
        for (int i = filters.length - 1; i >= 0; i--) {
            filters[i].onResponseHeaders(this, r);
        }
        prepareResponseHeaders(r);
        if (r instanceof LastHttpContent) {
            conn.write(r);
            complete();
        } else {
            conn.write(r);
        }
    }

    /** Sends a response body part; the last part completes the stream. */
    public void encodeContent(HttpContent c) {
        if (done) {
            c.release();
            return;
        }
        lastActivity = System.nanoTime();
        bytesOut += c.content().readableBytes();
        conn.write(c);
        if (c instanceof LastHttpContent) {
            complete();
        }
    }

    /** Sends a 101 and switches this connection to raw byte relay. */
    public void encodeUpgrade(HttpResponse r) {
        responseStarted = true;
        upgraded = true;
        status = r.status().code();
        prepareResponseHeaders(r);
        r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        conn.writeUpgrade(r);
    }

    public void flushDownstream() {
        conn.flush();
    }

    public void setDownstreamAutoRead(boolean on) {
        conn.channel().config().setAutoRead(on);
    }

    public boolean downstreamWritable() {
        return conn.channel().isWritable();
    }

    /** Writes raw bytes downstream after an upgrade (ownership passes). */
    public void writeRaw(ByteBuf data) {
        lastActivity = System.nanoTime();
        conn.write(data);
    }

    /** Ends an upgraded stream: both connections close. */
    public void closeUpgraded() {
        if (!done) {
            done = true;
            cfg.stats().rqActive.dec();
            cfg.stats().responseCode(status);
            destroyFilters();
            conn.streamComplete(this, true);
        }
    }

    private void prepareResponseHeaders(HttpResponse r) {
        HttpHeaders h = r.headers();
        for (int i = 0; i < responseMutationsReversed.size(); i++) {
            responseMutationsReversed.get(i).apply(h, this);
        }
        switch (cfg.serverHeader()) {
            case OVERWRITE -> h.set(HttpHeaderNames.SERVER, cfg.serverName());
            case APPEND_IF_ABSENT -> {
                if (!h.contains(HttpHeaderNames.SERVER)) {
                    h.set(HttpHeaderNames.SERVER, cfg.serverName());
                }
            }
            case PASS_THROUGH -> {}
        }
        if (!cfg.via().isEmpty()) {
            String via = h.get(HttpHeaderNames.VIA);
            h.set(HttpHeaderNames.VIA, via == null ? cfg.via() : via + "," + cfg.via());
        }
        if (cfg.alwaysSetRequestIdInResponse() && requestId != null) {
            h.set("x-request-id", requestId);
        }
        if (!h.contains(HttpHeaderNames.DATE)) {
            h.set(HttpHeaderNames.DATE, DateCache.now());
        }
        h.remove(HttpHeaderNames.KEEP_ALIVE);
        h.remove(HttpHeaderNames.PROXY_CONNECTION);
        if (!upgraded) {
            h.remove(HttpHeaderNames.CONNECTION);
            h.remove(HttpHeaderNames.UPGRADE);
        }
        if (conn.isHttp2()) {
            return;
        }
        boolean closeAfter = !keepAlive || conn.closingAfterResponse();
        boolean bodyless = head || status < 200 || status == 204 || status == 304;
        boolean chunked = HttpUtil.isTransferEncodingChunked(r);
        if (http10) {
            r.setProtocolVersion(HttpVersion.HTTP_1_0);
            if (chunked) {
                // HTTP/1.0 has no chunking: send the body raw and end it by closing.
                h.remove(HttpHeaderNames.TRANSFER_ENCODING);
                closeAfter = true;
            } else if (!h.contains(HttpHeaderNames.CONTENT_LENGTH) && !bodyless) {
                closeAfter = true;
            }
        } else {
            r.setProtocolVersion(HttpVersion.HTTP_1_1);
            if (!chunked
                    && !bodyless
                    && !h.contains(HttpHeaderNames.CONTENT_LENGTH)
                    && !(r instanceof FullHttpResponse)) {
                h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            }
        }
        if (closeAfter) {
            keepAlive = false;
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (http10) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
    }

    /**
     * Answers the request from the proxy itself: status, Envoy's response flag (or null) and a text body saying what
     * happened. If the response already started, the stream is reset instead.
     */
    public void sendLocalReply(int code, ResponseFlag flag, String body) {
        sendLocalReply(code, flag, body.getBytes(StandardCharsets.UTF_8), "text/plain", null);
    }

    public void sendLocalReply(int code, ResponseFlag flag, byte[] body, String contentType, HttpHeaders extra) {
        if (done) {
            return;
        }
        if (flag != null) {
            addFlag(flag);
        }
        if (responseStarted) {
            resetStream(flag);
            return;
        }
        if (sink != null) {
            StreamSink s = sink;
            sink = null;
            s.onStreamReset();
        }
        ByteBuf content = body.length == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body);
        FullHttpResponse r =
                new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(code), content);
        HttpHeaders h = r.headers();
        if (extra != null) {
            h.add(extra);
        }
        if (body.length > 0) {
            h.set(HttpHeaderNames.CONTENT_TYPE, contentType);
        }
        h.setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        if (!requestComplete) {
            // The rest of the request body would be read as the next request: close after this response.
            keepAlive = false;
        }
        responseStarted = true;
        status = code;
        responseHeaders = h;
        bytesOut += body.length;
        details = flag == null ? "direct_response" : flag.description().replace(' ', '_');
        for (int i = filters == null ? -1 : filters.length - 1; i >= 0; i--) {
            filters[i].onResponseHeaders(this, r);
        }
        prepareResponseHeaders(r);
        if (head) {
            r.content().clear();
        }
        conn.write(r);
        conn.flush();
        complete();
    }

    /** Resets a stream whose response already started: for HTTP/1.1 that means closing the connection. */
    public void resetStream(ResponseFlag flag) {
        if (done) {
            return;
        }
        if (flag != null) {
            addFlag(flag);
        }
        keepAlive = false;
        finish(true);
    }

    private void complete() {
        responseComplete = true;
        conn.flush();
        finish(false);
    }

    private void finish(boolean reset) {
        if (done) {
            return;
        }
        done = true;
        cfg.stats().rqActive.dec();
        if (status != 0) {
            cfg.stats().responseCode(status);
        }
        if (pendingBody != null) {
            HttpContent c;
            while ((c = pendingBody.poll()) != null) {
                c.release();
            }
        }
        if (sink != null && (reset || !responseComplete)) {
            StreamSink s = sink;
            sink = null;
            s.onStreamReset();
        }
        sink = null;
        destroyFilters();
        if (!cfg.accessLogs().isEmpty()) {
            cfg.accessLogs().log(this);
        }
        conn.streamComplete(this, reset || !keepAlive);
    }

    private void destroyFilters() {
        if (filters != null) {
            for (HttpFilter f : filters) {
                f.onDestroy(this);
            }
        }
    }

    /** The upstream the router chose (for access logs). */
    public void setUpstream(String host, String cluster) {
        this.upstreamHost = host;
        this.upstreamCluster = cluster;
    }

    // ---- LogEntry -----------------------------------------------------------------------------------------------

    @Override
    public String requestHeader(String name) {
        return header(name);
    }

    @Override
    public String responseHeader(String name) {
        return responseHeaders == null ? null : responseHeaders.get(name);
    }

    @Override
    public int responseCode() {
        return status;
    }

    @Override
    public long bytesReceived() {
        return bytesIn;
    }

    @Override
    public long bytesSent() {
        return bytesOut;
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
    public String protocol() {
        return conn.isHttp2() ? "HTTP/2" : http10 ? "HTTP/1.0" : "HTTP/1.1";
    }

    @Override
    public String upstreamHost() {
        return upstreamHost;
    }

    @Override
    public String upstreamCluster() {
        return upstreamCluster;
    }

    @Override
    public String downstreamRemoteAddress() {
        return dev.trellis.proxy.route.EnvoyAddress.of(conn.info().remote());
    }

    @Override
    public String requestedServerName() {
        return conn.info().requestedServerName(); // "" when none: the formatter prints it as missing
    }

    @Override
    public String downstreamLocalAddress() {
        return dev.trellis.proxy.route.EnvoyAddress.of(conn.info().downstreamLocal());
    }

    @Override
    public String routeName() {
        return route == null || route.name().isEmpty() ? null : route.name();
    }

    @Override
    public String responseCodeDetails() {
        return details;
    }

    // ---- RequestView / LbContext ------------------------------------------------------------------------------

    @Override
    public String authority() {
        String h = request.headers().get(HttpHeaderNames.HOST);
        return h == null ? "" : h;
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public String query() {
        return query;
    }

    @Override
    public String method() {
        return request.method().name();
    }

    @Override
    public String header(String name) {
        HttpHeaders h = request.headers();
        if (name.startsWith(":")) {
            return switch (name) {
                case ":authority" -> authority();
                case ":path" -> request.uri();
                case ":method" -> method();
                case ":scheme" -> "http";
                default -> null;
            };
        }
        List<String> all = h.getAll(name);
        if (all.isEmpty()) {
            return null;
        }
        return all.size() == 1 ? all.get(0) : String.join(",", all);
    }

    @Override
    public List<String> headerValues(String name) {
        return request.headers().getAll(name);
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return conn.info().remote();
    }

    @Override
    public InetSocketAddress localAddress() {
        return conn.info().local();
    }

    @Override
    public boolean hasHash() {
        return hasHash;
    }

    @Override
    public long hash() {
        return hash;
    }

    boolean isUpgraded() {
        return upgraded;
    }
}
