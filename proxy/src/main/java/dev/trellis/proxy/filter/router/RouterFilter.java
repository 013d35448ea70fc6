package dev.trellis.proxy.filter.router;

import dev.trellis.proxy.cluster.Cluster;
import dev.trellis.proxy.cluster.Host;
import dev.trellis.proxy.http.HttpConnectionHandler;
import dev.trellis.proxy.http.HttpStream;
import dev.trellis.proxy.http.ResponseFlag;
import dev.trellis.proxy.http.StreamSink;
import dev.trellis.proxy.http.filter.HttpFilter;
import dev.trellis.proxy.route.HashPolicy;
import dev.trellis.proxy.route.HeaderMutation;
import dev.trellis.proxy.route.Route;
import dev.trellis.proxy.route.RouteMatch;
import dev.trellis.proxy.route.RouteTable;
import dev.trellis.proxy.upstream.Http1Pool;
import dev.trellis.proxy.upstream.PoolFailure;
import dev.trellis.proxy.upstream.Pools;
import dev.trellis.proxy.upstream.UpstreamCallbacks;
import dev.trellis.proxy.upstream.UpstreamStream;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.ThreadLocalRandom;

/** The per-stream router: one upstream request (no retries yet: they arrive with the resilience work). */
final class RouterFilter implements HttpFilter, StreamSink, UpstreamCallbacks {
    private static final String RESET_BEFORE_HEADERS = "upstream connect error or disconnect/reset before headers. ";

    private final RouterConfig config;
    private HttpStream stream;
    private Cluster cluster;
    private Host host;
    private Http1Pool pool;
    private dev.trellis.proxy.upstream.Http2Pool h2pool;
    private UpstreamStream upstream;
    private boolean requestAcquired;
    private boolean finished;
    private boolean responseComplete;
    private boolean upgradeResponse;
    private boolean relaying;
    private int responseStatus;

    RouterFilter(RouterConfig config) {
        this.config = config;
    }

    @Override
    public Status onRequestHeaders(HttpStream s) {
        this.stream = s;
        Route route = s.route();
        if (route == null) {
            s.config().stats().noRoute.inc();
            s.sendLocalReply(404, ResponseFlag.NR, "no route matched " + s.authority() + s.path());
            return Status.STOP;
        }
        switch (route.action()) {
            case Route.DirectResponse d -> {
                addResponseMutations(s, route, null);
                s.sendLocalReply(d.status(), null, d.body(), "text/plain", null);
            }
            case Route.Redirect r -> {
                addResponseMutations(s, route, null);
                HttpHeaders h = new DefaultHttpHeaders();
                h.set(HttpHeaderNames.LOCATION, location(s, route, r));
                s.sendLocalReply(r.status(), null, new byte[0], "text/plain", h);
            }
            case Route.Forward f -> forward(s, route, f);
        }
        return Status.STOP;
    }

    private void forward(HttpStream s, Route route, Route.Forward f) {
        Route.WeightedCluster wc = null;
        String clusterName = f.cluster();
        if (f.clusterHeader() != null) {
            clusterName = s.header(f.clusterHeader());
        } else if (!f.weighted().isEmpty()) {
            int[] cum = f.cumulativeWeights();
            int r = ThreadLocalRandom.current().nextInt(cum[cum.length - 1]);
            int i = 0;
            while (r >= cum[i]) {
                i++;
            }
            wc = f.weighted().get(i);
            clusterName = wc.name();
        }
        cluster = clusterName == null ? null : config.context().clusters().get(clusterName);
        if (cluster == null) {
            s.sendLocalReply(
                    503, ResponseFlag.NC, "cluster not found: " + (clusterName == null ? "(none)" : clusterName));
            return;
        }
        if (cluster.unusableReason() != null) {
            s.sendLocalReply(503, ResponseFlag.UF, RESET_BEFORE_HEADERS + "reset reason: " + cluster.unusableReason());
            return;
        }
        String upgrade = s.upgradeType();
        if (upgrade != null
                && !s.config().upgrades().contains(upgrade)
                && !f.upgrades().contains(upgrade)) {
            s.config().stats().upgradesFailed.inc();
            s.sendLocalReply(403, null, "upgrade to '" + upgrade + "' is not allowed on this route");
            return;
        }
        HttpRequest req = s.request();
        HttpHeaders h = req.headers();
        applyRequestMutations(s, route, wc, h);
        addResponseMutations(s, route, wc);
        rewrite(s, route, f);
        if (f.hostRewriteLiteral() != null) {
            h.set(HttpHeaderNames.HOST, f.hostRewriteLiteral());
        } else if (f.hostRewriteHeader() != null) {
            String v = s.header(f.hostRewriteHeader());
            if (v != null && !v.isEmpty()) {
                h.set(HttpHeaderNames.HOST, v);
            }
        }
        if (!f.hashPolicies().isEmpty()) {
            Long hash = HashPolicy.compute(
                    f.hashPolicies(),
                    s,
                    setCookie -> s.addResponseMutation(
                            dev.trellis.proxy.route.HeaderMutation.append("set-cookie", setCookie)));
            if (hash != null) {
                s.setHash(hash);
            }
        }
        if (!cluster.circuitBreakers().tryAcquireRequest()) {
            cluster.stats().rqPendingOverflow.inc();
            s.sendLocalReply(503, ResponseFlag.UO, RESET_BEFORE_HEADERS + "reset reason: overflow");
            return;
        }
        requestAcquired = true;
        host = cluster.choose(s, originalDestination(s));
        if (host == null) {
            cluster.stats().noHealthyUpstream.inc();
            s.sendLocalReply(503, ResponseFlag.UH, "no healthy upstream");
            return;
        }
        if (f.autoHostRewrite() && host.hostname() != null) {
            h.set(HttpHeaderNames.HOST, host.hostname());
        }
        host.requestStarted();
        s.setUpstream(host.addressString(), cluster.name());
        cluster.stats().rqTotal.inc();
        cluster.stats().rqActive.inc();
        if (!config.suppressEnvoyHeaders() && f.timeoutMs() > 0) {
            h.set("x-envoy-expected-rq-timeout-ms", Long.toString(f.timeoutMs()));
        }
        s.setRouteTimeout(f.timeoutMs());
        if (f.idleTimeoutMs() >= 0) {
            s.setIdleTimeout(f.idleTimeoutMs());
        }
        Pools pools = Pools.of(s.eventLoop());
        Class<? extends io.netty.channel.Channel> channelClass =
                config.context().transport().channelFor(host);
        if (channelClass == null) {
            finishAccounting();
            s.sendLocalReply(503, ResponseFlag.UF, "unix domain socket endpoints need the epoll transport");
            return;
        }
        var protocol = cluster.protocol();
        if (protocol == dev.trellis.proxy.cluster.UpstreamProtocol.HTTP2
                || protocol == dev.trellis.proxy.cluster.UpstreamProtocol.USE_DOWNSTREAM && s.isHttp2()) {
            h2pool = pools.http2(cluster, host, channelClass);
            h2pool.acquire(this);
        } else {
            pool = pools.http1(cluster, host, channelClass);
            pool.acquire(this);
        }
        if (upstream == null && !finished && !s.isDone()) {
            // Still connecting: pause the client until the upstream is ready (body parts already read are queued).
            // A pooled connection is usually ready at once, sparing two epoll updates per request.
            s.blockDownstreamReads(HttpConnectionHandler.BLOCK_CONNECTING);
        }
    }

    /**
     * Where an ORIGINAL_DST cluster sends the request: the {@code x-envoy-original-dst-host} header when the cluster
     * sets {@code use_http_header} (Envoy's semantics), else the connection's original destination.
     */
    private java.net.InetSocketAddress originalDestination(HttpStream s) {
        if (cluster.type() == Cluster.DiscoveryType.ORIGINAL_DST && cluster.originalDstUseHeader()) {
            String v = s.header("x-envoy-original-dst-host");
            if (v != null) {
                int colon = v.lastIndexOf(':');
                if (colon > 0) {
                    try {
                        String ip = v.substring(0, colon).replace("[", "").replace("]", "");
                        int port = Integer.parseInt(v.substring(colon + 1));
                        if (com.google.common.net.InetAddresses.isInetAddress(ip)) {
                            return new java.net.InetSocketAddress(
                                    com.google.common.net.InetAddresses.forString(ip), port);
                        }
                    } catch (NumberFormatException e) {
                        // fall through: not an address
                    }
                }
                return null;
            }
        }
        var info = s.connection();
        if (cluster.type() == Cluster.DiscoveryType.ORIGINAL_DST
                && info.originalDestination().equals(info.local())) {
            // Not redirected: the "original" destination is this listener, and forwarding there would loop.
            return null;
        }
        return info.originalDestination();
    }

    private static void applyRequestMutations(HttpStream s, Route route, Route.WeightedCluster wc, HttpHeaders h) {
        RouteTable t = s.routeTable();
        // Envoy applies the most specific level first, so a less specific level's overwrite wins, unless
        // most_specific_header_mutations_wins reverses that.
        HeaderMutation[] levels = {
            wc == null ? HeaderMutation.NONE : wc.requestHeaders(),
            route.requestHeaders(),
            s.virtualHost().requestHeaders(),
            t.requestHeaders()
        };
        if (t.mostSpecificWins()) {
            for (int i = levels.length - 1; i >= 0; i--) {
                levels[i].apply(h, s);
            }
        } else {
            for (HeaderMutation m : levels) {
                if (!m.isEmpty()) {
                    m.apply(h, s);
                }
            }
        }
    }

    private static void addResponseMutations(HttpStream s, Route route, Route.WeightedCluster wc) {
        RouteTable t = s.routeTable();
        HeaderMutation[] levels = {
            wc == null ? HeaderMutation.NONE : wc.responseHeaders(),
            route.responseHeaders(),
            s.virtualHost().responseHeaders(),
            t.responseHeaders()
        };
        if (t.mostSpecificWins()) {
            for (int i = levels.length - 1; i >= 0; i--) {
                s.addResponseMutation(levels[i]);
            }
        } else {
            for (HeaderMutation m : levels) {
                s.addResponseMutation(m);
            }
        }
    }

    private static void rewrite(HttpStream s, Route route, Route.Forward f) {
        if (f.prefixRewrite() != null) {
            RouteMatch m = route.match();
            String path = s.path();
            if (m.pathKind() == RouteMatch.PathKind.PREFIX
                    || m.pathKind() == RouteMatch.PathKind.SEPARATED_PREFIX
                    || m.pathKind() == RouteMatch.PathKind.PATH) {
                int n = Math.min(m.value().length(), path.length());
                s.rewritePath(f.prefixRewrite() + path.substring(n));
            }
        } else if (f.regexRewrite() != null) {
            s.rewritePath(f.regexRewrite().matcher(s.path()).replaceAll(f.regexSubstitution()));
        }
    }

    static String location(HttpStream s, Route route, Route.Redirect r) {
        String scheme = r.scheme() != null ? r.scheme() : "http";
        String authority = s.authority();
        String host = r.host() != null ? r.host() : authority;
        if (r.port() != 0) {
            host = RouteTable.stripPort(host) + ":" + r.port();
        } else if (r.scheme() != null && r.host() == null) {
            host = RouteTable.stripPort(host);
        }
        String path = s.path();
        String query = s.query();
        if (r.path() != null) {
            path = r.path();
            int q = path.indexOf('?');
            if (q >= 0) {
                query = path.substring(q + 1);
                path = path.substring(0, q);
            }
        } else if (r.prefixRewrite() != null) {
            int n = Math.min(route.match().value().length(), path.length());
            path = r.prefixRewrite() + path.substring(n);
        } else if (r.regex() != null) {
            path = r.regex().matcher(path).replaceAll(r.regexSubstitution());
        }
        if (r.stripQuery()) {
            query = "";
        }
        return scheme + "://" + host + path + (query.isEmpty() ? "" : "?" + query);
    }

    // ---- pool callbacks -----------------------------------------------------------------------------------------

    @Override
    public void onPoolReady(UpstreamStream conn) {
        if (finished || stream.isDone()) {
            conn.release(true);
            return;
        }
        this.upstream = conn;
        HttpRequest req = stream.request();
        req.setProtocolVersion(HttpVersion.HTTP_1_1);

        Channel ch = conn.channel();
        ch.write(req, ch.voidPromise());
        stream.attachSink(this);
        ch.flush();
        stream.unblockDownstreamReads(HttpConnectionHandler.BLOCK_CONNECTING);
        if (!ch.isWritable()) {
            stream.blockDownstreamReads(HttpConnectionHandler.BLOCK_UPSTREAM_BACKPRESSURE);
        }
    }

    @Override
    public void onPoolFailure(PoolFailure failure, String detail) {
        if (finished || stream.isDone()) {
            return;
        }
        switch (failure) {
            case OVERFLOW ->
                stream.sendLocalReply(503, ResponseFlag.UO, RESET_BEFORE_HEADERS + "reset reason: overflow");
            case CONNECT_TIMEOUT, CONNECT_FAILURE ->
                stream.sendLocalReply(
                        503,
                        ResponseFlag.UF,
                        RESET_BEFORE_HEADERS + "reset reason: connection failure, transport failure reason: " + detail);
        }
    }

    // ---- upstream -> downstream ---------------------------------------------------------------------------------

    @Override
    public void onUpstreamMessage(HttpObject msg) {
        if (finished) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpResponse r) {
            responseStatus = r.status().code();
            cluster.stats().responseCode(responseStatus);
            if (responseStatus == 101 && stream.upgradeType() != null) {
                upgradeResponse = true;
                relaying = true;
                stream.encodeUpgrade(r);
                // From here on both sides relay raw bytes; the client codec leaves the pipeline now (bytes it
                // still holds are passed on raw).
                upstream.upgrade();
                return;
            }
            if (!config.suppressEnvoyHeaders()) {
                r.headers()
                        .set(
                                "x-envoy-upstream-service-time",
                                Long.toString((System.nanoTime() - stream.startNanos()) / 1_000_000));
            }
            if (msg instanceof LastHttpContent) {
                upstreamDone(HttpUtil.isKeepAlive(r));
            }
            stream.encodeHeaders(r);
            return;
        }
        if (msg instanceof HttpContent c) {
            if (upgradeResponse) {
                c.release();
                return;
            }
            if (c instanceof LastHttpContent) {
                upstreamDone(true);
            }
            stream.encodeContent(c);
        }
    }

    /** The upstream response is complete: release the connection before the stream completes (reuse it at once). */
    private void upstreamDone(boolean keepAlive) {
        responseComplete = true;
        UpstreamStream u = upstream;
        upstream = null;
        boolean reusable = keepAlive && stream.requestComplete();
        finishAccounting();
        if (u != null) {
            u.channel().config().setAutoRead(true);
            u.release(reusable);
        }
    }

    @Override
    public void onUpstreamRaw(ByteBuf data) {
        if (!relaying && !upgradeResponse || stream.isDone()) {
            data.release();
            return;
        }
        stream.writeRaw(data);
    }

    @Override
    public void onUpstreamReadComplete() {
        stream.flushDownstream();
    }

    @Override
    public void onUpstreamReset(dev.trellis.proxy.upstream.UpstreamReset reason) {
        upstream = null;
        if (finished || stream.isDone()) {
            return;
        }
        finishAccounting();
        if (relaying || upgradeResponse) {
            stream.closeUpgraded();
            return;
        }
        // Envoy: UR when the upstream reset the stream, UC when its connection ended.
        ResponseFlag flag = reason.byPeer() ? ResponseFlag.UR : ResponseFlag.UC;
        if (stream.responseStarted()) {
            stream.resetStream(flag);
        } else {
            stream.sendLocalReply(503, flag, RESET_BEFORE_HEADERS + "reset reason: " + reason.details());
        }
    }

    @Override
    public void onUpstreamWritabilityChanged(boolean writable) {
        if (writable) {
            stream.unblockDownstreamReads(HttpConnectionHandler.BLOCK_UPSTREAM_BACKPRESSURE);
        } else {
            stream.blockDownstreamReads(HttpConnectionHandler.BLOCK_UPSTREAM_BACKPRESSURE);
        }
    }

    // ---- downstream -> upstream ---------------------------------------------------------------------------------

    @Override
    public void onRequestBody(HttpContent content) {
        UpstreamStream u = upstream;
        if (u == null) {
            content.release();
            return;
        }
        u.channel().write(content, u.channel().voidPromise());
        if (content instanceof LastHttpContent) {
            u.channel().flush();
        }
    }

    @Override
    public void onRequestReadComplete() {
        UpstreamStream u = upstream;
        if (u != null) {
            u.channel().flush();
        }
    }

    @Override
    public void onDownstreamRaw(ByteBuf data) {
        UpstreamStream u = upstream;
        if (u == null) {
            data.release();
            return;
        }
        u.channel().write(data, u.channel().voidPromise());
    }

    @Override
    public void onDownstreamWritabilityChanged(boolean writable) {
        UpstreamStream u = upstream;
        if (u != null) {
            u.channel().config().setAutoRead(writable);
        }
    }

    @Override
    public void onRouteTimeout() {
        if (finished) {
            return;
        }
        cluster.stats().rqTimeout.inc();
        dropUpstream();
        if (stream.responseStarted()) {
            stream.resetStream(ResponseFlag.UT);
        } else {
            stream.sendLocalReply(504, ResponseFlag.UT, "upstream request timeout");
        }
    }

    @Override
    public void onStreamReset() {
        dropUpstream();
    }

    private void dropUpstream() {
        UpstreamStream u = upstream;
        upstream = null;
        if (u != null) {
            u.release(false);
        } else if (pool != null && !responseComplete) {
            pool.cancel(this);
        } else if (h2pool != null && !responseComplete) {
            h2pool.cancel(this);
        }
        finishAccounting();
    }

    @Override
    public void onDestroy(HttpStream s) {
        if (!finished && !responseComplete) {
            dropUpstream();
        }
        finishAccounting();
    }

    private void finishAccounting() {
        if (finished) {
            return;
        }
        finished = true;
        if (requestAcquired) {
            requestAcquired = false;
            cluster.circuitBreakers().releaseRequest();
        }
        if (host != null) {
            host.requestFinished();
            cluster.stats().rqActive.dec();
            host = null;
        }
    }
}
