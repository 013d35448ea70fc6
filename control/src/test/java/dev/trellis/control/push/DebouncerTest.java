package dev.trellis.control.push;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.control.xds.Debouncer;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;

class DebouncerTest {

    @Test
    void mergesABurstIntoOnePush() throws Exception {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try {
            List<PushRequest> pushes = new CopyOnWriteArrayList<>();
            Debouncer d = new Debouncer(Duration.ofMillis(100), Duration.ofSeconds(5), timer, pushes::add);
            d.submit(PushRequest.endpoints(Set.of("a")));
            d.submit(PushRequest.endpoints(Set.of("b")));
            d.submit(PushRequest.endpoints(Set.of("c")));
            for (int i = 0; i < 100 && pushes.isEmpty(); i++) {
                Thread.sleep(20);
            }
            Thread.sleep(200);
            assertThat(pushes).hasSize(1);
            assertThat(pushes.getFirst().full()).isFalse();
            assertThat(pushes.getFirst().hostnames()).containsExactlyInAnyOrder("a", "b", "c");
        } finally {
            timer.shutdownNow();
        }
    }

    @Test
    void aStreamOfChangesStillPushesByTheMaximumDelay() throws Exception {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try {
            List<PushRequest> pushes = new CopyOnWriteArrayList<>();
            Debouncer d = new Debouncer(Duration.ofMillis(200), Duration.ofMillis(300), timer, pushes::add);
            // A change every 50 ms never leaves a 200 ms quiet period; the 300 ms maximum forces pushes anyway.
            for (int i = 0; i < 30; i++) {
                d.submit(PushRequest.full("config"));
                Thread.sleep(50);
            }
            assertThat(pushes).isNotEmpty();
        } finally {
            timer.shutdownNow();
        }
    }

    @Test
    void mergeRules() {
        PushRequest eds = PushRequest.endpoints(Set.of("a"));
        assertThat(eds.merge(PushRequest.endpoints(Set.of("b"))).hostnames()).containsExactlyInAnyOrder("a", "b");
        assertThat(eds.merge(PushRequest.full("config")).full()).isTrue();
        assertThat(eds.merge(PushRequest.endpoints(Set.of())).allEndpoints()).isTrue();
        assertThat(eds.merge(PushRequest.full("config")).reasons()).containsExactlyInAnyOrder("endpoint", "config");
    }
}
