package dev.trellis.bench.echo;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP/2 stream: plain HTTP requests get the same answers as over HTTP/1.1; gRPC requests ({@code content-type:
 * application/grpc*}, any method path) get every message echoed back as it arrives, then trailers.
 *
 * <p>gRPC controls travel as request metadata, since gRPC has no query string: {@code x-echo-grpc-status} takes a status
 * code or a mix ({@code 14:30}) for the trailers. The trailers also carry {@code x-echo-messages}, the count echoed.
 */
final class Http2EchoStreamHandler extends ChannelInboundHandlerAdapter {

    static final int MAX_BODY = 16 * 1024 * 1024;

    private Http2Headers request;
    private boolean grpc;
    private CompositeByteBuf body;
    private ByteBuf grpcPending;
    private boolean responseHeadersSent;
    private int messages;
    private boolean done;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (done) {
                return;
            }
            if (msg instanceof Http2HeadersFrame h) {
                if (request == null) {
                    request = h.headers();
                    CharSequence ct = request.get("content-type");
                    grpc = ct != null && ct.toString().startsWith("application/grpc");
                    if (!grpc) {
                        body = ctx.alloc().compositeBuffer(Integer.MAX_VALUE);
                    }
                }
                if (h.isEndStream()) {
                    finish(ctx);
                }
            } else if (msg instanceof Http2DataFrame d) {
                if (grpc) {
                    grpcData(ctx, d.content());
                } else if (body.readableBytes() + d.content().readableBytes() > MAX_BODY) {
                    done = true;
                    respondPlain(ctx, 413, "trellis echo: request body over " + MAX_BODY + " bytes");
                    return;
                } else {
                    body.addComponent(true, d.content().retain());
                }
                if (d.isEndStream()) {
                    finish(ctx);
                }
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void finish(ChannelHandlerContext ctx) {
        done = true;
        if (grpc) {
            grpcFinish(ctx);
        } else {
            httpFinish(ctx);
        }
    }

    private void httpFinish(ChannelHandlerContext ctx) {
        EchoPlan plan;
        try {
            plan = EchoPlan.parse(request.path().toString());
        } catch (IllegalArgumentException e) {
            respondPlain(ctx, 400, "trellis echo: " + e.getMessage());
            return;
        }
        EchoPlan.Decision d = plan.decide(ThreadLocalRandom.current());
        ByteBuf out;
        String contentType;
        if (plan.size().isPresent()) {
            out = EchoBodies.filler(ctx.alloc(), plan.size().getAsInt());
            contentType = "text/plain";
        } else if (body.isReadable()) {
            out = body.retainedDuplicate();
            CharSequence ct = request.get("content-type");
            contentType = ct == null ? "application/octet-stream" : ct.toString();
        } else {
            out = EchoBodies.info(ctx.alloc(), info(ctx));
            contentType = "application/json";
        }
        Http2Headers headers = responseHeaders(d.status(), contentType, out.readableBytes());
        headers.set("x-echo-method", String.valueOf(request.method()));
        for (Map.Entry<String, String> h : plan.headers()) {
            headers.add(h.getKey(), h.getValue());
        }
        long delay = d.delay().toNanos();
        Runnable write = () -> {
            Channel ch = ctx.channel();
            if (!ch.isActive()) {
                out.release();
                return;
            }
            io.netty.channel.ChannelFuture f;
            if (out.isReadable()) {
                ctx.write(new DefaultHttp2HeadersFrame(headers, false));
                f = ctx.writeAndFlush(new DefaultHttp2DataFrame(out, true));
            } else {
                out.release();
                f = ctx.writeAndFlush(new DefaultHttp2HeadersFrame(headers, true));
            }
            if (d.close() && ch.parent() != null) {
                f.addListener(ignored -> ch.parent().close());
            }
        };
        if (delay > 0) {
            ctx.executor().schedule(write, delay, TimeUnit.NANOSECONDS);
        } else {
            write.run();
        }
    }

    private void respondPlain(ChannelHandlerContext ctx, int status, String text) {
        ByteBuf out = EchoBodies.text(ctx.alloc(), text);
        ctx.write(new DefaultHttp2HeadersFrame(
                responseHeaders(status, "text/plain; charset=utf-8", out.readableBytes()), false));
        ctx.writeAndFlush(new DefaultHttp2DataFrame(out, true));
    }

    private static Http2Headers responseHeaders(int status, String contentType, int length) {
        Http2Headers headers = new DefaultHttp2Headers();
        headers.status(Integer.toString(status));
        headers.set("content-type", contentType);
        headers.setInt("content-length", length);
        headers.set("x-echo-protocol", "HTTP/2.0");
        return headers;
    }

    private void grpcData(ChannelHandlerContext ctx, ByteBuf data) {
        if (grpcPending == null) {
            grpcPending = ctx.alloc().buffer(data.readableBytes());
        }
        grpcPending.writeBytes(data);
        // Each complete length-prefixed message goes straight back, so streaming calls see replies as they send.
        boolean wrote = false;
        while (grpcPending.readableBytes() >= 5) {
            int length = grpcPending.getInt(grpcPending.readerIndex() + 1);
            if (length < 0 || length > MAX_BODY) {
                done = true;
                grpcTrailers(ctx, 8, "message of " + Integer.toUnsignedString(length) + " bytes is too large");
                return;
            }
            if (grpcPending.readableBytes() < 5 + length) {
                break;
            }
            sendGrpcHeaders(ctx);
            // A copy, not a slice: discardSomeReadBytes below moves bytes that a queued slice would still point at.
            ctx.write(new DefaultHttp2DataFrame(grpcPending.readBytes(5 + length), false));
            messages++;
            wrote = true;
        }
        grpcPending.discardSomeReadBytes();
        if (wrote) {
            ctx.flush();
        }
    }

    private void sendGrpcHeaders(ChannelHandlerContext ctx) {
        if (responseHeadersSent) {
            return;
        }
        responseHeadersSent = true;
        ctx.write(new DefaultHttp2HeadersFrame(grpcResponseHeaders(), false));
    }

    private Http2Headers grpcResponseHeaders() {
        Http2Headers headers = new DefaultHttp2Headers();
        headers.status("200");
        headers.set("content-type", request.get("content-type"));
        CharSequence encoding = request.get("grpc-encoding");
        if (encoding != null) {
            headers.set("grpc-encoding", encoding); // echoed messages keep their compressed flag
        }
        return headers;
    }

    private void grpcFinish(ChannelHandlerContext ctx) {
        if (grpcPending != null && grpcPending.isReadable()) {
            grpcTrailers(ctx, 13, "stream ended inside a message");
            return;
        }
        int code = 0;
        String message = null;
        CharSequence wanted = request.get("x-echo-grpc-status");
        if (wanted != null) {
            try {
                code = Mix.parse("x-echo-grpc-status", wanted.toString(), Http2EchoStreamHandler::grpcCode, 0)
                        .pick(ThreadLocalRandom.current());
                message = code == 0 ? null : "x-echo-grpc-status asked for " + code;
            } catch (IllegalArgumentException e) {
                code = 3;
                message = e.getMessage();
            }
        }
        grpcTrailers(ctx, code, message);
    }

    private void grpcTrailers(ChannelHandlerContext ctx, int code, String message) {
        Http2Headers trailers = responseHeadersSent ? new DefaultHttp2Headers() : grpcResponseHeaders();
        responseHeadersSent = true;
        trailers.setInt("grpc-status", code);
        if (message != null) {
            trailers.set("grpc-message", message);
        }
        trailers.setInt("x-echo-messages", messages);
        ctx.writeAndFlush(new DefaultHttp2HeadersFrame(trailers, true));
    }

    static int grpcCode(String s) {
        try {
            int code = Integer.parseInt(s);
            if (code >= 0 && code <= 16) {
                return code;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new IllegalArgumentException("'" + s + "' is not a gRPC status code 0..16");
    }

    private EchoBodies.RequestInfo info(ChannelHandlerContext ctx) {
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        request.forEach(h -> {
            if (h.getKey().charAt(0) != ':') {
                headers.add(Map.entry(h.getKey().toString(), h.getValue().toString()));
            }
        });
        Channel parent = ctx.channel().parent();
        return new EchoBodies.RequestInfo(
                String.valueOf(request.method()),
                String.valueOf(request.path()),
                "HTTP/2.0",
                request.authority() == null ? "" : request.authority().toString(),
                String.valueOf(parent == null ? ctx.channel().remoteAddress() : parent.remoteAddress()),
                headers);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        release();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        release();
    }

    private void release() {
        if (body != null) {
            body.release();
            body = null;
        }
        if (grpcPending != null) {
            grpcPending.release();
            grpcPending = null;
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.INTERNAL_ERROR));
        ctx.close();
    }
}
