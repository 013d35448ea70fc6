package dev.trellis.proxy.log;

import io.netty.util.internal.logging.AbstractInternalLogger;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

/**
 * Netty's loggers, writing through {@link Log}. Installed before Netty's first class loads: Netty's own default
 * probes for SLF4J and Log4J, and its java.util.logging adapter would start java.util.logging (see the package doc).
 */
public final class NettyLogFactory extends InternalLoggerFactory {
    public static final NettyLogFactory INSTANCE = new NettyLogFactory();

    private NettyLogFactory() {}

    /** Makes Netty log here; call before any Netty class is used. */
    public static void install() {
        InternalLoggerFactory.setDefaultFactory(INSTANCE);
    }

    @Override
    protected InternalLogger newInstance(String name) {
        return new NettyLogger(Log.named(name));
    }

    /** SLF4J-style {@code {}} placeholders, as Netty writes its messages; a trailing Throwable is the cause. */
    static String format(String format, Object[] args, Throwable[] cause) {
        int n = args.length;
        if (n > 0 && args[n - 1] instanceof Throwable t) {
            cause[0] = t;
            n--;
        }
        if (format == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder(format.length() + 16 * n);
        int from = 0;
        int used = 0;
        while (used < n) {
            int at = format.indexOf("{}", from);
            if (at < 0) {
                break;
            }
            sb.append(format, from, at).append(args[used++]);
            from = at + 2;
        }
        return sb.append(format, from, format.length()).toString();
    }

    /**
     * Netty's per-level calls, mapped onto {@link Log}; {@link AbstractInternalLogger} turns the level-generic calls
     * ({@code log(InternalLogLevel, ...)}, {@code warn(Throwable)}, ...) into these.
     */
    private static final class NettyLogger extends AbstractInternalLogger {
        private final Log log;

        NettyLogger(Log log) {
            super(log.name());
            this.log = log;
        }

        private void emit(LogLevel level, String format, Object... args) {
            if (log.enabled(level)) {
                Throwable[] cause = new Throwable[1];
                String msg = format(format, args, cause);
                log.log(level, msg, cause[0]);
            }
        }

        @Override
        public boolean isTraceEnabled() {
            return log.enabled(LogLevel.TRACE);
        }

        @Override
        public void trace(String msg) {
            log.log(LogLevel.TRACE, msg, null);
        }

        @Override
        public void trace(String format, Object arg) {
            emit(LogLevel.TRACE, format, arg);
        }

        @Override
        public void trace(String format, Object a, Object b) {
            emit(LogLevel.TRACE, format, a, b);
        }

        @Override
        public void trace(String format, Object... args) {
            emit(LogLevel.TRACE, format, args);
        }

        @Override
        public void trace(String msg, Throwable t) {
            log.log(LogLevel.TRACE, msg, t);
        }

        @Override
        public boolean isDebugEnabled() {
            return log.enabled(LogLevel.DEBUG);
        }

        @Override
        public void debug(String msg) {
            log.log(LogLevel.DEBUG, msg, null);
        }

        @Override
        public void debug(String format, Object arg) {
            emit(LogLevel.DEBUG, format, arg);
        }

        @Override
        public void debug(String format, Object a, Object b) {
            emit(LogLevel.DEBUG, format, a, b);
        }

        @Override
        public void debug(String format, Object... args) {
            emit(LogLevel.DEBUG, format, args);
        }

        @Override
        public void debug(String msg, Throwable t) {
            log.log(LogLevel.DEBUG, msg, t);
        }

        @Override
        public boolean isInfoEnabled() {
            return log.enabled(LogLevel.INFO);
        }

        @Override
        public void info(String msg) {
            log.log(LogLevel.INFO, msg, null);
        }

        @Override
        public void info(String format, Object arg) {
            emit(LogLevel.INFO, format, arg);
        }

        @Override
        public void info(String format, Object a, Object b) {
            emit(LogLevel.INFO, format, a, b);
        }

        @Override
        public void info(String format, Object... args) {
            emit(LogLevel.INFO, format, args);
        }

        @Override
        public void info(String msg, Throwable t) {
            log.log(LogLevel.INFO, msg, t);
        }

        @Override
        public boolean isWarnEnabled() {
            return log.enabled(LogLevel.WARNING);
        }

        @Override
        public void warn(String msg) {
            log.log(LogLevel.WARNING, msg, null);
        }

        @Override
        public void warn(String format, Object arg) {
            emit(LogLevel.WARNING, format, arg);
        }

        @Override
        public void warn(String format, Object a, Object b) {
            emit(LogLevel.WARNING, format, a, b);
        }

        @Override
        public void warn(String format, Object... args) {
            emit(LogLevel.WARNING, format, args);
        }

        @Override
        public void warn(String msg, Throwable t) {
            log.log(LogLevel.WARNING, msg, t);
        }

        @Override
        public boolean isErrorEnabled() {
            return log.enabled(LogLevel.ERROR);
        }

        @Override
        public void error(String msg) {
            log.log(LogLevel.ERROR, msg, null);
        }

        @Override
        public void error(String format, Object arg) {
            emit(LogLevel.ERROR, format, arg);
        }

        @Override
        public void error(String format, Object a, Object b) {
            emit(LogLevel.ERROR, format, a, b);
        }

        @Override
        public void error(String format, Object... args) {
            emit(LogLevel.ERROR, format, args);
        }

        @Override
        public void error(String msg, Throwable t) {
            log.log(LogLevel.ERROR, msg, t);
        }
    }
}
