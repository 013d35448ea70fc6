package dev.trellis.control.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.api.model.Resource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigWatcherTest {

    @TempDir
    Path dir;

    static String se(String name) {
        return """
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: %s, namespace: default}
                spec:
                  hosts: [%s.example.com]
                  resolution: DNS
                  ports: [{number: 80, name: http}]
                """.formatted(name, name);
    }

    @Test
    void watchesSubdirectoriesCreatedAfterStartAndIgnoresOtherFiles() throws Exception {
        LinkedBlockingQueue<List<Resource<?>>> changes = new LinkedBlockingQueue<>();
        Files.writeString(dir.resolve("a.yaml"), se("a"));
        try (ConfigWatcher w = new ConfigWatcher(dir, IstioFiles::load, changes::add).start()) {
            assertThat(changes.poll(5, TimeUnit.SECONDS)).hasSize(1);

            Path sub = Files.createDirectories(dir.resolve("team/nested"));
            Files.writeString(sub.resolve("b.yml"), se("b"));
            List<Resource<?>> next = changes.poll(5, TimeUnit.SECONDS);
            assertThat(next).extracting(Resource::name).containsExactlyInAnyOrder("a", "b");

            Files.writeString(sub.resolve("notes.txt"), "not config");
            Files.writeString(sub.resolve(".hidden.yaml"), se("hidden"));
            assertThat(changes.poll(500, TimeUnit.MILLISECONDS))
                    .as("no change for non-config files")
                    .isNull();

            Files.delete(sub.resolve("b.yml"));
            assertThat(changes.poll(5, TimeUnit.SECONDS))
                    .extracting(Resource::name)
                    .containsExactly("a");
            assertThat(w.rejectedLoads()).isZero();
        }
    }

    @Test
    void anInvalidFileKeepsItsLastGoodVersionAndDoesNotAffectOthers() throws Exception {
        LinkedBlockingQueue<List<Resource<?>>> changes = new LinkedBlockingQueue<>();
        Files.writeString(dir.resolve("a.yaml"), se("a"));
        Files.writeString(dir.resolve("b.yaml"), se("b"));
        try (ConfigWatcher w = new ConfigWatcher(dir, IstioFiles::load, changes::add).start()) {
            assertThat(changes.poll(5, TimeUnit.SECONDS)).hasSize(2);
            Files.writeString(
                    dir.resolve("b.yaml"),
                    "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\n"
                            + "metadata: {name: b, namespace: default}\nspec: {hosts: [b.example.com], ports: [{number: x}]}\n");
            for (int i = 0; i < 100 && w.errors().isEmpty(); i++) {
                Thread.sleep(20);
            }
            assertThat(w.errors()).containsOnlyKeys("b.yaml");
            assertThat(w.errors().get("b.yaml").getFirst()).contains("b.yaml:4");
            assertThat(w.resources()).extracting(Resource::name).containsExactlyInAnyOrder("a", "b");
            assertThat(w.rejectedLoads()).isEqualTo(1);

            Files.writeString(dir.resolve("a.yaml"), se("a2"));
            assertThat(changes.poll(5, TimeUnit.SECONDS))
                    .extracting(Resource::name)
                    .containsExactlyInAnyOrder("a2", "b");
        }
    }
}
