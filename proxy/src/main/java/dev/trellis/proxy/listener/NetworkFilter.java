package dev.trellis.proxy.listener;

import dev.trellis.proxy.http.ConnectionInfo;
import io.netty.channel.Channel;

/** The terminal network filter of a filter chain: installs its handlers on an accepted connection. */
public interface NetworkFilter {
    /**
     * @param drainHook registers the connection's graceful-drain action with its listener
     */
    void install(Channel ch, ConnectionInfo info, ConnectionTracker tracker);
}
