package dev.trellis.proxy.route;

import com.google.re2j.Pattern;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/** A compiled {@code RouteMatch}: path specifier, headers, query parameters, gRPC and runtime fraction. */
public record RouteMatch(
        PathKind pathKind,
        String value,
        Pattern regex,
        boolean caseSensitive,
        List<HeaderMatch> headers,
        List<QueryMatch> queries,
        boolean grpc,
        int fractionNumerator,
        int fractionDenominator) {
    public enum PathKind {
        PREFIX,
        PATH,
        REGEX,
        SEPARATED_PREFIX
    }

    /** A query-parameter matcher: present, or a string match on the (first) value. */
    public record QueryMatch(String name, StringMatch value, boolean present) {
        boolean matches(String query) {
            String v = QueryString.first(query, name);
            if (present) {
                return v != null;
            }
            return v != null && value != null && value.matches(v);
        }
    }

    public boolean matches(RequestView r) {
        String path = r.path();
        boolean ok =
                switch (pathKind) {
                    case PREFIX ->
                        caseSensitive ? path.startsWith(value) : path.regionMatches(true, 0, value, 0, value.length());
                    case PATH -> caseSensitive ? path.equals(value) : path.equalsIgnoreCase(value);
                    case REGEX -> regex.matches(path);
                    case SEPARATED_PREFIX -> {
                        boolean starts = caseSensitive
                                ? path.startsWith(value)
                                : path.regionMatches(true, 0, value, 0, value.length());
                        yield starts && (path.length() == value.length() || path.charAt(value.length()) == '/');
                    }
                };
        if (!ok) {
            return false;
        }
        for (int i = 0; i < headers.size(); i++) {
            if (!headers.get(i).matches(r)) {
                return false;
            }
        }
        if (!queries.isEmpty()) {
            String q = r.query();
            for (QueryMatch m : queries) {
                if (!m.matches(q)) {
                    return false;
                }
            }
        }
        if (grpc) {
            String ct = r.header("content-type");
            if (ct == null || !ct.toLowerCase(Locale.ROOT).startsWith("application/grpc")) {
                return false;
            }
        }
        if (fractionDenominator > 0) {
            return ThreadLocalRandom.current().nextInt(fractionDenominator) < fractionNumerator;
        }
        return true;
    }
}
