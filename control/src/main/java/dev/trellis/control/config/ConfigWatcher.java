package dev.trellis.control.config;

import dev.trellis.api.model.Resource;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Watches a config directory recursively and keeps, per file, the last version that loaded cleanly. A file is loaded
 * on its own, so an invalid file is rejected (its diagnostics logged, counted and kept for the debug endpoints) while
 * the last good version of its resources keeps serving and no other file is affected. A removed file's resources go
 * away. Changes are noticed through the file system's watch service, with a periodic rescan as a safety net; either
 * way a change is applied well within a second.
 */
public final class ConfigWatcher implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ConfigWatcher.class.getName());
    private static final long RESCAN_MS = 2_000;
    private static final long SETTLE_MS = 50;

    /**
     * What loading one file gave: its resources, and the errors that reject it (formatted as {@code trellis validate}
     * prints them: file, line, resource, field, message). Any error rejects the whole file.
     */
    public record FileLoad(List<Resource<?>> resources, List<String> errors) {
        public FileLoad {
            resources = List.copyOf(resources);
            errors = List.copyOf(errors);
        }
    }

    /** The state of one file. */
    public record FileState(
            String hash, List<Resource<?>> good, List<String> errors, Instant loadedAt, boolean accepted) {}

    private final Path root;
    private final Function<Path, FileLoad> loader;
    private final Consumer<List<Resource<?>>> onChange;
    private final Map<Path, FileState> files = new TreeMap<>();
    private final AtomicLong rejectedLoads = new AtomicLong();
    private final AtomicLong acceptedLoads = new AtomicLong();
    private WatchService watch;
    private Thread thread;
    private volatile boolean running;

    /**
     * @param loader loads one file (the api module's {@code ConfigLoader}, adapted)
     * @param onChange receives every resource from every file's last good version, after each change
     */
    public ConfigWatcher(Path root, Function<Path, FileLoad> loader, Consumer<List<Resource<?>>> onChange) {
        this.root = root;
        this.loader = loader;
        this.onChange = onChange;
    }

    /** Loads everything once, then watches until closed. */
    public synchronized ConfigWatcher start() throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IOException("config directory " + root + " does not exist or is not a directory");
        }
        watch = FileSystems.getDefault().newWatchService();
        registerAll(root);
        rescan();
        running = true;
        thread = new Thread(this::loop, "trellis-config-watch");
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    private void registerAll(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path d : s.filter(Files::isDirectory).toList()) {
                d.register(
                        watch,
                        StandardWatchEventKinds.ENTRY_CREATE,
                        StandardWatchEventKinds.ENTRY_MODIFY,
                        StandardWatchEventKinds.ENTRY_DELETE);
            }
        }
    }

    private void loop() {
        long lastScan = System.currentTimeMillis();
        while (running) {
            try {
                WatchKey key = watch.poll(RESCAN_MS, TimeUnit.MILLISECONDS);
                if (key != null) {
                    key.pollEvents();
                    key.reset();
                    // Editors write in several steps: let them finish, then take everything that queued up.
                    Thread.sleep(SETTLE_MS);
                    WatchKey more;
                    while ((more = watch.poll()) != null) {
                        more.pollEvents();
                        more.reset();
                    }
                    registerAll(root);
                    rescan();
                    lastScan = System.currentTimeMillis();
                } else if (System.currentTimeMillis() - lastScan >= RESCAN_MS) {
                    rescan();
                    lastScan = System.currentTimeMillis();
                }
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            } catch (IOException | RuntimeException e) {
                LOG.warning("config watch: " + e);
            }
        }
    }

    /** Reloads files whose content changed; notifies if anything did. Public for tests and the first load. */
    public synchronized void rescan() throws IOException {
        List<Path> present;
        try (Stream<Path> s = Files.walk(root)) {
            present = s.filter(Files::isRegularFile)
                    .filter(ConfigWatcher::isConfigFile)
                    .sorted()
                    .toList();
        }
        boolean changed = files.keySet().retainAll(new java.util.HashSet<>(present));
        for (Path p : present) {
            byte[] content;
            try {
                content = Files.readAllBytes(p);
            } catch (IOException e) {
                continue; // Deleted between listing and reading; the next scan settles it.
            }
            String hash = hash(content);
            FileState old = files.get(p);
            if (old != null && old.hash().equals(hash)) {
                continue;
            }
            FileLoad r = loader.apply(p);
            List<String> errors = r.errors();
            if (errors.isEmpty()) {
                files.put(p, new FileState(hash, r.resources(), List.of(), Instant.now(), true));
                acceptedLoads.incrementAndGet();
                changed = true;
            } else {
                List<Resource<?>> keep = old == null ? List.of() : old.good();
                files.put(p, new FileState(hash, keep, errors, Instant.now(), false));
                rejectedLoads.incrementAndGet();
                errors.forEach(e -> LOG.warning("rejected " + root.relativize(p) + ": " + e));
                LOG.warning(
                        "keeping the last good version of " + root.relativize(p) + " (" + keep.size() + " resources)");
            }
        }
        if (changed) {
            onChange.accept(resources());
        }
    }

    static boolean isConfigFile(Path p) {
        String n = p.getFileName().toString();
        return !n.startsWith(".") && (n.endsWith(".yaml") || n.endsWith(".yml") || n.endsWith(".json"));
    }

    private static String hash(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every resource from every file's last good version, in file order. */
    public synchronized List<Resource<?>> resources() {
        List<Resource<?>> all = new ArrayList<>();
        files.values().forEach(f -> all.addAll(f.good()));
        return all;
    }

    /** Current errors per file (relative path), only files whose latest version was rejected. */
    public synchronized Map<String, List<String>> errors() {
        Map<String, List<String>> out = new TreeMap<>();
        files.forEach((p, f) -> {
            if (!f.errors().isEmpty()) {
                out.put(root.relativize(p).toString(), f.errors());
            }
        });
        return out;
    }

    public synchronized Map<Path, FileState> files() {
        return new TreeMap<>(files);
    }

    /** Files rejected since start (each rejected version counts once). */
    public long rejectedLoads() {
        return rejectedLoads.get();
    }

    public long acceptedLoads() {
        return acceptedLoads.get();
    }

    public Path root() {
        return root;
    }

    @Override
    public void close() {
        running = false;
        if (thread != null) {
            thread.interrupt();
        }
        try {
            if (watch != null) {
                watch.close();
            }
        } catch (IOException ignored) {
            // closing
        }
    }
}
