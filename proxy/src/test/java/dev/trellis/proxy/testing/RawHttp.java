package dev.trellis.proxy.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** A tiny blocking HTTP/1.1 client over a raw socket, for exact wire-level tests (pipelining, 100-continue). */
public final class RawHttp implements AutoCloseable {
    /** A parsed response. */
    public record Response(int status, Map<String, String> headers, String body) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public RawHttp(InetSocketAddress address) throws IOException {
        socket = new Socket();
        socket.connect(address, 2000);
        socket.setSoTimeout(5000);
        in = new java.io.BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    public RawHttp send(String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return this;
    }

    public String readLine() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                break;
            }
            if (c != '\r') {
                b.write(c);
            }
        }
        if (c == -1 && b.size() == 0) {
            return null;
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    public byte[] readN(int n) throws IOException {
        return in.readNBytes(n);
    }

    /** Reads one response (content-length, chunked, or until close). */
    public Response read() throws IOException {
        String status = readLine();
        if (status == null) {
            throw new IOException("connection closed before a response");
        }
        int code = Integer.parseInt(status.split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        String line;
        while ((line = readLine()) != null && !line.isEmpty()) {
            int colon = line.indexOf(':');
            headers.merge(
                    line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                    line.substring(colon + 1).trim(),
                    (a, b) -> a + "," + b);
        }
        String body;
        if (code == 100 || code == 101 || code == 204 || code == 304) {
            body = "";
        } else if (headers.containsKey("content-length")) {
            body = new String(in.readNBytes(Integer.parseInt(headers.get("content-length"))), StandardCharsets.UTF_8);
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            StringBuilder sb = new StringBuilder();
            while (true) {
                int size = Integer.parseInt(readLine().trim(), 16);
                if (size == 0) {
                    while (!readLine().isEmpty()) {
                        // trailers
                    }
                    break;
                }
                sb.append(new String(in.readNBytes(size), StandardCharsets.UTF_8));
                readLine();
            }
            body = sb.toString();
        } else {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        return new Response(code, headers, body);
    }

    /** True when the server closed the connection (EOF within the socket timeout). */
    public boolean closedByPeer() throws IOException {
        try {
            return in.read() == -1;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (java.net.SocketException e) {
            return true;
        }
    }

    public void setTimeout(int ms) throws IOException {
        socket.setSoTimeout(ms);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
