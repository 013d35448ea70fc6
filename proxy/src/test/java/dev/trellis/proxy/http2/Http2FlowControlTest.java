package dev.trellis.proxy.http2;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.proxy.server.ProxyServer;
import dev.trellis.proxy.testing.ProxyHarness;
import dev.trellis.testing.LeakCheck;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * End-to-end HTTP/2 flow control: with a reader that does not read, the writer on the other side of the proxy is held
 * back by windows, so the proxy holds a bounded amount of a large body (about a window on each side), and the whole
 * body arrives intact once the reader reads.
 */
@ExtendWith(LeakCheck.class)
class Http2FlowControlTest {
    static final long BODY = 4L * 1024 * 1024;
    /** Generous: two 64 KiB windows, the stream channels' write buffers and a read batch are far below it. */
    static final long BOUND = 1024 * 1024;

    static final String SMALL_WINDOWS = "initial_stream_window_size: 65535, initial_connection_window_size: 65535";

    @TempDir
    Path dir;

    private ProxyHarness proxy(H2Upstream up) {
        return ProxyHarness.start(
                Http2ProxyTest.bootstrap(
                        "http2_protocol_options: { " + SMALL_WINDOWS + " }",
                        SMALL_WINDOWS,
                        "",
                        up.port(),
                        dir.resolve("access.log")),
                Map.of(),
                new ProxyServer.Options(1, 10_000));
    }

    /** Waits until {@code progress} has not moved for 300 ms (bounded), and returns it. */
    private static long stalled(LongSupplier progress) throws InterruptedException {
        long last = -1;
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < end) {
            long now = progress.getAsLong();
            if (now == last && now > 0) {
                return now;
            }
            last = now;
            Thread.sleep(300);
        }
        throw new AssertionError("the transfer did not stall: " + last + " bytes");
    }

    @Test
    void aSlowUpstreamReaderHoldsBackTheClientsUpload() throws Exception {
        try (H2Upstream up = new H2Upstream(null, 0);
                ProxyHarness proxy = proxy(up);
                H2Client client = new H2Client(proxy.listener("h2"))) {
            CRC32 crc = new CRC32();
            var upload = client.upload("/slow-read", BODY, crc);
            long sent = stalled(upload.sent::get);
            System.out.println("flow control: the client could send " + sent + " of " + BODY
                    + " bytes while the upstream read nothing (upstream holds " + up.receivedBytes() + ")");
            assertThat(sent)
                    .as("bytes the client could send while the upstream reads nothing")
                    .isLessThan(BOUND);
            assertThat(upload.done).isNotDone();
            up.startReading();
            try {
                upload.done.get(60, TimeUnit.SECONDS); // 64 KiB windows: slow on a loaded machine
            } catch (java.util.concurrent.TimeoutException e) {
                throw new AssertionError("stalled: client sent " + upload.sent.get() + ", upstream received "
                        + up.receivedBytes() + ", " + upload);
            }
            assertThat(upload.status()).isEqualTo("200");
            assertThat(upload.bodyText()).isEqualTo("len=" + BODY + " crc=" + crc.getValue());
        }
    }

    @Test
    void aSlowClientReaderHoldsBackTheUpstreamsResponse() throws Exception {
        try (H2Upstream up = new H2Upstream(null, 0);
                ProxyHarness proxy = proxy(up);
                H2Client client = new H2Client(proxy.listener("h2"))) {
            H2Client.Exchange x = new H2Client.Exchange();
            x.keepBody = false;
            client.open(x, "GET", "/big?n=" + BODY, Map.of(), s -> s.config().setAutoRead(false), null);
            long sent = stalled(up::sentBytes);
            System.out.println("flow control: the upstream could send " + sent + " of " + BODY
                    + " bytes while the client read nothing");
            assertThat(sent)
                    .as("bytes the upstream could send while the client reads nothing")
                    .isLessThan(BOUND);
            assertThat(x.bodyBytes.get()).isZero();
            x.stream.eventLoop().execute(() -> x.stream.config().setAutoRead(true));
            try {
                x.done.get(60, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new AssertionError(
                        "stalled: upstream sent " + up.sentBytes() + ", client received " + x.bodyBytes.get() + " "
                                + x + " autoRead=" + x.stream.config().isAutoRead() + " active="
                                + x.stream.isActive() + " paths=" + up.paths);
            }
            assertThat(x.status()).isEqualTo("200");
            assertThat(x.bodyBytes.get()).isEqualTo(BODY);
            assertThat(up.sentBytes()).isEqualTo(BODY);
        }
    }
}
