package dev.trellis.bench.echo;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/** Answers HTTP/1.x requests on one connection, in order even when their delays differ (pipelining). */
final class Http1EchoHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private boolean closing;

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        if (closing) {
            return; // a close= response is on its way; later pipelined requests are dropped like a real close would
        }
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        FullHttpResponse resp;
        boolean close;
        long delayNanos = 0;
        try {
            EchoPlan plan = EchoPlan.parse(req.uri());
            EchoPlan.Decision d = plan.decide(ThreadLocalRandom.current());
            ByteBuf body;
            String contentType;
            if (plan.size().isPresent()) {
                body = EchoBodies.filler(ctx.alloc(), plan.size().getAsInt());
                contentType = "text/plain";
            } else if (req.content().isReadable()) {
                body = req.content().retainedDuplicate();
                contentType = req.headers().get(HttpHeaderNames.CONTENT_TYPE, "application/octet-stream");
            } else {
                body = EchoBodies.info(ctx.alloc(), info(ctx, req));
                contentType = "application/json";
            }
            resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(d.status()), body);
            resp.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
            for (Map.Entry<String, String> h : plan.headers()) {
                resp.headers().add(h.getKey(), h.getValue());
            }
            close = d.close() || !keepAlive;
            delayNanos = d.delay().toNanos();
        } catch (IllegalArgumentException e) {
            resp = new DefaultFullHttpResponse(
                    HttpVersion.HTTP_1_1,
                    HttpResponseStatus.BAD_REQUEST,
                    EchoBodies.text(ctx.alloc(), "trellis echo: " + e.getMessage()));
            resp.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
            close = !keepAlive;
        }
        resp.headers().set("x-echo-protocol", req.protocolVersion().text());
        resp.headers().set("x-echo-method", req.method().name());
        HttpUtil.setContentLength(resp, resp.content().readableBytes());
        if (close) {
            resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            closing = true;
        } else if (req.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
            resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        send(ctx, resp, delayNanos, close);
    }

    // Responses leave in request order (HTTP/1.1 pipelining): each waits for its own delay and for those before it.
    private void send(ChannelHandlerContext ctx, FullHttpResponse resp, long delayNanos, boolean close) {
        long now = System.nanoTime();
        if (queue.isEmpty() && delayNanos <= 0) {
            write(ctx, resp, close);
            return;
        }
        queue.add(new Pending(resp, now + delayNanos, close));
        if (queue.size() == 1) {
            schedule(ctx, now);
        }
    }

    private void schedule(ChannelHandlerContext ctx, long now) {
        long wait = Math.max(0, queue.peek().due() - now);
        ctx.executor().schedule(() -> drain(ctx), wait, TimeUnit.NANOSECONDS);
    }

    private void drain(ChannelHandlerContext ctx) {
        long now = System.nanoTime();
        while (!queue.isEmpty() && queue.peek().due() <= now) {
            Pending p = queue.poll();
            write(ctx, p.response(), p.close());
        }
        if (!queue.isEmpty()) {
            schedule(ctx, now);
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        Pending p;
        while ((p = queue.poll()) != null) {
            p.response().release();
        }
    }

    private record Pending(FullHttpResponse response, long due, boolean close) {}

    private static void write(ChannelHandlerContext ctx, FullHttpResponse resp, boolean close) {
        if (close) {
            ctx.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        }
    }

    private static EchoBodies.RequestInfo info(ChannelHandlerContext ctx, FullHttpRequest req) {
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        req.headers().forEach(headers::add);
        return new EchoBodies.RequestInfo(
                req.method().name(),
                req.uri(),
                req.protocolVersion().text(),
                req.headers().get(HttpHeaderNames.HOST, ""),
                String.valueOf(ctx.channel().remoteAddress()),
                headers);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
