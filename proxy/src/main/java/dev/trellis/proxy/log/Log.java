package dev.trellis.proxy.log;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * A named logger. Cheap to keep in a static field; the level check on the hot path is a volatile read and an integer
 * comparison.
 *
 * <p>Lines look like {@code 2026-11-27T16:41:29.803Z INFO dev.trellis.proxy.server.ProxyServer: message}, times in
 * UTC: formatted by hand, because the JDK's formatters load the time-zone database and locale data on first use.
 */
public final class Log {
    private final String name;
    private volatile Resolved resolved = new Resolved(null, LogLevel.INFO);

    private record Resolved(Logging.Levels from, LogLevel level) {}

    private Log(String name) {
        this.name = name;
    }

    public static Log of(Class<?> owner) {
        return new Log(owner.getName());
    }

    public static Log named(String name) {
        return new Log(name == null ? "" : name);
    }

    public String name() {
        return name;
    }

    /** The level records must reach to be written. */
    public LogLevel level() {
        Logging.Levels now = Logging.levels();
        Resolved r = resolved;
        if (r.from() != now) {
            r = new Resolved(now, now.levelOf(name));
            resolved = r;
        }
        return r.level();
    }

    public boolean enabled(LogLevel level) {
        return level != LogLevel.OFF && level.compareTo(level()) >= 0;
    }

    public void log(LogLevel level, String message, Throwable thrown) {
        if (enabled(level)) {
            Logging.write(format(System.currentTimeMillis(), level, name, message, thrown));
        }
    }

    public void error(String message) {
        log(LogLevel.ERROR, message, null);
    }

    public void error(String message, Throwable thrown) {
        log(LogLevel.ERROR, message, thrown);
    }

    public void warn(String message) {
        log(LogLevel.WARNING, message, null);
    }

    public void warn(String message, Throwable thrown) {
        log(LogLevel.WARNING, message, thrown);
    }

    public void info(String message) {
        log(LogLevel.INFO, message, null);
    }

    public void debug(String message) {
        log(LogLevel.DEBUG, message, null);
    }

    public void debug(String message, Throwable thrown) {
        log(LogLevel.DEBUG, message, thrown);
    }

    public void trace(String message) {
        log(LogLevel.TRACE, message, null);
    }

    static String format(long epochMillis, LogLevel level, String name, String message, Throwable thrown) {
        StringBuilder sb = new StringBuilder(64 + name.length() + (message == null ? 4 : message.length()));
        LocalDateTime t = LocalDateTime.ofEpochSecond(
                Math.floorDiv(epochMillis, 1000), (int) Math.floorMod(epochMillis, 1000) * 1_000_000, ZoneOffset.UTC);
        pad(sb, t.getYear(), 4).append('-');
        pad(sb, t.getMonthValue(), 2).append('-');
        pad(sb, t.getDayOfMonth(), 2).append('T');
        pad(sb, t.getHour(), 2).append(':');
        pad(sb, t.getMinute(), 2).append(':');
        pad(sb, t.getSecond(), 2).append('.');
        pad(sb, (int) Math.floorMod(epochMillis, 1000), 3).append("Z ");
        sb.append(level.name()).append(' ').append(name).append(": ").append(message);
        sb.append(System.lineSeparator());
        if (thrown != null) {
            StringWriter w = new StringWriter();
            thrown.printStackTrace(new PrintWriter(w));
            sb.append(w);
        }
        return sb.toString();
    }

    private static StringBuilder pad(StringBuilder sb, int value, int width) {
        String s = Integer.toString(value);
        for (int i = s.length(); i < width; i++) {
            sb.append('0');
        }
        return sb.append(s);
    }
}
