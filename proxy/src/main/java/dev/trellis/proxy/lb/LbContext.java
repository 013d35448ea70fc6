package dev.trellis.proxy.lb;

/** What a load balancer may know about the request: the hash computed from the route's {@code hash_policy}. */
public interface LbContext {
    LbContext NONE = new LbContext() {};

    default boolean hasHash() {
        return false;
    }

    default long hash() {
        return 0;
    }
}
