package dev.trellis.proxy.listener;

import io.netty.channel.Channel;
import java.net.InetSocketAddress;

/**
 * The original destination of a redirected connection ({@code SO_ORIGINAL_DST}). Reading it needs the socket's file
 * descriptor and {@code getsockopt}; until the interception work lands, connections are taken as not redirected and
 * the listener's own address is returned, which is also what the kernel reports for a connection that was not
 * redirected.
 */
final class OriginalDestination {
    private OriginalDestination() {}

    static InetSocketAddress lookup(Channel ch, InetSocketAddress local) {
        return local;
    }
}
