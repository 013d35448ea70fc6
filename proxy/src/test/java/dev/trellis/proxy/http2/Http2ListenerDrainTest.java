package dev.trellis.proxy.http2;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.proxy.bootstrap.BootstrapLoader;
import dev.trellis.proxy.server.ProxyServer;
import dev.trellis.proxy.testing.ProxyHarness;
import dev.trellis.testing.LeakCheck;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A listener updated or removed over LDS drains its HTTP/2 connections as Envoy does: GOAWAY (first with the largest
 * stream id, after drain_timeout with the last one), streams in flight finish, then the connection closes.
 */
@ExtendWith(LeakCheck.class)
class Http2ListenerDrainTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"update", "removal"})
    void aDrainedListenersStreamsFinish(String change) throws Exception {
        try (H2Upstream up = new H2Upstream(null, 1)) {
            String full = Http2ProxyTest.bootstrap("", "", "", up.port(), dir.resolve("access.log"));
            Listener listener = BootstrapLoader.parse(full, "full.yaml")
                    .getStaticResources()
                    .getListeners(0);
            // The same proxy without static listeners: the listener comes (and goes) over the LDS entry point.
            String clustersOnly =
                    full.substring(0, full.indexOf("  listeners:")) + full.substring(full.indexOf("  clusters:"));
            try (ProxyHarness proxy = ProxyHarness.start(clustersOnly, Map.of(), new ProxyServer.Options(1, 10_000))) {
                proxy.server.listeners().addOrUpdate(List.of(listener), "v1");
                try (H2Client client = new H2Client(proxy.listener("h2"))) {
                    var held = client.get("/hold");
                    assertThat(up.holdArrived.await(5, TimeUnit.SECONDS)).isTrue();
                    if (change.equals("update")) {
                        proxy.server
                                .listeners()
                                .addOrUpdate(
                                        List.of(listener.toBuilder()
                                                .setStatPrefix("v2")
                                                .build()),
                                        "v2");
                    } else {
                        proxy.server.listeners().retainOnly(Set.of());
                    }
                    Http2ProxyTest.await(() -> client.goAways.size() >= 2, "both GOAWAYs");
                    assertThat(client.goAways)
                            .containsExactly(
                                    Integer.MAX_VALUE, held.stream.stream().id());
                    assertThat(client.ch.isActive()).isTrue();
                    up.release();
                    held.done.get(5, TimeUnit.SECONDS);
                    assertThat(held.status()).isEqualTo("200");
                    assertThat(client.ch.closeFuture().await(5, TimeUnit.SECONDS))
                            .isTrue();
                }
            }
        }
    }

    @org.junit.jupiter.api.Test
    void aConnectionStillBusyAtTheEndOfTheDrainTimeIsClosed() throws Exception {
        try (H2Upstream up = new H2Upstream(null, 1)) {
            String full = Http2ProxyTest.bootstrap("", "", "", up.port(), dir.resolve("access.log"));
            Listener listener = BootstrapLoader.parse(full, "full.yaml")
                    .getStaticResources()
                    .getListeners(0);
            String clustersOnly =
                    full.substring(0, full.indexOf("  listeners:")) + full.substring(full.indexOf("  clusters:"));
            // A listener drain time of 0.6 s (the HCM's drain_timeout between the two GOAWAYs is 0.2 s).
            try (ProxyHarness proxy = ProxyHarness.start(clustersOnly, Map.of(), new ProxyServer.Options(1, 600))) {
                proxy.server.listeners().addOrUpdate(List.of(listener), "v1");
                try (H2Client client = new H2Client(proxy.listener("h2"))) {
                    var held = client.get("/hold");
                    assertThat(up.holdArrived.await(5, TimeUnit.SECONDS)).isTrue();
                    proxy.server.listeners().retainOnly(Set.of());
                    assertThat(client.ch.closeFuture().await(5, TimeUnit.SECONDS))
                            .as("closed at the end of the drain time, its stream unfinished")
                            .isTrue();
                    assertThat(client.goAways).startsWith(Integer.MAX_VALUE);
                    held.done.get(5, TimeUnit.SECONDS);
                    assertThat(held.status()).isNull();
                    up.release();
                }
            }
        }
    }
}
