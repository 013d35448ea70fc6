package dev.trellis.proxy.accesslog;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.trellis.proxy.config.ConfigException;
import dev.trellis.proxy.config.Fields;
import io.envoyproxy.envoy.config.accesslog.v3.AccessLog;
import io.envoyproxy.envoy.config.core.v3.SubstitutionFormatString;
import io.envoyproxy.envoy.extensions.access_loggers.file.v3.FileAccessLog;
import io.envoyproxy.envoy.extensions.access_loggers.stream.v3.StderrAccessLog;
import io.envoyproxy.envoy.extensions.access_loggers.stream.v3.StdoutAccessLog;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Function;

/** Compiled access logs of one connection manager (or tcp_proxy), and the shared background writers. */
public final class AccessLogs {
    /** One log: a formatter and where its lines go. */
    public record Log(Function<LogEntry, String> formatter, Sink sink) {}

    private final List<Log> logs;

    private AccessLogs(List<Log> logs) {
        this.logs = logs;
    }

    public static final AccessLogs NONE = new AccessLogs(List.of());

    public boolean isEmpty() {
        return logs.isEmpty();
    }

    public void log(LogEntry e) {
        for (Log l : logs) {
            l.sink().offer(l.formatter().apply(e));
        }
    }

    public static AccessLogs compile(List<AccessLog> protos, String where) {
        if (protos.isEmpty()) {
            return NONE;
        }
        List<Log> logs = new ArrayList<>();
        for (int i = 0; i < protos.size(); i++) {
            AccessLog a = protos.get(i);
            String w = where + " access_log[" + i + "]";
            Fields.requireOnly(a, w, Set.of("name", "typed_config"));
            var any = a.getTypedConfig();
            try {
                if (dev.trellis.proxy.config.Fields.is(any, FileAccessLog.class)) {
                    FileAccessLog f = dev.trellis.proxy.config.Fields.unpack(any, FileAccessLog.class);
                    Fields.requireOnly(f, w, Set.of("path", "log_format", "format", "json_format"));
                    Function<LogEntry, String> fmt = f.hasLogFormat()
                            ? format(f.getLogFormat(), w)
                            : f.hasJsonFormat()
                                    ? LogFormat.json(strings(f.getJsonFormat()), w)
                                    : textFormat(f.getFormat().isEmpty() ? LogFormat.ENVOY_DEFAULT : f.getFormat(), w);
                    logs.add(new Log(fmt, Sink.file(f.getPath(), w)));
                } else if (dev.trellis.proxy.config.Fields.is(any, StdoutAccessLog.class)) {
                    StdoutAccessLog s = dev.trellis.proxy.config.Fields.unpack(any, StdoutAccessLog.class);
                    logs.add(new Log(
                            s.hasLogFormat() ? format(s.getLogFormat(), w) : textFormat(LogFormat.ENVOY_DEFAULT, w),
                            Sink.file("/dev/stdout", w)));
                } else if (dev.trellis.proxy.config.Fields.is(any, StderrAccessLog.class)) {
                    StderrAccessLog s = dev.trellis.proxy.config.Fields.unpack(any, StderrAccessLog.class);
                    logs.add(new Log(
                            s.hasLogFormat() ? format(s.getLogFormat(), w) : textFormat(LogFormat.ENVOY_DEFAULT, w),
                            Sink.file("/dev/stderr", w)));
                } else {
                    throw new ConfigException(w + ": access logger " + any.getTypeUrl() + " is not supported");
                }
            } catch (InvalidProtocolBufferException e) {
                throw new ConfigException(w + ": cannot decode: " + e.getMessage());
            }
        }
        return new AccessLogs(List.copyOf(logs));
    }

    private static Function<LogEntry, String> textFormat(String f, String where) {
        LogFormat lf = LogFormat.compile(f, where);
        return lf::format;
    }

    private static Function<LogEntry, String> format(SubstitutionFormatString s, String where) {
        Fields.requireOnly(
                s,
                where + " log_format",
                Set.of(
                        "text_format",
                        "text_format_source",
                        "json_format",
                        "json_format_options",
                        "omit_empty_values",
                        "content_type"));
        // Istio sets json_format_options {sort_properties: false} on its JSON logs. A Struct's keys have no order, so
        // Envoy's unsorted output is in no defined order either: sorted output satisfies both settings.
        if (s.hasJsonFormatOptions()) {
            Fields.requireOnly(
                    s.getJsonFormatOptions(), where + " log_format.json_format_options", Set.of("sort_properties"));
        }
        boolean omit = s.getOmitEmptyValues();
        if (s.hasJsonFormat()) {
            return LogFormat.json(strings(s.getJsonFormat()), where, omit);
        }
        if (s.hasTextFormatSource()) {
            return LogFormat.compile(s.getTextFormatSource().getInlineString(), where, omit)::format;
        }
        return LogFormat.compile(s.getTextFormat().isEmpty() ? LogFormat.ENVOY_DEFAULT : s.getTextFormat(), where, omit)
                ::format;
    }

    private static Map<String, String> strings(Struct s) {
        Map<String, String> m = new LinkedHashMap<>();
        for (Map.Entry<String, Value> e : s.getFieldsMap().entrySet()) {
            m.put(
                    e.getKey(),
                    e.getValue().hasStringValue()
                            ? e.getValue().getStringValue()
                            : e.getValue().toString());
        }
        return m;
    }

    /** A destination with its own writer thread; one per path, shared by every log that names it. */
    public static final class Sink {
        private static final Map<String, Sink> SINKS = new ConcurrentHashMap<>();
        private final LinkedBlockingQueue<String> queue = new LinkedBlockingQueue<>(100_000);

        static Sink file(String path, String where) {
            return SINKS.computeIfAbsent(path, p -> new Sink(p, where));
        }

        private Sink(String path, String where) {
            OutputStream out;
            try {
                out = switch (path) {
                    case "/dev/stdout" ->
                        new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false);
                    case "/dev/stderr" ->
                        new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), false);
                    default ->
                        Files.newOutputStream(
                                Path.of(path),
                                StandardOpenOption.CREATE,
                                StandardOpenOption.APPEND,
                                StandardOpenOption.WRITE);
                };
            } catch (IOException e) {
                throw new ConfigException(where + ": cannot open access log '" + path + "': " + e.getMessage());
            }
            OutputStream o = out;
            Thread t = new Thread(
                    () -> {
                        try {
                            while (true) {
                                String line = queue.take();
                                o.write(line.getBytes(StandardCharsets.UTF_8));
                                String next;
                                while ((next = queue.poll()) != null) {
                                    o.write(next.getBytes(StandardCharsets.UTF_8));
                                }
                                o.flush();
                            }
                        } catch (InterruptedException | IOException e) {
                            // stop
                        }
                    },
                    "trellis-access-log");
            t.setDaemon(true);
            t.start();
        }

        /** Drops the line when the writer is far behind: never blocks the event loop. */
        void offer(String line) {
            queue.offer(line);
        }
    }
}
