package dev.trellis.proxy.listener;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/** Reads the SNI host name from a TLS ClientHello without consuming it; "" when absent or incomplete. */
final class TlsHello {
    private TlsHello() {}

    static String serverName(ByteBuf in) {
        try {
            int p = in.readerIndex();
            int end = in.writerIndex();
            if (end - p < 5) {
                return "";
            }
            int recordLen = in.getUnsignedShort(p + 3);
            int limit = Math.min(end, p + 5 + recordLen);
            int q = p + 5;
            if (in.getUnsignedByte(q) != 1) { // ClientHello
                return "";
            }
            q += 4 + 2 + 32; // handshake header, version, random
            q += 1 + in.getUnsignedByte(q); // session id
            q += 2 + in.getUnsignedShort(q); // cipher suites
            q += 1 + in.getUnsignedByte(q); // compression methods
            int extEnd = Math.min(limit, q + 2 + in.getUnsignedShort(q));
            q += 2;
            while (q + 4 <= extEnd) {
                int type = in.getUnsignedShort(q);
                int len = in.getUnsignedShort(q + 2);
                q += 4;
                if (type == 0) { // server_name
                    int r = q + 2;
                    while (r + 3 <= q + len) {
                        int nameType = in.getUnsignedByte(r);
                        int nameLen = in.getUnsignedShort(r + 1);
                        if (nameType == 0) {
                            return in.toString(r + 3, nameLen, StandardCharsets.US_ASCII);
                        }
                        r += 3 + nameLen;
                    }
                }
                q += len;
            }
        } catch (IndexOutOfBoundsException e) {
            // incomplete hello
        }
        return "";
    }
}
