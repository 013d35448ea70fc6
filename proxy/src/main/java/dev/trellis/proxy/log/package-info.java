/**
 * The proxy's logging: levels per logger-name prefix, one line per record on stderr, and adapters that bring Netty's
 * and java.util.logging's records into it.
 *
 * <p>Why not java.util.logging itself: its first use costs the proxy ~100-150 ms on one core before it is ready. It
 * looks for a {@code System.LoggerFinder} service, which opens and indexes the distribution jar (24,000 entries), and
 * its default formatter loads the time-zone database and locale data. This package needs none of that: nothing on the
 * proxy's way to ready reads the jar. Libraries that log through java.util.logging (gRPC, on the xDS path) are bridged
 * in when the proxy first uses them ({@link dev.trellis.proxy.log.JulBridge}).
 */
package dev.trellis.proxy.log;
