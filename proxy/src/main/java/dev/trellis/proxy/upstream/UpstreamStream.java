package dev.trellis.proxy.upstream;

import io.netty.channel.Channel;

/**
 * What the router holds for one upstream exchange: an HTTP/1.1 connection bound to the request, or one HTTP/2 stream
 * of a shared connection. Writes go to {@link #channel()} as {@code HttpObject}s either way.
 */
public interface UpstreamStream {
    Channel channel();

    /** Ends the exchange; {@code reusable} when request and response both completed cleanly. */
    void release(boolean reusable);

    /** Switches to raw bytes after a 101 (HTTP/1.1 only). */
    void upgrade();
}
