package dev.trellis.proxy.tcp;

import dev.trellis.proxy.bootstrap.BootstrapLoader;
import dev.trellis.proxy.server.ProxyServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Loopback throughput of tcp_proxy, run by hand (not a test): a child JVM runs the proxy pinned to one core; this JVM
 * pushes a fixed number of bytes through it to a discarding upstream over 1 and 16 connections and reads the proxy's
 * CPU time from {@code /proc/<pid>/stat}.
 *
 * <pre>
 * cd /work/main &amp;&amp; . scripts/java-home.sh
 * ./mvnw -B -q -pl proxy dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * CP=proxy/target/classes:proxy/target/test-classes:$(cat /tmp/cp.txt)
 * taskset -c 0 java -cp $CP dev.trellis.proxy.tcp.TcpRelayBench 2048 1 true   # MiB, proxy core, splice on/off
 * </pre>
 */
public final class TcpRelayBench {
    private TcpRelayBench() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("proxy")) {
            proxy(Integer.parseInt(args[1]));
            return;
        }
        long mib = args.length > 0 ? Long.parseLong(args[0]) : 2048;
        String core = args.length > 1 ? args[1] : "1";
        String splice = args.length > 2 ? args[2] : "true";
        long total = mib << 20;

        ServerSocketChannel sink = ServerSocketChannel.open();
        sink.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        ExecutorService pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r);
            t.setDaemon(true);
            return t;
        });
        pool.submit(() -> {
            while (sink.isOpen()) {
                SocketChannel s = sink.accept();
                pool.submit(() -> {
                    ByteBuffer b = ByteBuffer.allocateDirect(1 << 18);
                    try (s) {
                        while (s.read(b) >= 0) {
                            b.clear();
                        }
                    }
                    return null;
                });
            }
            return null;
        });

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(
                "taskset",
                "-c",
                core,
                java,
                "--enable-native-access=ALL-UNNAMED",
                "-XX:+UseSerialGC",
                "-Dtrellis.tcp.splice=" + splice,
                "-Dtrellis.tcp.splice.pipe-bytes=" + Integer.getInteger("trellis.tcp.splice.pipe-bytes", 0),
                "-cp",
                System.getProperty("java.class.path"),
                TcpRelayBench.class.getName(),
                "proxy",
                String.valueOf(((InetSocketAddress) sink.getLocalAddress()).getPort())));
        Process proc = new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        BufferedReader out = new BufferedReader(new InputStreamReader(proc.getInputStream(), StandardCharsets.UTF_8));
        int port = Integer.parseInt(out.readLine().trim());
        InetSocketAddress proxy = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        try {
            run(proxy, 64L << 20, 1, proc.pid(), pool); // warm-up
            for (int conns : new int[] {1, 16}) {
                for (int rep = 0; rep < 2; rep++) {
                    double[] r = run(proxy, total, conns, proc.pid(), pool);
                    System.out.printf(
                            "splice=%s conns=%d bytes=%d MiB: %.0f MB/s, proxy CPU %.2f s (%.2f s/GiB)%n",
                            splice, conns, mib, r[0], r[1], r[1] / (total / (double) (1L << 30)));
                }
            }
        } finally {
            proc.destroy();
            proc.waitFor();
            sink.close();
        }
    }

    private static double[] run(InetSocketAddress proxy, long total, int conns, long pid, ExecutorService pool)
            throws Exception {
        long cpu0 = cpuTicks(pid);
        long t0 = System.nanoTime();
        List<Future<?>> fs = new ArrayList<>();
        for (int i = 0; i < conns; i++) {
            long share = total / conns;
            fs.add(pool.submit(() -> {
                ByteBuffer b = ByteBuffer.allocateDirect(1 << 18);
                try (SocketChannel c = SocketChannel.open(proxy)) {
                    long left = share;
                    while (left > 0) {
                        b.clear().limit((int) Math.min(b.capacity(), left));
                        left -= c.write(b);
                    }
                    c.shutdownOutput();
                    // The proxy relays our FIN; the upstream closes; the proxy closes us: all bytes went through.
                    c.read(ByteBuffer.allocate(1));
                }
                return null;
            }));
        }
        for (Future<?> f : fs) {
            f.get();
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        double cpu = (cpuTicks(pid) - cpu0) / 100.0;
        return new double[] {total / secs / 1e6, cpu};
    }

    /** utime + stime of a process, in clock ticks (100 per second on Linux). */
    private static long cpuTicks(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    private static void proxy(int upstreamPort) throws Exception {
        String yaml = """
                static_resources:
                  listeners:
                  - name: tcp
                    address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
                    filter_chains:
                    - filters:
                      - name: tcp
                        typed_config:
                          "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                          stat_prefix: bench
                          cluster: sink
                  clusters:
                  - name: sink
                    type: STATIC
                    connect_timeout: 1s
                    load_assignment:
                      cluster_name: sink
                      endpoints: [ { lb_endpoints: [ { endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: PORT } } } } ] } ]
                """.replace("PORT", String.valueOf(upstreamPort));
        ProxyServer server =
                new ProxyServer(BootstrapLoader.parse(yaml, "bench.yaml"), new ProxyServer.Options(1, 0)).start();
        System.out.println(server.listenerAddress("tcp").getPort());
        System.out.flush();
        // Runs until the parent destroys this process.
        Thread.sleep(Long.MAX_VALUE);
    }
}
