package dev.trellis.proxy.stats;

import java.util.concurrent.atomic.LongAdder;

/**
 * One counter or gauge. {@code scope} is the Envoy family ({@code cluster}, {@code http}, {@code listener}, or empty),
 * {@code scopeName} its tag value, {@code name} the last part.
 */
public final class Stat {
    private final String scope;
    private final String scopeName;
    private final String name;
    private final boolean gauge;
    private final LongAdder value = new LongAdder();

    Stat(String scope, String scopeName, String name, boolean gauge) {
        this.scope = scope;
        this.scopeName = scopeName;
        this.name = name;
        this.gauge = gauge;
    }

    public void inc() {
        value.increment();
    }

    public void dec() {
        value.decrement();
    }

    public void add(long n) {
        value.add(n);
    }

    /** Sets a gauge; only its owner (one thread) sets it, so reset-then-add is fine. */
    public void set(long v) {
        value.reset();
        value.add(v);
    }

    public long value() {
        return value.sum();
    }

    public boolean isGauge() {
        return gauge;
    }

    /** Envoy's full stat name, e.g. {@code cluster.backend.upstream_rq_total}. */
    public String fullName() {
        return scope.isEmpty() ? name : scope + "." + scopeName + "." + name;
    }

    String scope() {
        return scope;
    }

    String scopeName() {
        return scopeName;
    }

    String name() {
        return name;
    }
}
