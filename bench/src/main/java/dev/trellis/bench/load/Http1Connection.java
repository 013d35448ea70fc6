package dev.trellis.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Map;

/** HTTP/1.1 with keep-alive: one request at a time on the connection. */
final class Http1Connection implements Worker.Connection {

    private final Worker worker;
    private final Channel channel;
    private int gen;

    Http1Connection(Worker worker, Channel channel) {
        this.worker = worker;
        this.channel = channel;
        channel.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(64 * 1024 * 1024), new Handler());
    }

    @Override
    public Channel channel() {
        return channel;
    }

    @Override
    public boolean usable() {
        return channel.isActive();
    }

    @Override
    public void send(Worker w, int generation) {
        this.gen = generation;
        LoadOptions o = w.run().options();
        byte[] payload = w.run().payload();
        ByteBuf body = payload.length == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(payload);
        FullHttpRequest req = new DefaultFullHttpRequest(
                HttpVersion.HTTP_1_1, payload.length == 0 ? HttpMethod.GET : HttpMethod.POST, o.pathAndQuery(), body);
        req.headers().set(HttpHeaderNames.HOST, o.authority());
        req.headers().set(HttpHeaderNames.USER_AGENT, "trellis-load");
        if (payload.length > 0) {
            req.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM);
        }
        for (Map.Entry<String, String> h : o.headers()) {
            req.headers().set(h.getKey(), h.getValue());
        }
        HttpUtil.setContentLength(req, payload.length);
        channel.writeAndFlush(req).addListener(f -> {
            if (!f.isSuccess()) {
                worker.onError(generation, "io_error");
                channel.close();
            }
        });
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpResponse> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse resp) {
            boolean keepAlive = HttpUtil.isKeepAlive(resp);
            if (!keepAlive) {
                worker.retire(Http1Connection.this); // before the next request can pick this connection
            }
            worker.onResponse(gen, resp.status().code(), -1, resp.content().readableBytes());
            if (!keepAlive) {
                ctx.close();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            worker.onClosed(Http1Connection.this);
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            worker.onError(gen, "io_error");
            worker.retire(Http1Connection.this);
            ctx.close();
        }
    }
}
