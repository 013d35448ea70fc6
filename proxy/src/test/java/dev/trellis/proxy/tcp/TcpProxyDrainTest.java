package dev.trellis.proxy.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.proxy.bootstrap.BootstrapLoader;
import dev.trellis.proxy.server.ProxyServer;
import dev.trellis.proxy.testing.LoopbackServer;
import dev.trellis.proxy.testing.ProxyHarness;
import dev.trellis.testing.LeakCheck;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Envoy's tcp_proxy does not drain gracefully: when its listener is updated or removed, its connections keep relaying
 * through the drain time and are closed when it ends.
 */
@ExtendWith(LeakCheck.class)
class TcpProxyDrainTest {
    static final String BOOTSTRAP = """
            static_resources:
              listeners:
              - name: tcp
                address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
                filter_chains:
                - filters:
                  - name: tcp
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                      stat_prefix: tcp
                      cluster: echo
              clusters:
              - name: echo
                type: STATIC
                connect_timeout: 1s
                load_assignment:
                  cluster_name: echo
                  endpoints: [ { lb_endpoints: [ { endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${ECHO} } } } } ] } ]
            """;

    @Test
    void aRemovedListenersConnectionsRelayUntilTheDrainTimeEnds() throws Exception {
        try (ServerSocket echo = LoopbackServer.echo()) {
            String yaml = BOOTSTRAP.replace("${ECHO}", Integer.toString(echo.getLocalPort()));
            Listener listener =
                    BootstrapLoader.parse(yaml, "b.yaml").getStaticResources().getListeners(0);
            String clustersOnly =
                    yaml.substring(0, yaml.indexOf("  listeners:")) + yaml.substring(yaml.indexOf("  clusters:"));
            try (ProxyHarness proxy = ProxyHarness.start(clustersOnly, Map.of(), new ProxyServer.Options(1, 1500))) {
                proxy.server.listeners().addOrUpdate(List.of(listener), "v1");
                try (Socket s = new Socket()) {
                    s.connect(proxy.listener("tcp"), 2000);
                    s.setSoTimeout(5000);
                    roundTrip(s, "before");
                    long removed = System.nanoTime();
                    proxy.server.listeners().retainOnly(Set.of());
                    // Draining has started: the connection still relays.
                    Thread.sleep(200);
                    roundTrip(s, "while draining");
                    // ... and is closed when the drain time ends.
                    assertThat(s.getInputStream().read()).isEqualTo(-1);
                    assertThat((System.nanoTime() - removed) / 1_000_000).isGreaterThanOrEqualTo(1400);
                }
            }
        }
    }

    private static void roundTrip(Socket s, String text) throws Exception {
        s.getOutputStream().write(text.getBytes());
        InputStream in = s.getInputStream();
        assertThat(new String(in.readNBytes(text.length()))).isEqualTo(text);
    }
}
