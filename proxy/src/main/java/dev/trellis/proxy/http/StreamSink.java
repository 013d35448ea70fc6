package dev.trellis.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpContent;

/** Where a stream's request body and downstream events go once the router has an upstream. */
public interface StreamSink {
    /** A request body part; ownership passes to the callee. */
    void onRequestBody(HttpContent content);

    /** The downstream read burst ended: flush what was written upstream. */
    void onRequestReadComplete();

    /** Raw bytes after an upgrade; ownership passes to the callee. */
    void onDownstreamRaw(ByteBuf data);

    void onDownstreamWritabilityChanged(boolean writable);

    /** The route timeout fired before the response completed. */
    void onRouteTimeout();

    /** The stream ended without the upstream completing (client gone, local reply, timeout): drop the upstream. */
    void onStreamReset();
}
