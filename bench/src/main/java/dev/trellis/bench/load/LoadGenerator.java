package dev.trellis.bench.load;

import dev.trellis.bench.net.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs a load: {@link LoadOptions#connections()} workers, each on one connection, spread over the event loops. {@link
 * #run} returns when every worker is done, and never later than the run's end plus a short grace for requests in flight
 * (those still unanswered count as {@code unfinished}); {@link #report} can be called at any time (Ctrl-C).
 */
public final class LoadGenerator {

    private static final long START_LEAD_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final long WARM_UP_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long MAX_GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private final LoadOptions options;
    private final LoadStats stats = new LoadStats();
    private final Transport transport = Transport.best();
    private final byte[] payload;
    private final InetSocketAddress address;

    private volatile Instant started;
    private volatile long startNanos;
    private volatile long endNanos = Long.MAX_VALUE;
    private volatile long hardStopNanos = Long.MAX_VALUE;
    private volatile long finishedNanos;
    private volatile boolean stopping;
    private CountDownLatch done;
    private final List<Worker> workers = new ArrayList<>();

    public LoadGenerator(LoadOptions options) {
        this.options = options;
        this.payload = new byte[options.payloadSize()];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) ('a' + i % 26);
        }
        this.address = new InetSocketAddress(options.url().getHost(), options.port());
    }

    /**
     * Runs to the end (duration or count) and returns what was measured.
     *
     * @throws InterruptedException when the calling thread is interrupted; {@link #report} still works
     */
    public LoadReport run() throws InterruptedException {
        EventLoopGroup group = transport.newGroup(options.threads());
        try {
            done = new CountDownLatch(options.connections());
            for (int i = 0; i < options.connections(); i++) {
                workers.add(new Worker(this, group.next(), i, workerCount(i)));
            }
            CountDownLatch warm = new CountDownLatch(workers.size());
            workers.forEach(w -> w.warmUp(warm, WARM_UP_LIMIT_NANOS));
            warm.await(WARM_UP_LIMIT_NANOS + TimeUnit.MILLISECONDS.toNanos(100), TimeUnit.NANOSECONDS);
            started = Instant.now();
            startNanos = System.nanoTime() + START_LEAD_NANOS;
            if (options.duration() != null) {
                endNanos = startNanos + options.duration().toNanos();
                hardStopNanos =
                        endNanos + Math.min(MAX_GRACE_NANOS, options.timeout().toNanos());
            }
            workers.forEach(Worker::start);
            if (hardStopNanos == Long.MAX_VALUE) {
                done.await();
            } else if (!done.await(
                    hardStopNanos - System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200), TimeUnit.NANOSECONDS)) {
                stop();
                done.await(1, TimeUnit.SECONDS);
            }
            finishedNanos = System.nanoTime();
            return report(false);
        } finally {
            stopping = true;
            group.shutdownGracefully(0, 200, TimeUnit.MILLISECONDS).await(2, TimeUnit.SECONDS);
        }
    }

    private long workerCount(int i) {
        if (options.count() <= 0) {
            return -1;
        }
        long extra = options.count() % options.connections();
        return options.count() / options.connections() + (i < extra ? 1 : 0);
    }

    /** Stops every worker now; requests in flight count as unfinished. */
    public void stop() {
        stopping = true;
        workers.forEach(Worker::stopNow);
    }

    /** What was measured so far (or in all, after {@link #run} returned). */
    public LoadReport report(boolean interrupted) {
        long end = finishedNanos != 0 ? finishedNanos : System.nanoTime();
        double elapsed = startNanos == 0 ? 0 : Math.max(0, end - startNanos) / 1e9;
        return new LoadReport(
                options,
                started == null ? Instant.now() : started,
                elapsed,
                interrupted,
                stats.ok(),
                stats.statusErrors(),
                stats.status(),
                stats.grpcStatus(),
                stats.errorKinds(),
                stats.histogramCopy(),
                stats.bytesReceived());
    }

    LoadOptions options() {
        return options;
    }

    LoadStats stats() {
        return stats;
    }

    long startNanos() {
        return startNanos;
    }

    long endNanos() {
        return endNanos;
    }

    long hardStopNanos() {
        return hardStopNanos;
    }

    boolean stopping() {
        return stopping;
    }

    byte[] payload() {
        return payload;
    }

    void workerDone() {
        done.countDown();
    }

    ChannelFuture connect(Worker worker) {
        Bootstrap b = new Bootstrap()
                .group(worker.loop())
                .channel(transport.clientChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(
                        1, Math.min(Integer.MAX_VALUE, options.timeout().toMillis())))
                .handler(new io.netty.channel.ChannelInboundHandlerAdapter());
        return b.connect(address);
    }

    Worker.Connection newConnection(Worker worker, Channel channel) {
        return switch (options.protocol()) {
            case HTTP1 -> new Http1Connection(worker, channel);
            case H2C, GRPC -> new Http2Connection(worker, channel);
        };
    }
}
