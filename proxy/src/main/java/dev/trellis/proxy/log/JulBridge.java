package dev.trellis.proxy.log;

import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Brings java.util.logging's records (gRPC's and the xDS client's) into {@link Log}, and keeps java.util.logging's
 * levels equal to ours so libraries skip building records nobody will see. Installed when the proxy starts its xDS
 * client, off the way to ready of a static bootstrap.
 */
public final class JulBridge {
    private static boolean installed;

    private JulBridge() {}

    public static synchronized void install() {
        if (installed) {
            return;
        }
        installed = true;
        Logger root = Logger.getLogger("");
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h);
        }
        root.addHandler(new Forward());
        mirrorLevels();
        Logging.onChange(JulBridge::mirrorLevels);
    }

    private static void mirrorLevels() {
        Logging.Levels levels = Logging.levels();
        Logger.getLogger("").setLevel(toJul(levels.root()));
        for (var e : levels.prefixes().entrySet()) {
            Logger.getLogger(e.getKey()).setLevel(toJul(e.getValue()));
        }
    }

    static Level toJul(LogLevel level) {
        return switch (level) {
            case TRACE -> Level.FINEST;
            case DEBUG -> Level.FINE;
            case INFO -> Level.INFO;
            case WARNING -> Level.WARNING;
            case ERROR -> Level.SEVERE;
            case OFF -> Level.OFF;
        };
    }

    static LogLevel fromJul(Level level) {
        int v = level.intValue();
        if (v >= Level.SEVERE.intValue()) {
            return LogLevel.ERROR;
        } else if (v >= Level.WARNING.intValue()) {
            return LogLevel.WARNING;
        } else if (v >= Level.CONFIG.intValue()) {
            return LogLevel.INFO;
        } else if (v >= Level.FINE.intValue()) {
            return LogLevel.DEBUG;
        }
        return LogLevel.TRACE;
    }

    private static final class Forward extends Handler {
        // Only for formatMessage: parameters ({0}) and resource bundles, as java.util.logging's own formatters do.
        private final Formatter messages = new Formatter() {
            @Override
            public String format(LogRecord r) {
                return formatMessage(r);
            }
        };

        @Override
        public void publish(LogRecord r) {
            if (r == null) {
                return;
            }
            Log.named(r.getLoggerName()).log(fromJul(r.getLevel()), messages.formatMessage(r), r.getThrown());
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    }
}
