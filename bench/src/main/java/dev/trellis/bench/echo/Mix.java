package dev.trellis.bench.echo;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * A weighted choice parsed from fortio's mix syntax: {@code 503} (always), {@code 503:30} (30% of requests), {@code
 * 503:10,429:5} (10% and 5%); the rest of the time the fallback applies. Percentages may be fractional and add up to at
 * most 100.
 */
public record Mix<T>(List<Choice<T>> choices, T fallback) {

    public record Choice<T>(T value, double percent) {}

    public Mix {
        choices = List.copyOf(choices);
    }

    public static <T> Mix<T> always(T value) {
        return new Mix<>(List.of(), value);
    }

    /**
     * Parses {@code text} with {@code parseValue} for each value; errors name {@code param} and the bad part.
     *
     * @throws IllegalArgumentException on a bad value, a bad percentage or a total over 100
     */
    public static <T> Mix<T> parse(String param, String text, Function<String, T> parseValue, T fallback) {
        if (text.isBlank()) {
            throw new IllegalArgumentException(param + "= needs a value");
        }
        List<Choice<T>> choices = new ArrayList<>();
        double total = 0;
        for (String part : text.split(",", -1)) {
            String p = part.strip();
            int colon = p.lastIndexOf(':');
            String valueText = colon < 0 ? p : p.substring(0, colon);
            double percent = 100;
            if (colon >= 0) {
                String pct = p.substring(colon + 1).strip();
                if (pct.endsWith("%")) {
                    pct = pct.substring(0, pct.length() - 1);
                }
                try {
                    percent = Double.parseDouble(pct);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(param + "=" + text + ": '" + pct + "' is not a percentage");
                }
                if (!(percent >= 0 && percent <= 100)) {
                    throw new IllegalArgumentException(
                            param + "=" + text + ": percentage " + pct + " is not in 0..100");
                }
            }
            T value;
            try {
                value = parseValue.apply(valueText.strip());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(param + "=" + text + ": " + e.getMessage());
            }
            total += percent;
            choices.add(new Choice<>(value, percent));
        }
        if (total > 100.0001) {
            throw new IllegalArgumentException(param + "=" + text + ": percentages add up to " + total + ", over 100");
        }
        return new Mix<>(choices, fallback);
    }

    public T pick(RandomGenerator random) {
        if (choices.isEmpty()) {
            return fallback;
        }
        double r = random.nextDouble() * 100;
        double cumulative = 0;
        for (Choice<T> c : choices) {
            cumulative += c.percent();
            if (r < cumulative) {
                return c.value();
            }
        }
        return fallback;
    }
}
