package dev.trellis.bench.echo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** The bodies both HTTP versions answer with: the echoed body, {@code size=} filler, or the request as JSON. */
final class EchoBodies {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] FILLER = filler();

    private EchoBodies() {}

    /** What the server saw of a request, answered as JSON when the request had no body. */
    record RequestInfo(
            String method,
            String uri,
            String protocol,
            String authority,
            String remote,
            List<Map.Entry<String, String>> headers) {}

    static ByteBuf filler(ByteBufAllocator alloc, int size) {
        ByteBuf buf = alloc.buffer(size);
        int left = size;
        while (left > 0) {
            int n = Math.min(left, FILLER.length);
            buf.writeBytes(FILLER, 0, n);
            left -= n;
        }
        return buf;
    }

    static ByteBuf info(ByteBufAllocator alloc, RequestInfo info) {
        ObjectNode root = JSON.createObjectNode();
        root.put("method", info.method());
        root.put("uri", info.uri());
        root.put("protocol", info.protocol());
        root.put("authority", info.authority());
        root.put("remote", info.remote());
        ObjectNode headers = root.putObject("headers");
        for (Map.Entry<String, String> h : info.headers()) {
            String name = h.getKey().toLowerCase(java.util.Locale.ROOT);
            // Repeated headers are joined as HTTP allows for most fields; the JSON is for people and tests.
            headers.put(name, headers.has(name) ? headers.get(name).asText() + "," + h.getValue() : h.getValue());
        }
        byte[] bytes;
        try {
            bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        ByteBuf buf = alloc.buffer(bytes.length + 1);
        buf.writeBytes(bytes).writeByte('\n');
        return buf;
    }

    static ByteBuf text(ByteBufAllocator alloc, String text) {
        byte[] bytes = (text + "\n").getBytes(StandardCharsets.UTF_8);
        return alloc.buffer(bytes.length).writeBytes(bytes);
    }

    private static byte[] filler() {
        byte[] b = new byte[16 * 1024];
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) alphabet.charAt(i % alphabet.length());
        }
        return b;
    }
}
