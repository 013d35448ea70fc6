package dev.trellis.proxy.listener;

import dev.trellis.proxy.http.ConnectionInfo;
import dev.trellis.proxy.http.HcmConfig;
import dev.trellis.proxy.http.HttpConnectionHandler;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;

/**
 * Installs the HTTP connection manager. HTTP/1.1 is the codec here; HTTP/2 (prior knowledge) connections are detected
 * by their preface when the codec is AUTO or HTTP2 (see {@link dev.trellis.proxy.http}).
 */
public record HttpNetworkFilter(HcmConfig config) implements NetworkFilter {
    @Override
    public void install(Channel ch, ConnectionInfo info, ConnectionTracker tracker) {
        HttpConnectionHandler handler = new HttpConnectionHandler(config, info, false, null);
        var p = ch.pipeline();
        if (config.requestHeadersTimeoutMs() > 0) {
            p.addLast("headers-timer", new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    if (msg instanceof ByteBuf) {
                        handler.onBytesBeforeHeaders();
                    }
                    ctx.fireChannelRead(msg);
                }
            });
        }
        int max = config.maxRequestHeadersBytes();
        p.addLast(
                "http",
                new HttpServerCodec(new HttpDecoderConfig()
                        .setMaxInitialLineLength(max)
                        .setMaxHeaderSize(max)
                        .setMaxChunkSize(64 * 1024)));
        p.addLast("hcm", handler);
        tracker.setDrain(ch, handler::drain);
    }
}
