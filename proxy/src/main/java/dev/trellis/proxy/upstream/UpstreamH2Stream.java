package dev.trellis.proxy.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/** One request on a multiplexed upstream HTTP/2 connection (a child stream channel). */
final class UpstreamH2Stream extends ChannelInboundHandlerAdapter implements UpstreamStream {
    private final Http2Pool pool;
    private UpstreamCallbacks bound;
    private Channel channel;
    private boolean skippingInterim;
    private boolean closedNotified;

    UpstreamH2Stream(Http2Pool pool, UpstreamCallbacks cb) {
        this.pool = pool;
        this.bound = cb;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    public Channel channel() {
        return channel;
    }

    @Override
    public void release(boolean reusable) {
        bound = null;
        if (!reusable) {
            channel.close(); // resets the stream if it is still open
        }
    }

    @Override
    public void upgrade() {
        // HTTP/2 has no 101 upgrade.
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        UpstreamCallbacks cb = bound;
        if (cb == null) {
            ReferenceCountUtil.release(msg);
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
            if (obj instanceof HttpResponse r && r.status().code() == HttpResponseStatus.CONTINUE.code()) {
                skippingInterim = !(obj instanceof LastHttpContent);
                ReferenceCountUtil.release(msg);
                return;
            }
            cb.onUpstreamMessage(obj);
            return;
        }
        if (msg instanceof ByteBuf b) {
            b.release();
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
        if (!closedNotified) {
            closedNotified = true;
            pool.streamClosed();
        }
        UpstreamCallbacks cb = bound;
        bound = null;
        if (cb != null) {
            cb.onUpstreamReset("remote reset");
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
