package dev.trellis.proxy.listener;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;

/**
 * The {@code tls_inspector} and {@code http_inspector} listener filters: peeks at the first bytes (without consuming
 * them) to learn the transport protocol ({@code tls} or {@code raw_buffer}), the SNI server name, and for plaintext
 * the application protocol ({@code http/1.1}, {@code http/1.0} or {@code h2c}), then hands the connection on.
 */
final class Inspector extends ByteToMessageDecoder {
    /** What was learned. */
    record Result(String transport, String serverName, List<String> applicationProtocols) {}

    private static final byte[] H2_PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private final boolean tls;
    private final boolean http;
    private final Consumer<Result> done;

    Inspector(boolean tls, boolean http, Consumer<Result> done) {
        this.tls = tls;
        this.http = http;
        this.done = done;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        Result r = inspect(in);
        if (r == null) {
            return;
        }
        // Install the chain first: leaving the pipeline then hands the bytes read so far to it.
        done.accept(r);
        ctx.pipeline().remove(this);
    }

    /** Null while more bytes are needed. */
    Result inspect(ByteBuf in) {
        int n = in.readableBytes();
        if (n < 1) {
            return null;
        }
        int first = in.getUnsignedByte(in.readerIndex());
        if (first == 0x16) {
            if (!tls) {
                return new Result("raw_buffer", "", List.of());
            }
            // A TLS record with a ClientHello: SNI parsing arrives with TLS termination; report TLS now.
            return new Result("tls", TlsHello.serverName(in), List.of());
        }
        if (!http) {
            return new Result("raw_buffer", "", List.of());
        }
        int check = Math.min(n, H2_PREFACE.length);
        boolean h2 = true;
        for (int i = 0; i < check; i++) {
            if (in.getByte(in.readerIndex() + i) != H2_PREFACE[i]) {
                h2 = false;
                break;
            }
        }
        if (h2) {
            return check == H2_PREFACE.length ? new Result("raw_buffer", "", List.of("h2c")) : null;
        }
        int eol = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\n');
        if (eol < 0) {
            return n > 8192 ? new Result("raw_buffer", "", List.of()) : null;
        }
        String line = in.toString(in.readerIndex(), eol - in.readerIndex(), StandardCharsets.US_ASCII)
                .trim();
        if (line.endsWith("HTTP/1.1")) {
            return new Result("raw_buffer", "", List.of("http/1.1"));
        }
        if (line.endsWith("HTTP/1.0")) {
            return new Result("raw_buffer", "", List.of("http/1.0"));
        }
        return new Result("raw_buffer", "", List.of());
    }
}
