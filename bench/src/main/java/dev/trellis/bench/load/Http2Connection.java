package dev.trellis.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.ReferenceCountUtil;
import java.util.Locale;
import java.util.Map;

/** h2c with prior knowledge: one stream per request; gRPC calls are unary with the payload as the one message. */
final class Http2Connection implements Worker.Connection {

    private final Worker worker;
    private final Channel channel;
    private final boolean grpc;
    private boolean goingAway;

    Http2Connection(Worker worker, Channel channel) {
        this.worker = worker;
        this.channel = channel;
        this.grpc = worker.run().options().protocol() == LoadOptions.Protocol.GRPC;
        channel.pipeline()
                .addLast(
                        Http2FrameCodecBuilder.forClient().build(),
                        new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()),
                        new ConnectionHandler());
    }

    @Override
    public Channel channel() {
        return channel;
    }

    @Override
    public boolean usable() {
        return channel.isActive() && !goingAway;
    }

    @Override
    public void send(Worker w, int gen) {
        new Http2StreamChannelBootstrap(channel)
                .handler(new StreamHandler(gen))
                .open()
                .addListener(f -> {
                    if (!f.isSuccess()) {
                        worker.onError(gen, "reset");
                        return;
                    }
                    write((Http2StreamChannel) f.getNow(), w.run());
                });
    }

    private void write(Http2StreamChannel stream, LoadGenerator run) {
        LoadOptions o = run.options();
        byte[] payload = run.payload();
        Http2Headers h = new DefaultHttp2Headers()
                .method(grpc || payload.length > 0 ? "POST" : "GET")
                .scheme("http")
                .path(o.pathAndQuery())
                .authority(o.authority());
        for (Map.Entry<String, String> e : o.headers()) {
            h.set(e.getKey().toLowerCase(Locale.ROOT), e.getValue());
        }
        h.set("user-agent", "trellis-load");
        ByteBuf body;
        if (grpc) {
            h.set("content-type", "application/grpc");
            h.set("te", "trailers");
            body = Unpooled.buffer(5 + payload.length)
                    .writeByte(0)
                    .writeInt(payload.length)
                    .writeBytes(payload);
        } else if (payload.length > 0) {
            h.set("content-type", "application/octet-stream");
            h.setInt("content-length", payload.length);
            body = Unpooled.wrappedBuffer(payload);
        } else {
            body = null;
        }
        if (body == null) {
            stream.writeAndFlush(new DefaultHttp2HeadersFrame(h, true));
        } else {
            stream.write(new DefaultHttp2HeadersFrame(h, false));
            stream.writeAndFlush(new DefaultHttp2DataFrame(body, true));
        }
    }

    /** Connection-level frames that reach past the multiplexer: GOAWAY retires the connection. */
    private final class ConnectionHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Http2GoAwayFrame) {
                goingAway = true;
                worker.retire(Http2Connection.this);
            }
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            worker.onClosed(Http2Connection.this);
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            worker.retire(Http2Connection.this);
            ctx.close();
        }
    }

    /** One request's stream: status from the headers, gRPC status from the trailers, body bytes counted. */
    private final class StreamHandler extends ChannelInboundHandlerAdapter {
        private final int gen;
        private int status = -1;
        private int grpcStatus = -1;
        private long bytes;
        private boolean ended;

        StreamHandler(int gen) {
            this.gen = gen;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                boolean end = false;
                if (msg instanceof Http2HeadersFrame hf) {
                    Http2Headers h = hf.headers();
                    if (h.status() != null && status < 0) {
                        status = parse(h.status(), 0);
                    }
                    CharSequence gs = h.get("grpc-status");
                    if (gs != null) {
                        grpcStatus = parse(gs, 2);
                    }
                    end = hf.isEndStream();
                } else if (msg instanceof Http2DataFrame df) {
                    bytes += df.content().readableBytes();
                    end = df.isEndStream();
                }
                if (end && !ended) {
                    ended = true;
                    if (grpc && grpcStatus < 0) {
                        grpcStatus = 2; // a gRPC call that ends without grpc-status is UNKNOWN
                    }
                    worker.onResponse(gen, status, grpc ? grpcStatus : -1, bytes);
                    ctx.close();
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (!ended) {
                ended = true;
                worker.onError(gen, "reset");
            }
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }

        private static int parse(CharSequence s, int fallback) {
            try {
                return Integer.parseInt(s.toString());
            } catch (NumberFormatException e) {
                return fallback;
            }
        }
    }
}
