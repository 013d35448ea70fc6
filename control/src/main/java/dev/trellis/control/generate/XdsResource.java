package dev.trellis.control.generate;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A generated resource, packed and digested once. Proxies that see the same config share the same instance (the
 * caches hold them), so a push to a thousand proxies serializes each distinct resource once and holds it once.
 *
 * @param name the resource name
 * @param message the resource
 * @param any the resource packed for a DiscoveryResponse
 * @param digest a content hash (hex), from which response versions are derived
 * @param digestHigh the digest's first 8 bytes
 * @param digestLow the digest's next 8 bytes
 */
public record XdsResource(String name, Message message, Any any, String digest, long digestHigh, long digestLow) {

    public static XdsResource of(String name, Message message) {
        Any any = Any.pack(message);
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(any.getTypeUrlBytes().toByteArray());
            d.update(any.getValue().asReadOnlyByteBuffer());
            byte[] h = d.digest();
            ByteBuffer b = ByteBuffer.wrap(h);
            return new XdsResource(name, message, any, HexFormat.of().formatHex(h, 0, 16), b.getLong(0), b.getLong(8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
