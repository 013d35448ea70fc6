package dev.trellis.api.model;

/**
 * A protobuf {@code Duration} as Istio's YAML writes it: a decimal number with a unit, or several ({@code "1.5s"},
 * {@code "100ms"}, {@code "1h"}, {@code "1m30s"}); units {@code h m s ms us µs ns}. Held as nanoseconds; written back
 * in the shortest exact form.
 */
public record Duration(long nanos) implements Comparable<Duration> {

    public static final Duration ZERO = new Duration(0);

    public static Duration ofMillis(long millis) {
        return new Duration(Math.multiplyExact(millis, 1_000_000L));
    }

    public static Duration ofSeconds(long seconds) {
        return new Duration(Math.multiplyExact(seconds, 1_000_000_000L));
    }

    /**
     * Parses Istio's duration syntax.
     *
     * @throws IllegalArgumentException with a message a user understands when {@code text} is not a duration
     */
    public static Duration parse(String text) {
        String err =
                "invalid duration \"" + text + "\": expected a number with a unit, e.g. \"1.5s\", \"100ms\", \"1h\"";
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException(err);
        }
        int i = 0;
        boolean negative = false;
        if (text.charAt(0) == '-' || text.charAt(0) == '+') {
            negative = text.charAt(0) == '-';
            i++;
        }
        if (i < text.length() && text.substring(i).equals("0")) {
            return ZERO;
        }
        if (i >= text.length()) {
            throw new IllegalArgumentException(err);
        }
        Duration simple = parseSimple(text, i, negative);
        if (simple != null) {
            return simple;
        }
        java.math.BigDecimal total = java.math.BigDecimal.ZERO;
        while (i < text.length()) {
            int start = i;
            while (i < text.length() && (Character.isDigit(text.charAt(i)) || text.charAt(i) == '.')) {
                i++;
            }
            if (start == i) {
                throw new IllegalArgumentException(err);
            }
            java.math.BigDecimal number;
            try {
                number = new java.math.BigDecimal(text.substring(start, i));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(err);
            }
            int unitStart = i;
            while (i < text.length() && !Character.isDigit(text.charAt(i)) && text.charAt(i) != '.') {
                i++;
            }
            long unit =
                    switch (text.substring(unitStart, i)) {
                        case "h" -> 3_600_000_000_000L;
                        case "m" -> 60_000_000_000L;
                        case "s" -> 1_000_000_000L;
                        case "ms" -> 1_000_000L;
                        case "us", "µs", "μs" -> 1_000L;
                        case "ns" -> 1L;
                        default -> throw new IllegalArgumentException(err);
                    };
            total = total.add(number.multiply(java.math.BigDecimal.valueOf(unit)));
        }
        try {
            long nanos = total.setScale(0, java.math.RoundingMode.DOWN).longValueExact();
            return new Duration(negative ? -nanos : nanos);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("invalid duration \"" + text + "\": too large");
        }
    }

    /** The common case, one integer and one unit ("10s", "100ms"), without BigDecimal; null for anything else. */
    private static Duration parseSimple(String text, int start, boolean negative) {
        int i = start;
        long value = 0;
        while (i < text.length() && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
            value = value * 10 + (text.charAt(i) - '0');
            if (value > 1_000_000_000L) {
                return null;
            }
            i++;
        }
        if (i == start) {
            return null;
        }
        long unit =
                switch (text.substring(i)) {
                    case "h" -> 3_600_000_000_000L;
                    case "m" -> 60_000_000_000L;
                    case "s" -> 1_000_000_000L;
                    case "ms" -> 1_000_000L;
                    default -> 0L;
                };
        if (unit == 0) {
            return null;
        }
        long nanos = value * unit;
        return new Duration(negative ? -nanos : nanos);
    }

    public long toMillis() {
        return nanos / 1_000_000L;
    }

    public java.time.Duration toJava() {
        return java.time.Duration.ofNanos(nanos);
    }

    @Override
    public int compareTo(Duration o) {
        return Long.compare(nanos, o.nanos);
    }

    /** The shortest exact text: {@code 1h}, {@code 90s}, {@code 100ms}, {@code 1.5s} becomes {@code 1500ms}. */
    @Override
    public String toString() {
        if (nanos == 0) {
            return "0s";
        }
        long n = nanos;
        String sign = n < 0 ? "-" : "";
        n = Math.abs(n);
        if (n % 3_600_000_000_000L == 0) {
            return sign + n / 3_600_000_000_000L + "h";
        }
        if (n % 60_000_000_000L == 0) {
            return sign + n / 60_000_000_000L + "m";
        }
        if (n % 1_000_000_000L == 0) {
            return sign + n / 1_000_000_000L + "s";
        }
        if (n % 1_000_000L == 0) {
            return sign + n / 1_000_000L + "ms";
        }
        if (n % 1_000L == 0) {
            return sign + n / 1_000L + "us";
        }
        return sign + n + "ns";
    }
}
