/** The Netty transport the bench tools share: native epoll where it loads, NIO as the fallback. */
package dev.trellis.bench.net;
