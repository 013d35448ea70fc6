package dev.trellis.proxy.upstream;

/** Why a pool could not provide a connection. */
public enum PoolFailure {
    /** A circuit breaker (pending requests) is full. */
    OVERFLOW,
    CONNECT_FAILURE,
    CONNECT_TIMEOUT
}
