package dev.trellis.control.xds;

import dev.trellis.control.push.PushRequest;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Merges changes that arrive close together into one push: a push fires once no change has arrived for the quiet
 * period ({@code --debounce-after}), or once the first unpushed change is {@code --debounce-max} old, whichever comes
 * first. Pushes never overlap: a change that arrives during a push waits for the next round.
 */
public final class Debouncer {

    private final Duration quiet;
    private final Duration max;
    private final ScheduledExecutorService timer;
    private final Consumer<PushRequest> push;

    private PushRequest pending;
    private long firstNanos;
    private long lastNanos;
    private ScheduledFuture<?> scheduled;
    private boolean pushing;

    public Debouncer(Duration quiet, Duration max, ScheduledExecutorService timer, Consumer<PushRequest> push) {
        if (quiet.isNegative() || max.isNegative()) {
            throw new IllegalArgumentException("debounce durations must not be negative");
        }
        this.quiet = quiet;
        this.max = max.compareTo(quiet) < 0 ? quiet : max;
        this.timer = timer;
        this.push = push;
    }

    public synchronized void submit(PushRequest request) {
        long now = System.nanoTime();
        if (pending == null) {
            pending = request;
            firstNanos = now;
        } else {
            pending = pending.merge(request);
        }
        lastNanos = now;
        if (scheduled == null && !pushing) {
            scheduled = timer.schedule(this::tick, quiet.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private void tick() {
        PushRequest toPush;
        synchronized (this) {
            scheduled = null;
            if (pending == null) {
                return;
            }
            long now = System.nanoTime();
            long quietLeft = lastNanos + quiet.toNanos() - now;
            long maxLeft = firstNanos + max.toNanos() - now;
            if (quietLeft > 0 && maxLeft > 0) {
                scheduled = timer.schedule(this::tick, Math.min(quietLeft, maxLeft), TimeUnit.NANOSECONDS);
                return;
            }
            toPush = pending;
            pending = null;
            pushing = true;
        }
        try {
            push.accept(toPush);
        } finally {
            synchronized (this) {
                pushing = false;
                if (pending != null && scheduled == null) {
                    scheduled = timer.schedule(this::tick, quiet.toNanos(), TimeUnit.NANOSECONDS);
                }
            }
        }
    }
}
