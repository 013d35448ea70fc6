package dev.trellis.proxy.upstream;

import io.netty.handler.codec.http.HttpObject;

/** The upstream side of one request (the router's upstream request) as the pool and connection see it. */
public interface UpstreamCallbacks {
    /** A connection (or HTTP/2 stream) is ready for this request; it is bound to it until released. */
    void onPoolReady(UpstreamStream connection);

    void onPoolFailure(PoolFailure failure, String detail);

    /** A response part; ownership passes to the callee. */
    void onUpstreamMessage(HttpObject msg);

    /** Bytes after a 101 upgrade; ownership passes to the callee. */
    void onUpstreamRaw(io.netty.buffer.ByteBuf data);

    void onUpstreamReadComplete();

    /** The connection closed or failed while bound to this request. */
    void onUpstreamReset(UpstreamReset reason);

    void onUpstreamWritabilityChanged(boolean writable);
}
