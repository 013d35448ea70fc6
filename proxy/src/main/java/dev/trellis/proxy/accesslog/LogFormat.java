package dev.trellis.proxy.accesslog;

import dev.trellis.proxy.config.ConfigException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * A compiled Envoy format string: literals and {@code %OPERATOR%}s. Missing values print as {@code -}, as in Envoy.
 */
public final class LogFormat {
    /** Envoy's default text format. */
    public static final String ENVOY_DEFAULT =
            "[%START_TIME%] \"%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%\" "
                    + "%RESPONSE_CODE% %RESPONSE_FLAGS% %BYTES_RECEIVED% %BYTES_SENT% %DURATION% "
                    + "%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% \"%REQ(X-FORWARDED-FOR)%\" \"%REQ(USER-AGENT)%\" "
                    + "\"%REQ(X-REQUEST-ID)%\" \"%REQ(:AUTHORITY)%\" \"%UPSTREAM_HOST%\"\n";

    private static final DateTimeFormatter START =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    /** Operators whose value is a number: a JSON format whose value is one of them alone writes a JSON number. */
    private static final java.util.Set<String> NUMERIC =
            java.util.Set.of("RESPONSE_CODE", "BYTES_RECEIVED", "BYTES_SENT", "DURATION");

    private final List<Object> parts;
    /** Envoy's {@code omit_empty_values}: a missing value prints as nothing instead of "-". */
    private final String missing;

    private LogFormat(List<Object> parts, boolean omitEmpty) {
        this.parts = parts;
        this.missing = omitEmpty ? "" : "-";
    }

    public static LogFormat compile(String format, String where) {
        return compile(format, where, false);
    }

    public static LogFormat compile(String format, String where, boolean omitEmpty) {
        List<Object> parts = new ArrayList<>();
        StringBuilder lit = new StringBuilder();
        int i = 0;
        while (i < format.length()) {
            char c = format.charAt(i);
            if (c != '%') {
                lit.append(c);
                i++;
                continue;
            }
            if (i + 1 < format.length() && format.charAt(i + 1) == '%') {
                lit.append('%');
                i += 2;
                continue;
            }
            int end = format.indexOf('%', i + 1);
            if (end < 0) {
                throw new ConfigException(where + ": unterminated '%' in format '" + format + "'");
            }
            if (!lit.isEmpty()) {
                parts.add(lit.toString());
                lit.setLength(0);
            }
            parts.add(operator(format.substring(i + 1, end), where));
            i = end + 1;
        }
        if (!lit.isEmpty()) {
            parts.add(lit.toString());
        }
        return new LogFormat(List.copyOf(parts), omitEmpty);
    }

    @SuppressWarnings("unchecked")
    static Function<LogEntry, String> operator(String op, String where) {
        String name = op;
        String arg = null;
        int maxLen = -1;
        int paren = op.indexOf('(');
        if (paren > 0) {
            int close = op.indexOf(')', paren);
            if (close < 0) {
                throw new ConfigException(where + ": bad operator %" + op + "%");
            }
            name = op.substring(0, paren);
            arg = op.substring(paren + 1, close);
            String rest = op.substring(close + 1);
            if (rest.startsWith(":")) {
                maxLen = Integer.parseInt(rest.substring(1));
            }
        }
        Function<LogEntry, String> f =
                switch (name) {
                    case "START_TIME" -> e -> START.format(Instant.ofEpochMilli(e.startEpochMs()));
                    case "REQ", "RESP" -> {
                        if (arg == null) {
                            throw new ConfigException(where + ": %" + name + "% needs a header name");
                        }
                        String[] alts = arg.toLowerCase(Locale.ROOT).split("\\?");
                        boolean req = name.equals("REQ");
                        yield e -> {
                            for (String h : alts) {
                                String v = req ? e.requestHeader(h) : e.responseHeader(h);
                                if (v != null) {
                                    return v;
                                }
                            }
                            return null;
                        };
                    }
                    case "RESPONSE_CODE" -> e -> Integer.toString(e.responseCode());
                    case "RESPONSE_FLAGS" -> LogEntry::responseFlags;
                    case "RESPONSE_CODE_DETAILS" -> LogEntry::responseCodeDetails;
                    case "BYTES_RECEIVED" -> e -> Long.toString(e.bytesReceived());
                    case "BYTES_SENT" -> e -> Long.toString(e.bytesSent());
                    case "DURATION" -> e -> Long.toString(e.durationMs());
                    case "PROTOCOL" -> LogEntry::protocol;
                    case "UPSTREAM_HOST" -> LogEntry::upstreamHost;
                    // No alt_stat_name yet, so the raw name and the stat name are the same.
                    case "UPSTREAM_CLUSTER", "UPSTREAM_CLUSTER_RAW" -> LogEntry::upstreamCluster;
                    case "UPSTREAM_LOCAL_ADDRESS" -> LogEntry::upstreamLocalAddress;
                    case "UPSTREAM_LOCAL_ADDRESS_WITHOUT_PORT" -> e -> withoutPort(e.upstreamLocalAddress());
                    case "DOWNSTREAM_REMOTE_ADDRESS" -> LogEntry::downstreamRemoteAddress;
                    case "DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT" -> e -> withoutPort(e.downstreamRemoteAddress());
                    case "DOWNSTREAM_LOCAL_ADDRESS" -> LogEntry::downstreamLocalAddress;
                    case "DOWNSTREAM_LOCAL_ADDRESS_WITHOUT_PORT" -> e -> withoutPort(e.downstreamLocalAddress());
                    case "ROUTE_NAME" -> LogEntry::routeName;
                    // Absent until TLS (server names) and filters that end connections with details (RBAC) arrive;
                    // Envoy prints "-" when absent too.
                    case "REQUESTED_SERVER_NAME" -> LogEntry::requestedServerName;
                    case "UPSTREAM_TRANSPORT_FAILURE_REASON" -> LogEntry::upstreamTransportFailureReason;
                    case "CONNECTION_TERMINATION_DETAILS" -> LogEntry::connectionTerminationDetails;
                    case "ACCESS_LOG_TYPE" -> LogEntry::accessLogType;
                    default ->
                        throw new ConfigException(where + ": access log operator %" + name + "% is not supported");
                };
        if (maxLen < 0) {
            return f;
        }
        int n = maxLen;
        return e -> {
            String v = f.apply(e);
            return v == null || v.length() <= n ? v : v.substring(0, n);
        };
    }

    private static String withoutPort(String a) {
        if (a == null) {
            return null;
        }
        int c = a.lastIndexOf(':');
        return c > 0 ? a.substring(0, c) : a;
    }

    @SuppressWarnings("unchecked")
    public void format(LogEntry e, StringBuilder sb) {
        for (Object p : parts) {
            if (p instanceof String s) {
                sb.append(s);
            } else {
                String v = ((Function<LogEntry, String>) p).apply(e);
                sb.append(v == null || v.isEmpty() ? missing : v);
            }
        }
    }

    public String format(LogEntry e) {
        StringBuilder sb = new StringBuilder(256);
        format(e, sb);
        return sb.toString();
    }

    /**
     * A JSON format: each key's value is a format string. As in Envoy, a value that is one operator alone is typed: a
     * number for numeric operators, {@code null} when the value is missing (or the key is left out with {@code
     * omit_empty_values}); anything else is a string.
     */
    public static Function<LogEntry, String> json(Map<String, String> fields, String where) {
        return json(fields, where, false);
    }

    @SuppressWarnings("unchecked")
    public static Function<LogEntry, String> json(Map<String, String> fields, String where, boolean omitEmpty) {
        record Field(String quotedKey, LogFormat format, Function<LogEntry, String> single, boolean numeric) {}
        List<Field> compiled = new ArrayList<>();
        for (var e : new java.util.TreeMap<>(fields).entrySet()) {
            String value = e.getValue();
            LogFormat f = compile(value, where + " json_format." + e.getKey(), omitEmpty);
            StringBuilder key = new StringBuilder();
            quote(e.getKey(), key);
            boolean alone = f.parts.size() == 1 && f.parts.get(0) instanceof Function;
            String op = alone ? value.substring(1, value.length() - 1) : "";
            compiled.add(new Field(
                    key.append(':').toString(),
                    f,
                    alone ? (Function<LogEntry, String>) f.parts.get(0) : null,
                    alone && NUMERIC.contains(op)));
        }
        return entry -> {
            StringBuilder sb = new StringBuilder(256).append('{');
            boolean first = true;
            for (Field f : compiled) {
                String v = f.single() != null
                        ? f.single().apply(entry)
                        : f.format().format(entry);
                // RESPONSE_FLAGS says "no flags" as "-", a value (Istio's JSON logs show "response_flags":"-");
                // a missing value is null.
                boolean empty = v == null || v.isEmpty();
                if (empty && omitEmpty) {
                    continue;
                }
                if (!first) {
                    sb.append(',');
                }
                first = false;
                sb.append(f.quotedKey());
                if (f.single() != null && empty) {
                    sb.append("null");
                } else if (f.numeric()) {
                    sb.append(v);
                } else {
                    quote(v, sb);
                }
            }
            return sb.append("}\n").toString();
        };
    }

    static void quote(String s, StringBuilder sb) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
