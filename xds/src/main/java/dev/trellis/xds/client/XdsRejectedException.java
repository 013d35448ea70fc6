package dev.trellis.xds.client;

/** A response the proxy will not apply; the message becomes the NACK's {@code error_detail}. */
public final class XdsRejectedException extends Exception {
    public XdsRejectedException(String message) {
        super(message);
    }
}
