package dev.trellis.proxy.http2;

import dev.trellis.proxy.config.ConfigException;
import dev.trellis.proxy.config.Fields;
import io.envoyproxy.envoy.config.core.v3.KeepaliveSettings;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DefaultHttp2PingFrame;
import io.netty.handler.codec.http2.Http2PingFrame;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Envoy's {@code http2_protocol_options.connection_keepalive}: a PING every {@code interval} (plus up to {@code
 * interval_jitter} percent, 15 by default, so many connections do not ping together); a PING not answered within
 * {@code timeout} means the peer is gone and the connection is closed at once (not gracefully: nothing would answer).
 */
public record Http2Keepalive(long intervalMs, long timeoutMs, double jitterPercent) {
    private static final Set<String> SUPPORTED = Set.of("interval", "timeout", "interval_jitter");

    static Http2Keepalive compile(KeepaliveSettings k, String where) {
        Fields.requireOnly(k, where, SUPPORTED);
        if (!k.hasInterval() || Fields.millis(k.getInterval()) < 1) {
            throw new ConfigException(where + ": field 'interval' is required and must be at least 1ms");
        }
        if (!k.hasTimeout() || Fields.millis(k.getTimeout()) < 1) {
            throw new ConfigException(where + ": field 'timeout' is required and must be at least 1ms");
        }
        double jitter = k.hasIntervalJitter() ? k.getIntervalJitter().getValue() : 15;
        if (jitter < 0 || jitter > 100) {
            throw new ConfigException(where + ": field 'interval_jitter' must be in [0, 100]");
        }
        return new Http2Keepalive(Fields.millis(k.getInterval()), Fields.millis(k.getTimeout()), jitter);
    }

    /**
     * Starts pinging on the connection of {@code ctx} (a handler after the codec); {@code abort} closes the
     * connection without the graceful HTTP/2 shutdown.
     */
    public Pinger start(ChannelHandlerContext ctx, Runnable abort) {
        Pinger p = new Pinger(ctx, abort);
        p.schedule();
        return p;
    }

    /** The pinging of one connection; all calls on its event loop. */
    public final class Pinger {
        private final ChannelHandlerContext ctx;
        private final Runnable abort;
        private ScheduledFuture<?> next;
        private ScheduledFuture<?> deadline;
        private long outstanding = -1;
        private boolean stopped;

        private Pinger(ChannelHandlerContext ctx, Runnable abort) {
            this.ctx = ctx;
            this.abort = abort;
        }

        private void schedule() {
            long jitter = (long) (intervalMs
                    * jitterPercent
                    / 100
                    * ThreadLocalRandom.current().nextDouble());
            next = ctx.executor().schedule(this::ping, intervalMs + jitter, TimeUnit.MILLISECONDS);
        }

        private void ping() {
            if (stopped || !ctx.channel().isActive()) {
                return;
            }
            outstanding = ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE;
            ctx.writeAndFlush(new DefaultHttp2PingFrame(outstanding));
            deadline = ctx.executor()
                    .schedule(
                            () -> {
                                if (!stopped) {
                                    stopped = true;
                                    abort.run();
                                }
                            },
                            timeoutMs,
                            TimeUnit.MILLISECONDS);
        }

        /** A PING read on the connection: the answer to ours re-arms the next one. */
        public void onPing(Http2PingFrame ping) {
            if (ping.ack() && ping.content() == outstanding && !stopped) {
                outstanding = -1;
                deadline.cancel(false);
                schedule();
            }
        }

        public void stop() {
            stopped = true;
            if (next != null) {
                next.cancel(false);
            }
            if (deadline != null) {
                deadline.cancel(false);
            }
        }
    }
}
