package dev.trellis.proxy.http2;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.Http2StreamChannel;

/**
 * Closing a downstream stream whose response is complete while its request is not (an early answer: a local reply,
 * or an upstream that answered before reading the whole body) sends RST_STREAM with NO_ERROR, as RFC 9113 section 8.1
 * and Envoy do, telling the client to stop sending without an error. Netty would send CANCEL.
 */
@ChannelHandler.Sharable
public final class EarlyResponseReset extends ChannelOutboundHandlerAdapter {
    public static final EarlyResponseReset INSTANCE = new EarlyResponseReset();

    private EarlyResponseReset() {}

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        if (ctx.channel() instanceof Http2StreamChannel s
                && s.stream().state() == Http2Stream.State.HALF_CLOSED_LOCAL) {
            ctx.write(new DefaultHttp2ResetFrame(Http2Error.NO_ERROR), ctx.voidPromise());
            ctx.flush();
        }
        ctx.close(promise);
    }
}
