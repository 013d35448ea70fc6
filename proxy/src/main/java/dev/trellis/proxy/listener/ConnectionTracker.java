package dev.trellis.proxy.listener;

import io.netty.channel.Channel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The open connections of one listener version, each with its drain action, so a replaced or removed listener can
 * drain them gracefully (finish in-flight requests, then close) and close what is left after the drain time.
 */
public final class ConnectionTracker {
    private final Map<Channel, Runnable> connections = new ConcurrentHashMap<>();

    public void add(Channel ch, Runnable drain) {
        connections.put(ch, drain);
        ch.closeFuture().addListener(f -> connections.remove(ch));
    }

    /** Replaces the drain action (e.g. once the HTTP handler is installed). */
    public void setDrain(Channel ch, Runnable drain) {
        connections.replace(ch, drain);
    }

    public int size() {
        return connections.size();
    }

    public void drainAll() {
        connections.forEach((ch, drain) -> ch.eventLoop().execute(drain));
    }

    public void closeAll() {
        connections.keySet().forEach(Channel::close);
    }
}
