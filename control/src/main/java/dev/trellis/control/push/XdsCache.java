package dev.trellis.control.push;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Generated resources kept from one push to the next (Istio's XdsCache), so a push rebuilds only what its change
 * touched: an endpoint change of one service rebuilds that service's ClusterLoadAssignments, not the thousand others;
 * a new service builds its own clusters and reuses everyone else's.
 *
 * <p>Entries are keyed by the inputs that shape them ({@link Key}: the proxy view, the service, its instances, the
 * routing config), compared by value, so an entry can never be served for inputs it was not built from, whatever order
 * changes and pushes arrive in. When a new {@link PushContext} is taken, entries whose inputs no longer match it are
 * dropped ({@link #retainCurrent}), which is Istio's clearing by {@code ConfigsUpdated}, found by comparison instead of
 * by being told: only entries whose own inputs changed go. Entries nobody asked for in a while (the views of proxies
 * that left: a label set of a pod that is gone) are dropped too, so the cache is bounded by what live proxies use.
 */
public final class XdsCache {

    /** A cache key: the inputs of one build, compared with {@code equals}. */
    public interface Key {
        /** Whether this key's inputs are still what {@code push} holds (else the entry is stale and dropped). */
        boolean current(PushContext push);
    }

    /** How long an entry nobody reads is kept: long enough to span quiet periods between full pushes. */
    public static final Duration DEFAULT_IDLE = Duration.ofMinutes(10);

    /** A value and when it was last read. */
    private static final class Entry {
        final Object value;
        volatile long lastUsed;

        Entry(Object value, long now) {
            this.value = value;
            this.lastUsed = now;
        }
    }

    private final ConcurrentHashMap<Key, Entry> entries = new ConcurrentHashMap<>();
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final long idleNanos;
    private final LongSupplier clock;

    public XdsCache() {
        this(DEFAULT_IDLE, System::nanoTime);
    }

    /**
     * @param idle how long an entry nobody reads is kept
     * @param clock nanoseconds, monotonic
     */
    public XdsCache(Duration idle, LongSupplier clock) {
        this.idleNanos = idle.toNanos();
        this.clock = clock;
    }

    /**
     * The value built from {@code key}'s inputs, building it with {@code compute} if absent. Two threads may build the
     * same entry at once; both results are equal, and the first stored wins. A failed build stores nothing.
     */
    @SuppressWarnings("unchecked")
    public <T> T get(Key key, Supplier<T> compute) {
        long now = clock.getAsLong();
        Entry e = entries.get(key);
        if (e != null) {
            hits.increment();
            e.lastUsed = now;
            return (T) e.value;
        }
        misses.increment();
        T built = compute.get();
        Entry prev = entries.putIfAbsent(key, new Entry(built, now));
        return prev != null ? (T) prev.value : built;
    }

    /** Drops every entry whose inputs differ from what {@code push} holds, and every entry idle too long. */
    public void retainCurrent(PushContext push) {
        long now = clock.getAsLong();
        entries.entrySet()
                .removeIf(e ->
                        now - e.getValue().lastUsed > idleNanos || !e.getKey().current(push));
    }

    public int size() {
        return entries.size();
    }

    /** Lookups answered from the cache. */
    public long hits() {
        return hits.sum();
    }

    /** Lookups that had to build. */
    public long misses() {
        return misses.sum();
    }
}
