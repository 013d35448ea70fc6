package dev.trellis.control.testing;

import dev.trellis.api.model.Resource;
import dev.trellis.control.config.ConfigController;
import dev.trellis.control.config.ConfigWatcher;
import dev.trellis.control.config.IstioFiles;
import dev.trellis.control.model.MeshSettings;
import dev.trellis.control.push.Environment;
import dev.trellis.control.push.PushContext;
import dev.trellis.control.registry.AggregateRegistry;
import dev.trellis.control.registry.MemoryRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** A mesh loaded from a test resource directory through the real loader and translation, frozen as a PushContext. */
public final class ConfigMesh {

    private ConfigMesh() {}

    public static Path dir(String name) {
        return Path.of("src/test/resources/meshes", name);
    }

    public static PushContext load(String name, MeshSettings mesh) throws IOException {
        List<Resource<?>> all = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir(name))) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path f : files) {
            ConfigWatcher.FileLoad l = IstioFiles.load(f);
            if (!l.errors().isEmpty()) {
                throw new IllegalStateException("test mesh " + name + " is invalid: " + l.errors());
            }
            all.addAll(l.resources());
        }
        MemoryRegistry registry = new MemoryRegistry("config");
        ConfigController controller = new ConfigController(mesh, registry, () -> {}, Map::of);
        controller.apply(all);
        AggregateRegistry agg = new AggregateRegistry();
        agg.add(registry);
        PushContext push = new Environment(mesh, agg, controller::routing, controller::errors).snapshot();
        if (!push.errors().isEmpty()) {
            throw new IllegalStateException("test mesh " + name + " has errors: " + push.errors());
        }
        return push;
    }
}
