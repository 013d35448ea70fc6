package dev.trellis.proxy.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.proxy.server.ProxyServer;
import dev.trellis.proxy.stats.Stat;
import dev.trellis.proxy.testing.LoopbackServer;
import dev.trellis.proxy.testing.ProxyHarness;
import dev.trellis.testing.LeakCheck;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * tcp_proxy's two data paths over real loopback sockets with real upstreams: "splice" (epoll transport, zero-copy
 * relay) and "copy" (NIO transport, where splice does not apply and Netty buffers carry the bytes). Every behaviour is
 * checked on both: bytes and counts, half-close either way, idle timeout under traffic, backpressure against a slow
 * reader, and that descriptors are given back.
 */
@ExtendWith(LeakCheck.class)
class TcpRelayPathsTest {
    static final String BOOTSTRAP = """
            static_resources:
              listeners:
              - name: echo
                address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
                filter_chains:
                - filters:
                  - name: tcp
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                      stat_prefix: echo
                      cluster: echo
                      idle_timeout: 1s
              - name: reply
                address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
                filter_chains:
                - filters:
                  - name: tcp
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                      stat_prefix: reply
                      cluster: reply
              - name: first
                address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
                filter_chains:
                - filters:
                  - name: tcp
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                      stat_prefix: first
                      cluster: first
              - name: banner
                address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
                filter_chains:
                - filters:
                  - name: tcp
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                      stat_prefix: banner
                      cluster: banner
              - name: gated
                address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
                filter_chains:
                - filters:
                  - name: tcp
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                      stat_prefix: gated
                      cluster: gated
              clusters:
              - name: echo
                connect_timeout: 1s
                load_assignment:
                  cluster_name: echo
                  endpoints: [ { lb_endpoints: [ { endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${ECHO} } } } } ] } ]
              - name: reply
                connect_timeout: 1s
                load_assignment:
                  cluster_name: reply
                  endpoints: [ { lb_endpoints: [ { endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${REPLY} } } } } ] } ]
              - name: first
                connect_timeout: 1s
                load_assignment:
                  cluster_name: first
                  endpoints: [ { lb_endpoints: [ { endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${FIRST} } } } } ] } ]
              - name: banner
                connect_timeout: 1s
                load_assignment:
                  cluster_name: banner
                  endpoints: [ { lb_endpoints: [ { endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${BANNER} } } } } ] } ]
              - name: gated
                connect_timeout: 1s
                load_assignment:
                  cluster_name: gated
                  endpoints: [ { lb_endpoints: [ { endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${GATED} } } } } ] } ]
            """;

    static final int PATTERN_BYTES = 1 << 20;
    static final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "upstream");
        t.setDaemon(true);
        return t;
    });
    static ServerSocket echo;
    static ServerSocket reply;
    static ServerSocket first;
    static ServerSocket gated;
    static ServerSocket banner;
    /** What the "first" upstream read after it half-closed; what the "gated" upstream read: {bytes, crc}. */
    static final BlockingQueue<Long> firstReceived = new ArrayBlockingQueue<>(16);

    static final BlockingQueue<long[]> gatedReceived = new ArrayBlockingQueue<>(16);
    static volatile CountDownLatch gate = new CountDownLatch(0);
    static RelayPaths paths;

    @BeforeAll
    static void start() throws Exception {
        echo = LoopbackServer.echo();
        // Reads to end of stream, then answers with the count and 1 MiB: a half-closed downstream must still get it.
        reply = LoopbackServer.serve(s -> {
            long n = s.getInputStream().transferTo(OutputStream.nullOutputStream());
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeLong(n);
            out.write(pattern());
            out.flush();
        });
        // Speaks first and half-closes, then keeps reading what the downstream sends.
        first = LoopbackServer.serve(s -> {
            s.getOutputStream().write(pattern());
            s.shutdownOutput();
            firstReceived.add(s.getInputStream().transferTo(OutputStream.nullOutputStream()));
        });
        // A few bytes and a FIN the moment it accepts: races the proxy's start of the relay.
        banner = LoopbackServer.serve(s -> {
            s.getOutputStream().write("hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            s.shutdownOutput();
            firstReceived.add(s.getInputStream().transferTo(OutputStream.nullOutputStream()));
        });
        // Reads nothing until the gate opens, then reads slowly.
        gated = LoopbackServer.serve(s -> {
            s.setReceiveBufferSize(64 * 1024);
            try {
                gate.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                return;
            }
            InputStream in = s.getInputStream();
            CRC32 crc = new CRC32();
            byte[] b = new byte[256 * 1024];
            long total = 0;
            for (int n; (n = in.read(b)) >= 0; ) {
                crc.update(b, 0, n);
                total += n;
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
            }
            gatedReceived.add(new long[] {total, crc.getValue()});
        });
        Map<String, Object> ports = Map.of(
                "ECHO", echo.getLocalPort(),
                "REPLY", reply.getLocalPort(),
                "FIRST", first.getLocalPort(),
                "GATED", gated.getLocalPort(),
                "BANNER", banner.getLocalPort());
        paths = RelayPaths.start(BOOTSTRAP, path -> ports);
    }

    @AfterAll
    static void stop() throws Exception {
        if (paths != null) {
            paths.close();
        }
        for (ServerSocket s : new ServerSocket[] {echo, reply, first, gated, banner}) {
            if (s != null) {
                s.close();
            }
        }
        pool.shutdownNow();
    }

    static byte[] pattern() {
        byte[] b = new byte[PATTERN_BYTES];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i * 31 + 7);
        }
        return b;
    }

    static ProxyHarness proxy(String path) {
        return paths.proxy(path);
    }

    static Socket connect(String path, String listener) throws IOException {
        return paths.connect(path, listener);
    }

    static long stat(String path, String name) {
        ProxyServer server = proxy(path).server;
        return server.context().stats().all().stream()
                .filter(st -> st.fullName().equals(name))
                .mapToLong(Stat::value)
                .sum();
    }

    /** Counters move on the proxy's event loop, after the client already has its bytes: wait for them briefly. */
    static long awaitStat(String path, String name, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        long v;
        while ((v = stat(path, name)) != expected && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return v;
    }

    @ParameterizedTest
    @ValueSource(strings = {"splice", "copy"})
    void relaysEveryByteBothWaysAndCountsThemExactly(String path) throws Exception {
        long relays0 = SpliceRelay.relays();
        long spliced0 = SpliceRelay.bytes();
        long rx0 = stat(path, "tcp.echo.downstream_cx_rx_bytes_total");
        long tx0 = stat(path, "tcp.echo.downstream_cx_tx_bytes_total");
        byte[] data = new byte[8 << 20];
        new Random(42).nextBytes(data);
        try (Socket s = connect(path, "echo")) {
            OutputStream out = s.getOutputStream();
            Future<?> w = pool.submit(() -> {
                out.write(data);
                out.flush();
                return null;
            });
            byte[] back = new DataInputStream(s.getInputStream()).readNBytes(data.length);
            w.get(10, TimeUnit.SECONDS);
            assertThat(back).isEqualTo(data);
        }
        assertThat(awaitStat(path, "tcp.echo.downstream_cx_rx_bytes_total", rx0 + data.length))
                .isEqualTo(rx0 + data.length);
        assertThat(awaitStat(path, "tcp.echo.downstream_cx_tx_bytes_total", tx0 + data.length))
                .isEqualTo(tx0 + data.length);
        if (path.equals("splice")) {
            // The kernel moved them: both directions went through the pipes, none through a ByteBuf.
            assertThat(SpliceRelay.relays()).isEqualTo(relays0 + 1);
            assertThat(SpliceRelay.bytes() - spliced0).isEqualTo(2L * data.length);
        } else {
            assertThat(SpliceRelay.relays()).isEqualTo(relays0);
            assertThat(SpliceRelay.bytes()).isEqualTo(spliced0);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"splice", "copy"})
    void downstreamHalfCloseReachesTheUpstreamWhoseAnswerStillFlows(String path) throws Exception {
        int sent = 3 << 20;
        try (Socket s = connect(path, "reply")) {
            s.getOutputStream().write(new byte[sent]);
            s.shutdownOutput();
            DataInputStream in = new DataInputStream(s.getInputStream());
            assertThat(in.readLong()).isEqualTo(sent);
            assertThat(in.readNBytes(PATTERN_BYTES)).isEqualTo(pattern());
            assertThat(in.read()).isEqualTo(-1);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"splice", "copy"})
    void upstreamHalfCloseReachesTheDownstreamWhichCanStillSend(String path) throws Exception {
        firstReceived.clear();
        int sent = 2 << 20;
        try (Socket s = connect(path, "first")) {
            InputStream in = s.getInputStream();
            assertThat(in.readNBytes(PATTERN_BYTES)).isEqualTo(pattern());
            assertThat(in.read()).isEqualTo(-1);
            // Our side is still open: the proxy must carry these to the upstream that half-closed.
            s.getOutputStream().write(new byte[sent]);
            s.shutdownOutput();
            assertThat(firstReceived.poll(10, TimeUnit.SECONDS)).isEqualTo(sent);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"splice", "copy"})
    void anUpstreamThatSpeaksAndHalfClosesAtOnceIsRelayedInOrder(String path) throws Exception {
        // Netty may read these bytes and the FIN (it reads on EPOLLRDHUP even with auto-read off) while the splice
        // relay is still taking the sockets over; the relay then hands the connection to the copy path. Whichever
        // happens, the downstream must see exactly the bytes, then end of stream, and still be able to send.
        firstReceived.clear();
        long fallbacks0 = SpliceRelay.fallbacks();
        for (int i = 0; i < 30; i++) {
            try (Socket s = connect(path, "banner")) {
                InputStream in = s.getInputStream();
                assertThat(new String(in.readNBytes(5), java.nio.charset.StandardCharsets.US_ASCII))
                        .isEqualTo("hello");
                assertThat(in.read()).isEqualTo(-1);
                s.getOutputStream().write(new byte[1000 + i]);
                s.shutdownOutput();
                assertThat(firstReceived.poll(10, TimeUnit.SECONDS)).isEqualTo(1000L + i);
                assertThat(in.read()).isEqualTo(-1);
            }
        }
        System.out.println(path + ": relays that fell back to copying: " + (SpliceRelay.fallbacks() - fallbacks0));
    }

    @ParameterizedTest
    @ValueSource(strings = {"splice", "copy"})
    void idleTimeoutIsResetByTrafficAndFiresWithout(String path) throws Exception {
        long relays0 = SpliceRelay.relays();
        try (Socket s = connect(path, "echo")) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            // 2.4 s of traffic every 300 ms against a 1 s idle timeout: the connection must stay open throughout.
            for (int i = 0; i < 8; i++) {
                out.write(i);
                assertThat(in.read()).isEqualTo(i);
                Thread.sleep(300);
            }
            long t0 = System.nanoTime();
            assertThat(in.read()).isEqualTo(-1);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isGreaterThanOrEqualTo(600);
        }
        assertThat(SpliceRelay.relays() - relays0).isEqualTo(path.equals("splice") ? 1 : 0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"splice", "copy"})
    void aSlowReaderStopsTheWriterInsteadOfFillingTheProxy(String path) throws Exception {
        gatedReceived.clear();
        gate = new CountDownLatch(1);
        long total = 96L << 20;
        byte[] chunk = new byte[64 * 1024];
        new Random(7).nextBytes(chunk);
        CRC32 expected = new CRC32();
        for (long i = 0; i < total / chunk.length; i++) {
            expected.update(chunk);
        }
        AtomicLong written = new AtomicLong();
        try (Socket s = new Socket()) {
            s.setSendBufferSize(64 * 1024);
            s.connect(proxy(path).listener("gated"), 2000);
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            Future<?> w = pool.submit(() -> {
                for (long i = 0; i < total / chunk.length; i++) {
                    out.write(chunk);
                    written.addAndGet(chunk.length);
                }
                s.shutdownOutput();
                return null;
            });
            // The upstream reads nothing: wait until the writer is stuck, then look at how much got in.
            long last = -1;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (written.get() != last && System.nanoTime() < deadline) {
                last = written.get();
                Thread.sleep(500);
            }
            // Kernel buffers (this socket's send buffer, the proxy's autotuned receive and send buffers, the
            // upstream's receive buffer) hold tens of MiB at most on loopback; the proxy itself holds one pipe or
            // one write-buffer high-water mark. Unbounded buffering would have taken all 96 MiB.
            assertThat(last).isLessThan(64L << 20);
            assertThat(w.isDone()).isFalse();
            gate.countDown();
            w.get(30, TimeUnit.SECONDS);
            long[] got = gatedReceived.poll(30, TimeUnit.SECONDS);
            assertThat(got).isNotNull();
            assertThat(got[0]).isEqualTo(total);
            assertThat(got[1]).isEqualTo(expected.getValue());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"splice", "copy"})
    void aResetDownstreamTakesItsUpstreamDown(String path) throws Exception {
        long active0 = stat(path, "cluster.echo.upstream_cx_active");
        try (Socket s = connect(path, "echo")) {
            s.getOutputStream().write(new byte[10_000]);
            assertThat(s.getInputStream().readNBytes(10_000)).hasSize(10_000);
            assertThat(stat(path, "cluster.echo.upstream_cx_active")).isEqualTo(active0 + 1);
            s.setSoLinger(true, 0); // close() now sends an RST
        }
        assertThat(awaitStat(path, "cluster.echo.upstream_cx_active", active0)).isEqualTo(active0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"splice", "copy"})
    void closedConnectionsGiveTheirDescriptorsBack(String path) throws Exception {
        // Warm up whatever opens descriptors once (JIT, first connection's lazy setup).
        echoOnce(path);
        Thread.sleep(200);
        long before = openFds();
        for (int i = 0; i < 20; i++) {
            echoOnce(path);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        long after;
        while ((after = openFds()) > before + 4 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        // A leak would be 2 sockets (+ 4 pipe ends when splicing) per connection: 60 to 120 here.
        assertThat(after).isLessThanOrEqualTo(before + 4);
    }

    @Test
    void aUnixSocketUpstreamIsSplicedToo() throws Exception {
        Path dir = Files.createTempDirectory("trellis-tcp");
        Path sock = dir.resolve("echo.sock");
        var server = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX);
        server.bind(java.net.UnixDomainSocketAddress.of(sock));
        pool.submit(() -> {
            while (server.isOpen()) {
                var c = server.accept();
                pool.submit(() -> {
                    try (c) {
                        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(65536);
                        while (c.read(b) >= 0) {
                            b.flip();
                            while (b.hasRemaining()) {
                                c.write(b);
                            }
                            b.clear();
                        }
                    }
                    return null;
                });
            }
            return null;
        });
        String yaml = """
                static_resources:
                  listeners:
                  - name: uds
                    address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
                    filter_chains:
                    - filters:
                      - name: tcp
                        typed_config:
                          "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                          stat_prefix: uds
                          cluster: uds
                  clusters:
                  - name: uds
                    connect_timeout: 1s
                    load_assignment:
                      cluster_name: uds
                      endpoints: [ { lb_endpoints: [ { endpoint: { address: { pipe: { path: "${PATH}" } } } } ] } ]
                """;
        long relays0 = SpliceRelay.relays();
        long bytes0 = SpliceRelay.bytes();
        ProxyHarness own = ProxyHarness.start(yaml, Map.of("PATH", sock.toString()));
        try (Socket s = new Socket()) {
            s.connect(own.listener("uds"), 2000);
            s.setSoTimeout(10_000);
            byte[] data = new byte[4 << 20];
            new Random(3).nextBytes(data);
            Future<?> w = pool.submit(() -> {
                s.getOutputStream().write(data);
                s.shutdownOutput();
                return null;
            });
            assertThat(s.getInputStream().readNBytes(data.length)).isEqualTo(data);
            w.get(10, TimeUnit.SECONDS);
            assertThat(s.getInputStream().read()).isEqualTo(-1);
            assertThat(SpliceRelay.relays()).isEqualTo(relays0 + 1);
            assertThat(SpliceRelay.bytes() - bytes0).isEqualTo(2L * data.length);
        } finally {
            own.close();
            server.close();
            Files.deleteIfExists(sock);
            Files.deleteIfExists(dir);
        }
    }

    @Test
    void closingTheProxyClosesSplicedConnections() throws Exception {
        long relays0 = SpliceRelay.relays();
        ProxyHarness own = ProxyHarness.start(
                BOOTSTRAP,
                Map.of(
                        "ECHO", echo.getLocalPort(),
                        "REPLY", reply.getLocalPort(),
                        "FIRST", first.getLocalPort(),
                        "GATED", gated.getLocalPort(),
                        "BANNER", banner.getLocalPort()));
        long before;
        boolean closed = false;
        try (Socket s = new Socket()) {
            s.connect(own.listener("echo"), 2000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write(1);
            assertThat(s.getInputStream().read()).isEqualTo(1);
            assertThat(SpliceRelay.relays()).isEqualTo(relays0 + 1);
            before = openFds();
            own.close();
            closed = true;
            int r;
            try {
                r = s.getInputStream().read();
            } catch (SocketException reset) {
                r = -1;
            }
            assertThat(r).isEqualTo(-1);
        } finally {
            if (!closed) {
                own.close();
            }
        }
        // The proxy's two sockets, four pipe ends, its listeners and event loop are gone.
        assertThat(openFds()).isLessThan(before - 6);
    }

    static void echoOnce(String path) throws Exception {
        try (Socket s = connect(path, "echo")) {
            s.getOutputStream().write(new byte[100_000]);
            assertThat(s.getInputStream().readNBytes(100_000)).hasSize(100_000);
            s.shutdownOutput();
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
    }

    static long openFds() throws IOException {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }
}
