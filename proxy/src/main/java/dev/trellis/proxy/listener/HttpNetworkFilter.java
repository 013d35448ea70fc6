package dev.trellis.proxy.listener;

import dev.trellis.proxy.http.ConnectionInfo;
import dev.trellis.proxy.http.HcmConfig;
import dev.trellis.proxy.http.HttpConnectionHandler;
import dev.trellis.proxy.http2.EarlyResponseReset;
import dev.trellis.proxy.http2.FlushAfterRead;
import dev.trellis.proxy.http2.Http2Options;
import dev.trellis.proxy.http2.Http2ServerConnection;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import java.util.List;

/**
 * Installs the HTTP connection manager with its codec: HTTP/1.1, HTTP/2 with prior knowledge (h2c), or AUTO, which
 * looks at the first bytes for the HTTP/2 connection preface. Each HTTP/2 stream becomes a child channel carrying the
 * same {@code HttpObject}s as HTTP/1.1, handled by the same {@link HttpConnectionHandler}; the HCM's {@code
 * http2_protocol_options} set the SETTINGS and windows, and {@link Http2ServerConnection} drains with GOAWAY.
 */
public record HttpNetworkFilter(HcmConfig config) implements NetworkFilter {
    @Override
    public void install(Channel ch, ConnectionInfo info, ConnectionTracker tracker) {
        switch (config.codec()) {
            case HTTP1 -> http1(ch, info, tracker);
            case HTTP2 -> http2(ch, info, tracker);
            case AUTO -> ch.pipeline().addLast("sniff", new Sniffer(info, tracker));
        }
    }

    private final class Sniffer extends ByteToMessageDecoder {
        private final ConnectionInfo info;
        private final ConnectionTracker tracker;

        Sniffer(ConnectionInfo info, ConnectionTracker tracker) {
            this.info = info;
            this.tracker = tracker;
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            ByteBuf preface = Http2CodecUtil.connectionPrefaceBuf();
            int n = Math.min(in.readableBytes(), preface.readableBytes());
            boolean h2 = ByteBufUtil.equals(in, in.readerIndex(), preface, 0, n);
            preface.release();
            if (h2 && n < 24) {
                return; // need more bytes to decide
            }
            if (h2) {
                http2(ctx.channel(), info, tracker);
            } else {
                http1(ctx.channel(), info, tracker);
            }
            // Leaving the pipeline passes the bytes read so far to the codec just installed.
            ctx.pipeline().remove(this);
        }
    }

    private void http1(Channel ch, ConnectionInfo info, ConnectionTracker tracker) {
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
        if (ch.isActive()) {
            // Installed after activation (AUTO sniffing): tell the handler the connection is open.
            handler.channelActive(ch.pipeline().context(handler));
        }
    }

    private void http2(Channel ch, ConnectionInfo info, ConnectionTracker tracker) {
        var stats = config.stats();
        stats.cxTotal.inc();
        stats.cxActive.inc();
        stats.cxHttp2Total.inc();
        ch.closeFuture().addListener(f -> stats.cxActive.dec());
        Http2Options options = config.http2();
        Http2FrameCodec codec = options.codec(true, config.maxRequestHeadersBytes(), stats.http2.get());
        Http2ServerConnection connection = new Http2ServerConnection(config, options, codec);
        ch.pipeline()
                .addLast("h2", codec)
                .addLast("h2-mux", new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                    @Override
                    protected void initChannel(Http2StreamChannel stream) {
                        stream.pipeline()
                                .addLast(FlushAfterRead.INSTANCE, EarlyResponseReset.INSTANCE)
                                .addLast(new Http2StreamFrameToHttpObjectCodec(true))
                                .addLast(new HttpConnectionHandler(config, info, true, null));
                    }
                }))
                .addLast("h2-connection", connection);
        tracker.setDrain(ch, connection::drain);
    }
}
