package dev.trellis.proxy.http2;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;

/**
 * Flushes an HTTP/2 stream channel each time it is asked to read, so the WINDOW_UPDATE that reading writes goes out.
 *
 * <p>A Netty stream channel returns the window for the bytes it delivered when it is next asked to read. If a read is
 * already pending (its queue is empty and it waits for frames), that WINDOW_UPDATE is written but not flushed; when
 * the stream was paused for backpressure and resumed by the other side of the proxy (not by a read on its own
 * connection), nothing else flushes the connection, the peer never gets its window back and the transfer stalls.
 */
@ChannelHandler.Sharable
public final class FlushAfterRead extends ChannelOutboundHandlerAdapter {
    public static final FlushAfterRead INSTANCE = new FlushAfterRead();

    private FlushAfterRead() {}

    @Override
    public void read(ChannelHandlerContext ctx) {
        ctx.read();
        ctx.flush();
    }
}
