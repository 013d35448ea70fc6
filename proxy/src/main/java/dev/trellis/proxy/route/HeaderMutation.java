package dev.trellis.proxy.route;

import dev.trellis.proxy.config.ConfigException;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Headers to remove then add at one level (route configuration, virtual host, route, weighted cluster), with Envoy's
 * {@code append_action} semantics ({@code append: true|false} mapped as Envoy maps it). Values may use a few of
 * Envoy's formatter operators: {@code %DOWNSTREAM_REMOTE_ADDRESS%}, {@code %DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%},
 * {@code %REQ(name)%} and {@code %%}; any other operator is a config error.
 */
public record HeaderMutation(List<Add> adds, List<String> removes) {
    public static final HeaderMutation NONE = new HeaderMutation(List.of(), List.of());

    public enum Action {
        APPEND_IF_EXISTS_OR_ADD,
        ADD_IF_ABSENT,
        OVERWRITE_IF_EXISTS_OR_ADD,
        OVERWRITE_IF_EXISTS
    }

    /** A value as literal pieces and operators. */
    public record Add(String name, List<Object> parts, Action action, boolean keepEmpty) {
        String value(RequestView r) {
            if (parts.size() == 1 && parts.get(0) instanceof String s) {
                return s;
            }
            StringBuilder sb = new StringBuilder();
            for (Object p : parts) {
                if (p instanceof String s) {
                    sb.append(s);
                } else if (p instanceof Op op) {
                    sb.append(op.eval(r));
                }
            }
            return sb.toString();
        }
    }

    record Op(String command, String arg) {
        String eval(RequestView r) {
            if (r == null) {
                return "";
            }
            return switch (command) {
                case "DOWNSTREAM_REMOTE_ADDRESS" -> r.remoteAddress() == null ? "" : EnvoyAddress.of(r.remoteAddress());
                case "DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT" ->
                    r.remoteAddress() == null ? "" : EnvoyAddress.withoutPort(r.remoteAddress());
                case "REQ" -> {
                    String v = r.header(arg);
                    yield v == null ? "" : v;
                }
                default -> "";
            };
        }
    }

    /** One literal header appended (a second value when it exists), e.g. a generated {@code set-cookie}. */
    public static HeaderMutation append(String name, String value) {
        return new HeaderMutation(
                List.of(new Add(name, List.of(value), Action.APPEND_IF_EXISTS_OR_ADD, false)), List.of());
    }

    public static HeaderMutation compile(List<HeaderValueOption> add, List<String> remove, String where) {
        if (add.isEmpty() && remove.isEmpty()) {
            return NONE;
        }
        List<Add> adds = new ArrayList<>();
        for (HeaderValueOption o : add) {
            String name = o.getHeader().getKey().toLowerCase(Locale.ROOT);
            if (name.isEmpty()) {
                throw new ConfigException(where + ": header to add needs a key");
            }
            Action action;
            if (o.hasAppend()) {
                action = o.getAppend().getValue() ? Action.APPEND_IF_EXISTS_OR_ADD : Action.OVERWRITE_IF_EXISTS_OR_ADD;
            } else {
                action = switch (o.getAppendAction()) {
                    case ADD_IF_ABSENT -> Action.ADD_IF_ABSENT;
                    case OVERWRITE_IF_EXISTS_OR_ADD -> Action.OVERWRITE_IF_EXISTS_OR_ADD;
                    case OVERWRITE_IF_EXISTS -> Action.OVERWRITE_IF_EXISTS;
                    default -> Action.APPEND_IF_EXISTS_OR_ADD;
                };
            }
            String value = o.getHeader().getValue().isEmpty()
                            && !o.getHeader().getRawValue().isEmpty()
                    ? o.getHeader().getRawValue().toStringUtf8()
                    : o.getHeader().getValue();
            adds.add(new Add(name, parse(value, where + " header '" + name + "'"), action, o.getKeepEmptyValue()));
        }
        List<String> removes = new ArrayList<>();
        for (String r : remove) {
            removes.add(r.toLowerCase(Locale.ROOT));
        }
        return new HeaderMutation(List.copyOf(adds), List.copyOf(removes));
    }

    static List<Object> parse(String v, String where) {
        List<Object> parts = new ArrayList<>();
        StringBuilder lit = new StringBuilder();
        int i = 0;
        while (i < v.length()) {
            char c = v.charAt(i);
            if (c != '%') {
                lit.append(c);
                i++;
                continue;
            }
            if (i + 1 < v.length() && v.charAt(i + 1) == '%') {
                lit.append('%');
                i += 2;
                continue;
            }
            int end = v.indexOf('%', i + 1);
            if (end < 0) {
                throw new ConfigException(where + ": unterminated '%' operator in '" + v + "'");
            }
            String cmd = v.substring(i + 1, end);
            String arg = null;
            int paren = cmd.indexOf('(');
            if (paren >= 0 && cmd.endsWith(")")) {
                arg = cmd.substring(paren + 1, cmd.length() - 1).toLowerCase(Locale.ROOT);
                cmd = cmd.substring(0, paren);
            }
            if (!cmd.equals("DOWNSTREAM_REMOTE_ADDRESS")
                    && !cmd.equals("DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT")
                    && !cmd.equals("REQ")) {
                throw new ConfigException(where + ": formatter operator %" + cmd + "% is not supported");
            }
            if (!lit.isEmpty()) {
                parts.add(lit.toString());
                lit.setLength(0);
            }
            parts.add(new Op(cmd, arg));
            i = end + 1;
        }
        if (!lit.isEmpty() || parts.isEmpty()) {
            parts.add(lit.toString());
        }
        return List.copyOf(parts);
    }

    public boolean isEmpty() {
        return adds.isEmpty() && removes.isEmpty();
    }

    /** Removes, then adds, as Envoy's header parser does at each level. */
    public void apply(HttpHeaders h, RequestView r) {
        for (String name : removes) {
            h.remove(name);
        }
        for (Add a : adds) {
            String value = a.value(r);
            if (value.isEmpty() && !a.keepEmpty()) {
                continue;
            }
            switch (a.action()) {
                case APPEND_IF_EXISTS_OR_ADD -> h.add(a.name(), value);
                case ADD_IF_ABSENT -> {
                    if (!h.contains(a.name())) {
                        h.add(a.name(), value);
                    }
                }
                case OVERWRITE_IF_EXISTS_OR_ADD -> h.set(a.name(), value);
                case OVERWRITE_IF_EXISTS -> {
                    if (h.contains(a.name())) {
                        h.set(a.name(), value);
                    }
                }
            }
        }
    }
}
