package dev.trellis.proxy.tcp;

import dev.trellis.proxy.testing.ProxyHarness;
import java.io.IOException;
import java.net.Socket;
import java.util.function.Function;

/**
 * One bootstrap started twice, so each tcp_proxy test runs on both relay paths: {@code "splice"} (epoll, zero copy)
 * and {@code "copy"} (the NIO transport, a real case where splice cannot apply, so the relay copies through Netty
 * buffers).
 */
record RelayPaths(ProxyHarness spliced, ProxyHarness copied) implements AutoCloseable {

    /** {@code vars} gives each path's template variables ("splice" or "copy"). */
    static RelayPaths start(String bootstrap, Function<String, java.util.Map<String, Object>> vars) {
        ProxyHarness spliced = ProxyHarness.start(bootstrap, vars.apply("splice"));
        System.setProperty("trellis.nio", "true");
        try {
            return new RelayPaths(spliced, ProxyHarness.start(bootstrap, vars.apply("copy")));
        } catch (RuntimeException e) {
            spliced.close();
            throw e;
        } finally {
            System.clearProperty("trellis.nio");
        }
    }

    ProxyHarness proxy(String path) {
        return path.equals("splice") ? spliced : copied;
    }

    /** A client socket to {@code listener} on that path's proxy, with a read timeout that bounds every test. */
    Socket connect(String path, String listener) throws IOException {
        Socket s = new Socket();
        s.connect(proxy(path).listener(listener), 2000);
        s.setSoTimeout(10_000);
        return s;
    }

    @Override
    public void close() {
        spliced.close();
        copied.close();
    }
}
