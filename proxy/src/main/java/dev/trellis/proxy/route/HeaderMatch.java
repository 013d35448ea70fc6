package dev.trellis.proxy.route;

import dev.trellis.proxy.config.ConfigException;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import java.util.Locale;

/**
 * A compiled {@code HeaderMatcher}. Several values of a header are joined with "," before matching, as in Envoy; a
 * missing header never matches (unless {@code treat_missing_header_as_empty}), and {@code invert_match} flips the
 * result, including for a missing header.
 */
public record HeaderMatch(
        String name,
        Kind kind,
        StringMatch string,
        long rangeStart,
        long rangeEnd,
        boolean present,
        boolean invert,
        boolean missingAsEmpty) {
    public enum Kind {
        STRING,
        PRESENT,
        RANGE
    }

    public static HeaderMatch compile(HeaderMatcher m, String where) {
        String at = where + " header '" + m.getName() + "'";
        String name = m.getName().toLowerCase(Locale.ROOT);
        if (name.isEmpty()) {
            throw new ConfigException(where + ": header matcher needs a name");
        }
        return switch (m.getHeaderMatchSpecifierCase()) {
            case EXACT_MATCH -> str(name, new StringMatch(StringMatch.Kind.EXACT, m.getExactMatch(), null, false), m);
            case PREFIX_MATCH ->
                str(name, new StringMatch(StringMatch.Kind.PREFIX, m.getPrefixMatch(), null, false), m);
            case SUFFIX_MATCH ->
                str(name, new StringMatch(StringMatch.Kind.SUFFIX, m.getSuffixMatch(), null, false), m);
            case CONTAINS_MATCH ->
                str(name, new StringMatch(StringMatch.Kind.CONTAINS, m.getContainsMatch(), null, false), m);
            case SAFE_REGEX_MATCH ->
                str(
                        name,
                        new StringMatch(
                                StringMatch.Kind.REGEX,
                                "",
                                StringMatch.regex(m.getSafeRegexMatch().getRegex(), at),
                                false),
                        m);
            case STRING_MATCH -> str(name, StringMatch.compile(m.getStringMatch(), at), m);
            case PRESENT_MATCH ->
                new HeaderMatch(name, Kind.PRESENT, null, 0, 0, m.getPresentMatch(), m.getInvertMatch(), false);
            case RANGE_MATCH ->
                new HeaderMatch(
                        name,
                        Kind.RANGE,
                        null,
                        m.getRangeMatch().getStart(),
                        m.getRangeMatch().getEnd(),
                        false,
                        m.getInvertMatch(),
                        m.getTreatMissingHeaderAsEmpty());
            // No specifier: the header only has to be present.
            case HEADERMATCHSPECIFIER_NOT_SET ->
                new HeaderMatch(name, Kind.PRESENT, null, 0, 0, true, m.getInvertMatch(), false);
        };
    }

    private static HeaderMatch str(String name, StringMatch s, HeaderMatcher m) {
        return new HeaderMatch(name, Kind.STRING, s, 0, 0, false, m.getInvertMatch(), m.getTreatMissingHeaderAsEmpty());
    }

    public boolean matches(RequestView r) {
        String v = r.header(name);
        if (kind == Kind.PRESENT) {
            return (v != null) == present != invert;
        }
        if (v == null) {
            if (!missingAsEmpty) {
                return invert;
            }
            v = "";
        }
        boolean m;
        if (kind == Kind.RANGE) {
            try {
                long x = Long.parseLong(v);
                m = x >= rangeStart && x < rangeEnd;
            } catch (NumberFormatException e) {
                m = false;
            }
        } else {
            m = string.matches(v);
        }
        return m != invert;
    }
}
