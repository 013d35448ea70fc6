package dev.trellis.bench.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Parsing one request's headers as the proxy receives them in a mesh (host, tracing, request id, a dozen in all):
 * HTTP/1.1 through the {@link HttpServerCodec} the HTTP listener installs (same limits), and HTTP/2 through HPACK.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HeaderParsingBenchmark {

    static final String[][] HEADERS = {
        {"host", "reviews.default.svc.cluster.local:9080"},
        {
            "user-agent",
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"
        },
        {"accept", "application/json, text/plain, */*"},
        {"accept-encoding", "gzip, deflate, br"},
        {"accept-language", "en-US,en;q=0.9"},
        {"x-request-id", "b6a5e3f0-4f4c-4d7e-9c1a-2f9e8d7c6b5a"},
        {"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"},
        {"x-b3-traceid", "4bf92f3577b34da6a3ce929d0e0e4736"},
        {"x-b3-spanid", "00f067aa0ba902b7"},
        {"x-b3-sampled", "1"},
        {"x-forwarded-proto", "http"},
        {"cookie", "session=4f2e8c1d9b7a; theme=dark; region=eu-west-1"},
        {"content-type", "application/json"},
        {"content-length", "0"},
    };

    EmbeddedChannel channel;
    byte[] http1Request;
    DefaultHttp2HeadersDecoder hpackDecoder;
    ByteBuf hpackBlock;

    @Setup
    public void setUp() throws Http2Exception {
        int max = 60 * 1024; // the HTTP connection manager's default max_request_headers_kb
        // The decoder half of the listener's HttpServerCodec (the codec would also wait for responses to pipeline).
        channel = new EmbeddedChannel(new HttpRequestDecoder(new HttpDecoderConfig()
                .setMaxInitialLineLength(max)
                .setMaxHeaderSize(max)
                .setMaxChunkSize(64 * 1024)));
        StringBuilder sb = new StringBuilder("GET /reviews/0?page=1 HTTP/1.1\r\n");
        for (String[] h : HEADERS) {
            sb.append(h[0]).append(": ").append(h[1]).append("\r\n");
        }
        sb.append("\r\n");
        http1Request = sb.toString().getBytes(StandardCharsets.US_ASCII);

        Http2Headers h2 = new DefaultHttp2Headers()
                .method("GET")
                .scheme("http")
                .path("/reviews/0?page=1")
                .authority(HEADERS[0][1]);
        for (int i = 1; i < HEADERS.length; i++) {
            h2.add(HEADERS[i][0], HEADERS[i][1]);
        }
        // Encoded by a fresh HPACK context: every header is a literal, as on a connection's first request.
        DefaultHttp2HeadersEncoder encoder = new DefaultHttp2HeadersEncoder();
        ByteBuf block = Unpooled.directBuffer();
        encoder.encodeHeaders(1, h2, block);
        hpackBlock = Unpooled.unreleasableBuffer(block);
        hpackDecoder = new DefaultHttp2HeadersDecoder(true);
    }

    @TearDown
    public void tearDown() {
        channel.finishAndReleaseAll();
    }

    @Benchmark
    public void http1(Blackhole bh) {
        // A fresh pooled buffer per request, as a socket read fills one (the decoder may reuse it as its cumulation).
        channel.writeInbound(channel.alloc().directBuffer(http1Request.length).writeBytes(http1Request));
        Object msg;
        while ((msg = channel.readInbound()) != null) {
            bh.consume(msg);
            ReferenceCountUtil.release(msg);
        }
    }

    @Benchmark
    public Http2Headers hpack() throws Http2Exception {
        return hpackDecoder.decodeHeaders(1, hpackBlock.duplicate());
    }
}
