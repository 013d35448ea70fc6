package dev.trellis.proxy.log;

import java.io.PrintStream;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The process-wide logging configuration: a root level, levels for logger-name prefixes, and where lines go.
 *
 * <p>The configuration is one immutable {@link Levels} value swapped whole, so a logger's level check is a volatile
 * read and a comparison; each {@link Log} caches its resolved level against the value it was resolved from.
 */
public final class Logging {
    /** The admin's names for the prefixes it controls, beside the root. */
    public static final Map<String, String> GROUPS =
            Map.of("trellis", "dev.trellis", "netty", "io.netty", "grpc", "io.grpc");

    private static volatile Levels levels = Levels.defaults(LogLevel.INFO);
    private static volatile Consumer<String> sink = Logging::toStderr;
    private static final CopyOnWriteArrayList<Runnable> listeners = new CopyOnWriteArrayList<>();

    private Logging() {}

    /**
     * Levels by logger-name prefix ({@code "io.netty"} covers {@code io.netty.channel.X}); the longest matching prefix
     * wins, else {@code root}.
     */
    public record Levels(LogLevel root, Map<String, LogLevel> prefixes) {
        public Levels {
            prefixes = Map.copyOf(prefixes);
        }

        /** {@code root} for the proxy, and warnings only from the libraries, whose info lines are noise to operators. */
        public static Levels defaults(LogLevel root) {
            LogLevel libraries = root.compareTo(LogLevel.WARNING) > 0 ? root : LogLevel.WARNING;
            return new Levels(root, Map.of("io.netty", libraries, "io.grpc", libraries));
        }

        public LogLevel levelOf(String name) {
            LogLevel best = root;
            int bestLength = -1;
            for (var e : prefixes.entrySet()) {
                String p = e.getKey();
                if (p.length() > bestLength
                        && name.startsWith(p)
                        && (name.length() == p.length() || name.charAt(p.length()) == '.')) {
                    best = e.getValue();
                    bestLength = p.length();
                }
            }
            return best;
        }

        public Levels with(String prefix, LogLevel level) {
            var m = new TreeMap<>(prefixes);
            m.put(prefix, level);
            return new Levels(root, m);
        }
    }

    public static Levels levels() {
        return levels;
    }

    public static void setLevels(Levels next) {
        levels = next;
        for (Runnable r : listeners) {
            r.run();
        }
    }

    /** Sets every level, root and prefixes alike (Envoy's {@code /logging?level=}). */
    public static void setAll(LogLevel level) {
        var m = new TreeMap<String, LogLevel>();
        for (String p : levels.prefixes().keySet()) {
            m.put(p, level);
        }
        for (String p : GROUPS.values()) {
            m.put(p, level);
        }
        setLevels(new Levels(level, m));
    }

    /** Called after every level change (the java.util.logging bridge mirrors the levels). */
    static void onChange(Runnable r) {
        listeners.add(r);
    }

    /** Where formatted lines go (each ends with a newline); stderr unless a test captures them. */
    public static void setSink(Consumer<String> lines) {
        sink = lines == null ? Logging::toStderr : lines;
    }

    static void write(String line) {
        sink.accept(line);
    }

    private static void toStderr(String line) {
        PrintStream err = System.err;
        // One print call per record: PrintStream serialises calls, so lines from several threads never interleave.
        err.print(line);
        err.flush();
    }
}
