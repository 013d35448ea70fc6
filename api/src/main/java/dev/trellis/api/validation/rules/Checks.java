package dev.trellis.api.validation.rules;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import dev.trellis.api.model.Duration;
import java.net.Inet6Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The building blocks of Istio's validation ({@code pkg/config/validation}, {@code pkg/config/labels}): DNS names,
 * wildcard hosts, IPs and CIDRs, ports, durations, labels, header names, RE2 regexes. Each check returns null when
 * the value is fine, else Istio's message for it.
 */
public final class Checks {

    private Checks() {}

    /** Go's {@code %q}: a double-quoted string with quotes and backslashes escaped. */
    public static String q(String s) {
        if (s == null) {
            return "\"\"";
        }
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                default -> sb.append(c);
            }
        }
        return sb.append('"').toString();
    }

    // Hand-written scanners for the fixed patterns: they run for every host and label of every resource, and are
    // several times faster than a regex engine.

    private static boolean alnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    /** {@code [a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?} over {@code v[from, to)}. */
    private static boolean label(String v, int from, int to) {
        if (to <= from || !alnum(v.charAt(from)) || !alnum(v.charAt(to - 1))) {
            return false;
        }
        for (int i = from + 1; i < to - 1; i++) {
            char c = v.charAt(i);
            if (!alnum(c) && c != '-') {
                return false;
            }
        }
        return true;
    }

    public static boolean isDns1123Label(String v) {
        return v != null && v.length() <= 63 && label(v, 0, v.length());
    }

    /** {@code *}, or a DNS-1123 label optionally prefixed by {@code *} or {@code *-}. */
    public static boolean isWildcardDns1123Label(String v) {
        if (v == null || v.length() > 63) {
            return false;
        }
        if (v.equals("*")) {
            return true;
        }
        int start = v.startsWith("*-") ? 2 : v.startsWith("*") ? 1 : 0;
        return label(v, start, v.length());
    }

    /** Kubernetes' qualified name: {@code ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]}. */
    private static boolean qualifiedName(String v, int from, int to) {
        if (to <= from || !alnum(v.charAt(from)) || !alnum(v.charAt(to - 1))) {
            return false;
        }
        for (int i = from + 1; i < to - 1; i++) {
            char c = v.charAt(i);
            if (!alnum(c) && c != '-' && c != '_' && c != '.') {
                return false;
            }
        }
        return true;
    }

    static String dnsPreconditions(String name) {
        if (name.length() > 255) {
            return "domain name " + q(name) + " too long (max 255)";
        }
        if (name.isEmpty()) {
            return "empty domain name not allowed";
        }
        return null;
    }

    static String dns1123Labels(String domain) {
        String[] parts = domain.split("\\.", -1);
        String tld = parts[parts.length - 1];
        if (!tld.isEmpty() && tld.chars().allMatch(Character::isDigit)) {
            return "domain name " + q(domain) + " invalid (top level domain " + q(tld) + " cannot be all-numeric)";
        }
        for (int i = 0; i < parts.length; i++) {
            if (i == parts.length - 1 && parts[i].isEmpty()) {
                return null; // a trailing dot, as in "istio.io."
            }
            if (!isDns1123Label(parts[i])) {
                return "domain name " + q(domain) + " invalid (label " + q(parts[i]) + " invalid)";
            }
        }
        return null;
    }

    /** A fully-qualified (or short) DNS name without wildcards. */
    public static String fqdn(String name) {
        String pre = dnsPreconditions(name == null ? "" : name);
        return pre != null ? pre : dns1123Labels(name);
    }

    /** A DNS name that may have a wildcard as (a prefix of) its first label only: {@code *.example.com}. */
    public static String wildcardDomain(String domain) {
        String d = domain == null ? "" : domain;
        String pre = dnsPreconditions(d);
        if (pre != null) {
            return pre;
        }
        int dot = d.indexOf('.');
        String first = dot < 0 ? d : d.substring(0, dot);
        if (!isWildcardDns1123Label(first)) {
            return "domain name " + q(d) + " invalid (label " + q(first) + " invalid)";
        }
        return dot < 0 ? null : restLabels(d, d.substring(dot + 1));
    }

    /** The labels after the first, reported against the whole name (Istio names only the rest, which confuses). */
    private static String restLabels(String domain, String rest) {
        String err = dns1123Labels(rest);
        return err == null ? null : err.replace("domain name " + q(rest), "domain name " + q(domain));
    }

    /** Like {@link #wildcardDomain} but allows Istio's generated {@code outbound_.80_._.host} SNI names. */
    static String wildcardDomainForGatewayVs(boolean sni, String domain) {
        String d = domain == null ? "" : domain;
        String pre = dnsPreconditions(d);
        if (pre != null) {
            return pre;
        }
        int dot = d.indexOf('.');
        String first = dot < 0 ? d : d.substring(0, dot);
        if (sni && first.equals("outbound_")) {
            return Pattern.compile("outbound_.([0-8].*).*").matcher(d).find()
                    ? null
                    : "domain name " + q(d) + " invalid (label " + q(first) + " invalid)";
        }
        if (!isWildcardDns1123Label(first)) {
            return "domain name " + q(d) + " invalid (label " + q(first) + " invalid)";
        }
        return dot < 0 ? null : restLabels(d, d.substring(dot + 1));
    }

    public static boolean isIpv4(String s) {
        if (s == null || s.isEmpty()) {
            return false;
        }
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return false;
            }
            if (p.length() > 1 && p.charAt(0) == '0') {
                return false; // Go's netip rejects leading zeros
            }
            if (Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }

    public static boolean isIpv6(String s) {
        if (s == null || !s.contains(":") || s.contains("[") || s.contains("/")) {
            return false;
        }
        String addr = s;
        int zone = s.indexOf('%');
        if (zone >= 0) {
            addr = s.substring(0, zone);
            if (zone == s.length() - 1) {
                return false;
            }
        }
        for (int i = 0; i < addr.length(); i++) {
            char c = addr.charAt(i);
            if (!(Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
                return false;
            }
        }
        try {
            return Inet6Address.ofLiteral(addr) != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** An IPv4 or IPv6 address (no DNS lookup). */
    public static boolean isIp(String s) {
        return isIpv4(s) || isIpv6(s);
    }

    /** An address or CIDR block: {@code 10.0.0.1}, {@code 10.0.0.0/8}, {@code 2001:db8::/32}. */
    public static boolean isCidr(String s) {
        int slash = s == null ? -1 : s.indexOf('/');
        if (slash < 0 || s.indexOf('/', slash + 1) >= 0) {
            return false;
        }
        String addr = s.substring(0, slash);
        String bits = s.substring(slash + 1);
        if (bits.isEmpty() || bits.length() > 3 || !bits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return false;
        }
        if (bits.length() > 1 && bits.charAt(0) == '0') {
            return false;
        }
        int n = Integer.parseInt(bits);
        if (isIpv4(addr)) {
            return n <= 32;
        }
        return isIpv6(addr) && !addr.contains("%") && n <= 128;
    }

    /** Istio's {@code ValidateIPAddress}. */
    public static String ipAddress(String addr) {
        return isIp(addr) ? null : addr + " is not a valid IP";
    }

    /** Istio's {@code ValidateIPSubnet}: CIDR notation or a plain address. */
    public static String ipSubnet(String subnet) {
        if (subnet != null && subnet.chars().filter(c -> c == '/').count() == 1) {
            return isCidr(subnet) ? null : subnet + " is not a valid CIDR block";
        }
        return ipAddress(subnet);
    }

    public static String port(long port) {
        return port >= 1 && port <= 65535 ? null : "port number " + port + " must be in the range 1..65535";
    }

    /** Istio's {@code ValidateDuration}: at least 1ms, whole milliseconds. */
    public static String duration(Duration d) {
        if (d == null) {
            return null;
        }
        if (d.nanos() < 1_000_000L) {
            return "duration must be greater than 1ms (got " + d + ")";
        }
        if (d.nanos() % 1_000_000L != 0) {
            return "only durations to ms precision are supported (got " + d + ")";
        }
        return null;
    }

    /** Kubernetes label rules (Istio's {@code labels.Instance.Validate}): one message per bad key or value. */
    public static List<String> labels(Map<String, String> labels) {
        List<String> out = new ArrayList<>();
        if (labels == null) {
            return out;
        }
        labels.forEach((k, v) -> {
            String keyErr = labelKey(k);
            if (keyErr != null) {
                out.add(keyErr);
            }
            if (v == null || v.length() > 63 || (!v.isEmpty() && !qualifiedName(v, 0, v.length()))) {
                out.add("invalid tag value: " + q(v));
            }
        });
        return out;
    }

    static String labelKey(String k) {
        String key = k == null ? "" : k;
        int slash = key.indexOf('/');
        String name = slash < 0 ? key : key.substring(slash + 1);
        if (slash >= 0) {
            String prefix = key.substring(0, slash);
            boolean ok = !prefix.isEmpty();
            int start = 0;
            while (ok && start <= prefix.length()) {
                int dot = prefix.indexOf('.', start);
                int end = dot < 0 ? prefix.length() : dot;
                ok = label(prefix, start, end);
                if (dot < 0) {
                    break;
                }
                start = dot + 1;
            }
            if (!ok || !qualifiedName(name, 0, name.length())) {
                return "invalid tag key: " + q(k);
            }
            if (prefix.length() > 253) {
                return "invalid tag key: " + q(k) + " (DNS prefix is too long)";
            }
        } else if (!qualifiedName(name, 0, name.length())) {
            return "invalid tag key: " + q(k);
        }
        if (name.length() > 63) {
            return "invalid tag key: " + q(k) + " (name is too long)";
        }
        return null;
    }

    public static String headerName(String name) {
        if (name == null || name.isEmpty()) {
            return "header name cannot be empty";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!alnum(c) && c != '-' && c != '_') {
                return "header name " + name + " is not a valid header name";
            }
        }
        return null;
    }

    /** Regexes already compiled once: configuration repeats the same few, and compiling is the costly part. */
    private static final java.util.concurrent.ConcurrentHashMap<String, Boolean> VALID_REGEXES =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** An RE2 regex as Envoy and Istio accept it (at most 1024 characters). */
    public static String regex(String re, String where) {
        if (re.length() > 1024) {
            return q(where) + ": regex is too large, max length allowed is 1024";
        }
        if (VALID_REGEXES.containsKey(re)) {
            return null;
        }
        try {
            Pattern.compile(re);
            if (VALID_REGEXES.size() < 10_000) {
                VALID_REGEXES.put(re, Boolean.TRUE);
            }
            return null;
        } catch (PatternSyntaxException e) {
            return q(where) + ": " + e.getMessage()
                    + "; Istio uses RE2 style regex-based match (https://github.com/google/re2/wiki/Syntax)";
        }
    }

    /** Istio's port protocols ({@code protocol.Parse}); null when unsupported. */
    public static String protocol(String s) {
        if (s == null) {
            return null;
        }
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "tcp" -> "TCP";
            case "udp" -> "UDP";
            case "grpc" -> "GRPC";
            case "grpc-web" -> "GRPC-Web";
            case "http" -> "HTTP";
            case "http_proxy" -> "HTTP_PROXY";
            case "http2" -> "HTTP2";
            case "https" -> "HTTPS";
            case "tls" -> "TLS";
            case "mongo" -> "Mongo";
            case "redis" -> "Redis";
            case "mysql" -> "MySQL";
            default -> null;
        };
    }

    private static final Set<String> HTTP_PROTOCOLS = Set.of("HTTP", "HTTP2", "HTTP_PROXY", "GRPC", "GRPC-Web");

    public static boolean isHttp(String protocol) {
        String p = protocol(protocol);
        return p != null && HTTP_PROTOCOLS.contains(p);
    }

    public static boolean isTls(String protocol) {
        String p = protocol(protocol);
        return "HTTPS".equals(p) || "TLS".equals(p);
    }

    public static boolean isTcp(String protocol) {
        String p = protocol(protocol);
        return p != null
                && Set.of("TCP", "HTTPS", "TLS", "Mongo", "Redis", "MySQL").contains(p);
    }

    /** Istio's {@code ValidatePortName}: a DNS-1123 label. */
    public static String portName(String name) {
        return isDns1123Label(name) ? null : "invalid port name: " + (name == null ? "" : name);
    }

    /** Istio's {@code ValidateProtocol}: empty means sniffing; anything else must be known. */
    public static String knownProtocol(String p) {
        return p == null || p.isEmpty() || protocol(p) != null ? null : "unsupported protocol: " + p;
    }

    /** A Unix domain socket path as Istio accepts it ({@code unix:///path} or an abstract {@code @name}). */
    public static String unixAddress(String addr) {
        if (addr.isEmpty()) {
            return "unix address must not be empty";
        }
        if (addr.startsWith("@")) {
            return null;
        }
        if (!addr.startsWith("/") || addr.endsWith("/")) {
            return addr + " is not an absolute path to a file";
        }
        return null;
    }

    public static boolean isEmpty(String s) {
        return s == null || s.isEmpty();
    }

    public static boolean isEmpty(java.util.Collection<?> c) {
        return c == null || c.isEmpty();
    }

    public static boolean isEmpty(Map<?, ?> m) {
        return m == null || m.isEmpty();
    }

    /** Istio's {@code host.Name.Matches}: the two hosts (either may be a wildcard) have a name in common. */
    public static boolean hostMatches(String n, String o) {
        boolean nw = n.startsWith("*");
        boolean ow = o.startsWith("*");
        if (nw) {
            if (ow) {
                return n.length() < o.length()
                        ? o.substring(1).endsWith(n.substring(1))
                        : n.substring(1).endsWith(o.substring(1));
            }
            return o.endsWith(n.substring(1));
        }
        if (ow) {
            return n.endsWith(o.substring(1));
        }
        return n.equals(o);
    }

    /** Istio's {@code host.Name.SubsetOf}: every name {@code n} matches is matched by {@code o}. */
    public static boolean hostSubsetOf(String n, String o) {
        if (o.startsWith("*")) {
            if (n.startsWith("*")) {
                return n.length() >= o.length() && n.substring(1).endsWith(o.substring(1));
            }
            return n.endsWith(o.substring(1));
        }
        return !n.startsWith("*") && n.equals(o);
    }
}
