package dev.trellis.proxy.route;

import com.google.re2j.Pattern;
import dev.trellis.proxy.config.ConfigException;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.Locale;

/** A compiled {@code envoy.type.matcher.v3.StringMatcher} (exact, prefix, suffix, contains, safe_regex; ignore_case). */
public record StringMatch(Kind kind, String value, Pattern regex, boolean ignoreCase) {
    public enum Kind {
        EXACT,
        PREFIX,
        SUFFIX,
        CONTAINS,
        REGEX
    }

    public static StringMatch compile(StringMatcher m, String where) {
        boolean ic = m.getIgnoreCase();
        return switch (m.getMatchPatternCase()) {
            case EXACT -> new StringMatch(Kind.EXACT, fold(m.getExact(), ic), null, ic);
            case PREFIX -> new StringMatch(Kind.PREFIX, fold(m.getPrefix(), ic), null, ic);
            case SUFFIX -> new StringMatch(Kind.SUFFIX, fold(m.getSuffix(), ic), null, ic);
            case CONTAINS -> new StringMatch(Kind.CONTAINS, fold(m.getContains(), ic), null, ic);
            case SAFE_REGEX ->
                new StringMatch(Kind.REGEX, "", regex(m.getSafeRegex().getRegex(), where), false);
            default ->
                throw new ConfigException(where + ": string matcher " + m.getMatchPatternCase() + " is not supported");
        };
    }

    public static Pattern regex(String re, String where) {
        try {
            return Pattern.compile(re);
        } catch (RuntimeException e) {
            throw new ConfigException(where + ": invalid regex '" + re + "': " + e.getMessage());
        }
    }

    private static String fold(String s, boolean ic) {
        return ic ? s.toLowerCase(Locale.ROOT) : s;
    }

    public boolean matches(String input) {
        if (input == null) {
            return false;
        }
        String s = ignoreCase ? input.toLowerCase(Locale.ROOT) : input;
        return switch (kind) {
            case EXACT -> s.equals(value);
            case PREFIX -> s.startsWith(value);
            case SUFFIX -> s.endsWith(value);
            case CONTAINS -> s.contains(value);
            case REGEX -> regex.matches(s);
        };
    }
}
