package dev.trellis.bench.load;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.ConnectException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One connection's share of the load, driven entirely on its event loop (no locks): one request at a time, each due at
 * {@code start + offset + seq * interval} (open loop) or as soon as the previous one ends (closed loop). A request that
 * starts late because the previous one was slow still measures its latency from when it was due: that is the
 * coordinated-omission correction.
 */
final class Worker {

    private static final long CLOSED_LOOP_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final LoadGenerator run;
    private final EventLoop loop;
    private final long intervalNanos;
    private final long offsetNanos;
    private final long timeoutNanos;
    private long remaining; // -1: bounded by time only

    private long seq;
    private long notBefore;
    private Connection conn;
    private Connection requestConn;

    private boolean inFlight;
    private long dueNanos;
    private int generation;
    private ScheduledFuture<?> timeoutTask;
    private boolean finished;
    private CountDownLatch warming;

    /** A protocol's connection: HTTP/1.1 or HTTP/2. */
    interface Connection {
        Channel channel();

        boolean usable();

        /** Sends request {@code gen} of {@code worker}; completion arrives through the worker's callbacks. */
        void send(Worker worker, int gen);
    }

    Worker(LoadGenerator run, EventLoop loop, int index, long count) {
        this.run = run;
        this.loop = loop;
        LoadOptions o = run.options();
        this.intervalNanos = o.qps() > 0 ? (long) (o.connections() * 1e9 / o.qps()) : 0;
        this.offsetNanos = o.qps() > 0 ? (long) (index * 1e9 / o.qps()) : 0;
        this.timeoutNanos = o.timeout().toNanos();
        this.remaining = count;
    }

    EventLoop loop() {
        return loop;
    }

    LoadGenerator run() {
        return run;
    }

    /**
     * Connects and sends one request that is not measured, so the run's clock starts with connections open and the
     * code paths loaded. Counts {@code latch} down when it ends, however it ends; bounded by {@code limitNanos}.
     */
    void warmUp(CountDownLatch latch, long limitNanos) {
        loop.execute(() -> {
            warming = latch;
            dueNanos = System.nanoTime();
            inFlight = true;
            int gen = ++generation;
            timeoutTask = loop.schedule(() -> onTimeout(gen), Math.min(timeoutNanos, limitNanos), TimeUnit.NANOSECONDS);
            connect(gen);
        });
    }

    private boolean endWarmUp() {
        if (warming == null) {
            return false;
        }
        CountDownLatch latch = warming;
        warming = null;
        endRequest();
        latch.countDown();
        return true;
    }

    void start() {
        loop.execute(() -> {
            if (warming != null) {
                // The warm-up request is still out: abandon it with its connection, whose next response is its.
                dropConnection();
                endWarmUp();
            }
            scheduleNext();
        });
    }

    private void scheduleNext() {
        if (finished) {
            return;
        }
        if (remaining == 0 || run.stopping()) {
            finish();
            return;
        }
        long now = System.nanoTime();
        if (now - run.endNanos() >= 0) {
            // The run is over: requests that fell due while this one was slow are not sent (the rate shows them).
            finish();
            return;
        }
        long due = intervalNanos > 0
                ? run.startNanos() + offsetNanos + seq * intervalNanos
                : Math.max(Math.max(now, run.startNanos()), notBefore);
        if (due - run.endNanos() >= 0) {
            finish(); // nothing more falls due inside the run
            return;
        }
        if (due - now > 0) {
            loop.schedule(() -> fire(due), due - now, TimeUnit.NANOSECONDS);
        } else {
            fire(due);
        }
    }

    private void fire(long due) {
        if (finished) {
            return;
        }
        if (run.stopping()) {
            finish();
            return;
        }
        seq++;
        if (remaining > 0) {
            remaining--;
        }
        long now = System.nanoTime();
        dueNanos = due;
        inFlight = true;
        int gen = ++generation;
        long deadline = Math.min(now + timeoutNanos, run.hardStopNanos());
        timeoutTask = loop.schedule(() -> onTimeout(gen), Math.max(0, deadline - now), TimeUnit.NANOSECONDS);
        if (conn != null && conn.usable()) {
            requestConn = conn;
            conn.send(this, gen);
        } else {
            connect(gen);
        }
    }

    private void connect(int gen) {
        dropConnection();
        ChannelFuture f = run.connect(this);
        Connection c = run.newConnection(this, f.channel());
        conn = c;
        requestConn = c;
        f.addListener(fut -> {
            if (conn != c) {
                f.channel().close();
                return;
            }
            if (!fut.isSuccess()) {
                conn = null;
                onError(gen, connectErrorKind(fut.cause()));
                return;
            }
            if (gen == generation && inFlight) {
                c.send(this, gen);
            }
        });
    }

    private static String connectErrorKind(Throwable cause) {
        if (cause instanceof ConnectTimeoutException) {
            return "connect_timeout";
        }
        if (cause instanceof ConnectException
                || String.valueOf(cause.getMessage()).contains("refused")) {
            return "connect_refused";
        }
        return "connect_error";
    }

    /** A response ended (HTTP status, gRPC status or -1, bytes of body). */
    void onResponse(int gen, int status, int grpcStatus, long bytes) {
        if (gen != generation || !inFlight) {
            return;
        }
        if (endWarmUp()) {
            return;
        }
        long now = System.nanoTime();
        run.stats().response(now - dueNanos, status, grpcStatus, bytes);
        endRequest();
        scheduleNext();
    }

    /** Request {@code gen} failed without a response. */
    void onError(int gen, String kind) {
        if (gen != generation || !inFlight) {
            return;
        }
        if (endWarmUp()) {
            return;
        }
        run.stats().error(kind);
        if (intervalNanos == 0 && kind.startsWith("connect")) {
            // Closed loop against a dead target: do not spin on connect attempts.
            notBefore = System.nanoTime() + CLOSED_LOOP_BACKOFF_NANOS;
        }
        endRequest();
        scheduleNext();
    }

    /** The connection's channel closed; a request still on it fails. */
    void onClosed(Connection c) {
        if (conn == c) {
            conn = null;
        }
        if (inFlight && requestConn == c) {
            onError(generation, "closed");
        }
    }

    /** The connection must not take new requests (Connection: close, GOAWAY). */
    void retire(Connection c) {
        if (conn == c) {
            conn = null;
        }
    }

    private void onTimeout(int gen) {
        if (gen != generation || !inFlight) {
            return;
        }
        // A stuck request blocks its connection (HTTP/1.1): start the next one on a fresh connection.
        Connection c = requestConn;
        if (conn == c) {
            conn = null;
        }
        if (c != null) {
            c.channel().close();
        }
        onError(gen, System.nanoTime() - run.endNanos() >= 0 ? "unfinished" : "timeout");
    }

    private void endRequest() {
        inFlight = false;
        requestConn = null;
        if (timeoutTask != null) {
            timeoutTask.cancel(false);
            timeoutTask = null;
        }
    }

    private void dropConnection() {
        if (conn != null) {
            conn.channel().close();
            conn = null;
        }
    }

    /** Ends this worker now: what is in flight is not waited for (the run's end counts it). */
    void stopNow() {
        try {
            loop.execute(() -> {
                if (inFlight) {
                    onTimeout(generation);
                }
                finish();
            });
        } catch (RejectedExecutionException e) {
            // The run already ended and shut its loops down: there is nothing left to stop.
        }
    }

    private void finish() {
        if (finished) {
            return;
        }
        finished = true;
        if (timeoutTask != null) {
            timeoutTask.cancel(false);
        }
        dropConnection();
        run.workerDone();
    }
}
