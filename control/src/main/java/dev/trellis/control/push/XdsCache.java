package dev.trellis.control.push;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
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
 * by being told: only entries whose own inputs changed go.
 */
public final class XdsCache {

    /** A cache key: the inputs of one build, compared with {@code equals}. */
    public interface Key {
        /** Whether this key's inputs are still what {@code push} holds (else the entry is stale and dropped). */
        boolean current(PushContext push);
    }

    private final ConcurrentHashMap<Key, Object> entries = new ConcurrentHashMap<>();
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();

    /**
     * The value built from {@code key}'s inputs, building it with {@code compute} if absent. Two threads may build the
     * same entry at once; both results are equal, and the first stored wins. A failed build stores nothing.
     */
    @SuppressWarnings("unchecked")
    public <T> T get(Key key, Supplier<T> compute) {
        Object v = entries.get(key);
        if (v != null) {
            hits.increment();
            return (T) v;
        }
        misses.increment();
        T built = compute.get();
        Object prev = entries.putIfAbsent(key, built);
        return prev != null ? (T) prev : built;
    }

    /** Drops every entry whose inputs differ from what {@code push} holds. */
    public void retainCurrent(PushContext push) {
        entries.keySet().removeIf(k -> !k.current(push));
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
