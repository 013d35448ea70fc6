/**
 * {@code tcp_proxy}: a byte-for-byte relay between a downstream connection and an upstream host of a cluster (or one
 * of weighted clusters), on the same event loop, with backpressure both ways (a side that cannot keep up stops the
 * other side's reads) and an idle timeout.
 */
package dev.trellis.proxy.tcp;
