package dev.trellis.proxy.upstream;

import dev.trellis.proxy.cluster.Cluster;
import dev.trellis.proxy.cluster.Host;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.HashMap;
import java.util.Map;

/**
 * The pools of the current event loop, by host. Reached through a {@link FastThreadLocal}: only ever touched from
 * its own loop, so plain collections suffice.
 */
public final class Pools {
    private static final FastThreadLocal<Pools> CURRENT = new FastThreadLocal<>();

    private final Map<String, Http1Pool> http1 = new HashMap<>();
    private final Map<String, Http2Pool> http2 = new HashMap<>();
    private final EventLoop loop;

    private Pools(EventLoop loop) {
        this.loop = loop;
    }

    /** The pools of {@code loop}; must be called on {@code loop}. */
    public static Pools of(EventLoop loop) {
        Pools p = CURRENT.get();
        if (p == null) {
            p = new Pools(loop);
            CURRENT.set(p);
        }
        return p;
    }

    /**
     * The HTTP/1.1 pool for this host. A cluster update that keeps the host keeps the pool (and its warm
     * connections) but uses the new cluster's settings for new connections.
     */
    public Http1Pool http1(Cluster cluster, Host host, Class<? extends Channel> channelClass) {
        Http1Pool p = http1.get(host.poolKey());
        if (p == null || p.cluster() != cluster) {
            if (p != null) {
                p.drain();
            }
            p = new Http1Pool(loop, cluster, host, channelClass);
            http1.put(host.poolKey(), p);
        }
        return p;
    }

    /**
     * Drains the pools of the current event loop whose host left its cluster or whose cluster was replaced or removed,
     * so their connections do not linger until the idle timeout (an hour by default). Runs on the loop after every
     * cluster or endpoint change.
     */
    public static void sweepCurrent() {
        Pools p = CURRENT.getIfExists();
        if (p != null) {
            p.http1.entrySet().removeIf(e -> {
                Http1Pool pool = e.getValue();
                boolean stale = pool.cluster().retired() || !pool.cluster().hasHost(e.getKey());
                if (stale) {
                    pool.drain();
                }
                return stale;
            });
            p.http2.entrySet().removeIf(e -> {
                Http2Pool pool = e.getValue();
                boolean stale = pool.cluster().retired() || !pool.cluster().hasHost(e.getKey());
                if (stale) {
                    pool.drain();
                }
                return stale;
            });
        }
    }

    /** The HTTP/2 pool (one multiplexed connection) for this host. */
    public Http2Pool http2(Cluster cluster, Host host, Class<? extends Channel> channelClass) {
        Http2Pool p = http2.get(host.poolKey());
        if (p == null || p.cluster() != cluster) {
            if (p != null) {
                p.drain();
            }
            p = new Http2Pool(loop, cluster, host, channelClass);
            http2.put(host.poolKey(), p);
        }
        return p;
    }
}
