package dev.trellis.proxy.testing;

import dev.trellis.proxy.bootstrap.BootstrapLoader;
import dev.trellis.proxy.server.ProxyServer;
import java.net.InetSocketAddress;
import java.util.Map;

/** Starts a proxy from a YAML bootstrap template ({@code ${NAME}} placeholders) on loopback with ports chosen by the OS. */
public final class ProxyHarness implements AutoCloseable {
    public final ProxyServer server;

    private ProxyHarness(ProxyServer server) {
        this.server = server;
    }

    public static ProxyHarness start(String yaml, Map<String, Object> vars) {
        return start(yaml, vars, new ProxyServer.Options(1, 200));
    }

    public static ProxyHarness start(String yaml, Map<String, Object> vars, ProxyServer.Options options) {
        String text = yaml;
        for (var e : vars.entrySet()) {
            text = text.replace("${" + e.getKey() + "}", String.valueOf(e.getValue()));
        }
        return new ProxyHarness(new ProxyServer(BootstrapLoader.parse(text, "test.yaml"), options).start());
    }

    public InetSocketAddress listener(String name) {
        return server.listenerAddress(name);
    }

    public String url(String listener, String path) {
        InetSocketAddress a = listener(listener);
        return "http://127.0.0.1:" + a.getPort() + path;
    }

    @Override
    public void close() {
        server.close();
    }
}
