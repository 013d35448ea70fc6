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
 * <p>Access logs ({@code access_log}, {@code access_log_options}): one line per downstream connection when it closes
 * ({@code TcpConnectionLog}), optionally also once the upstream connected and every flush interval, through the same
 * compiled logs and background writers as the HTTP connection manager. Neither data path does anything for them: the
 * line reads the byte counters both paths keep anyway, on the connection's event loop.
 *
 * <p>Why not Netty's own {@code AbstractEpollStreamChannel.spliceTo} (deprecated in 4.2): its splice returns 0 for
 * both "nothing yet" and end-of-stream, so a FIN is only seen through EPOLLRDHUP, which shuts the input (or closes the
 * channel) while bytes may still wait in the socket behind a full pipe; its promise completes only when a whole length
 * went through; and once a length is done the same read loop reads into ByteBufs. Measured with 4.2.18 (8 MiB then a
 * FIN into a slow reader): with half-closure and the endless length the upstream got 438,352 and 58,607 bytes short
 * in two of three runs (the input-shutdown event came first; the rest surfaced later as ByteBufs); with 64 KiB chunks
 * (the only way to count bytes) and 8,400,000 bytes sent, the 11,392-byte tail was never reported by any promise and
 * arrived as a ByteBuf or not at all.
 *
 * <p>Measured (2 GiB through the proxy, loopback, the proxy alone pinned to one core with {@code taskset}, client and
 * a discarding upstream on the other core, CPU from {@code /proc/<pid>/stat}; {@code TcpRelayBench}; two runs each on
 * a 2-core machine shared with other work): proxy CPU per GiB, after JIT warm-up, was 0.84-1.01 s copying and
 * 0.36-0.45 s splicing with 1 connection, 0.75-1.05 s and 0.39-0.54 s with 16. Throughput is bounded by the client's
 * core; splicing was ahead in every pair: 1.0-1.1 against 1.2-1.6 GB/s (1 connection), 1.0-1.4 against 1.3-1.7 GB/s
 * (16).
 */
package dev.trellis.proxy.tcp;
