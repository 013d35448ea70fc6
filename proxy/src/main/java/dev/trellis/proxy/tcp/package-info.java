/**
 * {@code tcp_proxy}: a byte-for-byte relay between a downstream connection and an upstream host of a cluster (or one
 * of weighted clusters), on the same event loop, with backpressure both ways (a side that cannot keep up stops the
 * other side's reads), half-close relayed each way, an idle timeout and exact byte counts.
 *
 * <p>Two data paths, chosen per connection once the upstream connected ({@code TcpProxyHandler}):
 *
 * <ul>
 *   <li><b>splice</b> ({@code SpliceRelay}, {@code Splice}): when both sides are epoll sockets and no pipeline handler
 *       needs the bytes, each direction runs socket → pipe → socket with {@code splice(2)} (called through FFM so that
 *       "would block" and end-of-stream are told apart), driven by the relay's own level-triggered epoll
 *       registrations on the channels' event loop while Netty has the channels deregistered. Backpressure is one pipe
 *       (64 KiB by default; {@code -Dtrellis.tcp.splice.pipe-bytes} changes it) per direction.
 *   <li><b>copy</b>: Netty buffers, for everything else: the NIO transport, a JVM without native access, and any
 *       handler that must see the bytes (a TLS transport socket, later). {@code -Dtrellis.tcp.splice=false} forces it.
 * </ul>
 *
 * <p>Why not Netty's own {@code AbstractEpollStreamChannel.spliceTo} (deprecated in 4.2; read from its 4.2 source): it
 * reports a splice only
 * when its whole length went through (so byte counts at a close are off by up to the chunk length, or unknowable with
 * the "forever" length); it cannot see end-of-stream (its splice returns 0 for both "nothing yet" and EOF, so a FIN
 * is only noticed through EPOLLRDHUP, which shuts the input, or closes the channel without half-closure, even while
 * bytes still wait in the socket behind a full pipe); and after a finished chunk the same read loop falls back to
 * reading into ByteBufs.
 *
 * <p>Measured (2 GiB through the proxy, loopback, the proxy alone pinned to one core with {@code taskset}, client and
 * a discarding upstream on the other core, CPU from {@code /proc/<pid>/stat}; {@code TcpRelayBench}): the copy path
 * used 0.72-1.27 s of proxy CPU per GiB with 1 connection and 0.75-1.0 s with 16; splice used 0.31-0.56 s and
 * 0.44-0.57 s. Throughput was bounded by the client core, and splice was ahead in every paired run (about
 * 0.9-1.4 GB/s against 0.4-1.1 GB/s on a shared, loaded machine).
 */
package dev.trellis.proxy.tcp;
