package dev.trellis.proxy.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One upstream HTTP/1.1 connection. Bound to at most one request at a time; between requests it sits idle in its
 * {@link Http1Pool} with an idle timer. 100-continue interim responses from upstream are swallowed (the proxy already
 * answered the client, as Envoy does by default).
 */
public final class UpstreamHttp1 extends ChannelInboundHandlerAdapter implements UpstreamStream {
    private final Http1Pool pool;
    private Channel channel;
    private UpstreamCallbacks bound;
    private int served;
    private boolean skippingInterim;
    private boolean upgraded;
    private boolean closed;
    private ScheduledFuture<?> idleTimer;

    private static final dev.trellis.proxy.log.Log LOG = dev.trellis.proxy.log.Log.of(UpstreamHttp1.class);

    UpstreamHttp1(Http1Pool pool) {
        this.pool = pool;
    }

    @Override
    public Channel channel() {
        return channel;
    }

    void bind(UpstreamCallbacks cb) {
        if (idleTimer != null) {
            idleTimer.cancel(false);
            idleTimer = null;
        }
        this.bound = cb;
    }

    boolean usable() {
        return !closed && channel.isActive();
    }

    /** Switches to raw byte relay after a 101 response: the HTTP codec leaves the pipeline. */
    @Override
    public void upgrade() {
        upgraded = true;
        var codec = channel.pipeline().get(HttpClientCodec.class);
        if (codec != null) {
            channel.pipeline().remove(codec);
        }
    }

    /**
     * Ends this connection's current request. {@code reusable}: the request was fully written and the response fully
     * read with keep-alive, so the connection may serve another request.
     */
    @Override
    public void release(boolean reusable) {
        bound = null;
        served++;
        int max = pool.cluster().maxRequestsPerConnection();
        if (!reusable || upgraded || closed || (max > 0 && served >= max) || !channel.isActive()) {
            close();
            return;
        }
        pool.released(this);
    }

    void startIdleTimer(long ms) {
        if (ms > 0) {
            idleTimer = channel.eventLoop().schedule(this::close, ms, TimeUnit.MILLISECONDS);
        }
    }

    public void close() {
        if (LOG.enabled(dev.trellis.proxy.log.LogLevel.DEBUG)) {
            LOG.debug("closing upstream " + channel, new Throwable("close"));
        }
        if (!closed) {
            closed = true;
            channel.close();
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.channel = ctx.channel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        UpstreamCallbacks cb = bound;
        if (cb == null) {
            // A response nobody asked for (or bytes after the response): this connection is not reusable.
            ReferenceCountUtil.release(msg);
            close();
            return;
        }
        if (msg instanceof ByteBuf raw) {
            cb.onUpstreamRaw(raw);
            return;
        }
        if (msg instanceof HttpObject obj) {
            if (skippingInterim) {
                if (obj instanceof LastHttpContent) {
                    skippingInterim = false;
                }
                ReferenceCountUtil.release(msg);
                return;
            }
            if (obj instanceof HttpResponse r && r.status().equals(HttpResponseStatus.CONTINUE)) {
                skippingInterim = !(obj instanceof LastHttpContent);
                ReferenceCountUtil.release(msg);
                return;
            }
            cb.onUpstreamMessage(obj);
            return;
        }
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        UpstreamCallbacks cb = bound;
        if (cb != null) {
            cb.onUpstreamReadComplete();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        UpstreamCallbacks cb = bound;
        if (cb != null) {
            cb.onUpstreamWritabilityChanged(ctx.channel().isWritable());
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
        if (idleTimer != null) {
            idleTimer.cancel(false);
        }
        pool.closed(this);
        UpstreamCallbacks cb = bound;
        bound = null;
        if (cb != null) {
            cb.onUpstreamReset(UpstreamReset.CONNECTION_TERMINATION);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Decoder errors and resets: close; channelInactive reports the reset to the bound request.
        LOG.debug("upstream connection error", cause);
        close();
    }
}
