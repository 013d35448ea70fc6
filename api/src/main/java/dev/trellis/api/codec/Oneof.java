package dev.trellis.api.codec;

/** The check generated records run for proto oneofs: at most one alternative may be set. */
public final class Oneof {

    private Oneof() {}

    /**
     * @param names the alternatives' field names, comma separated, for the message
     * @param values the alternatives, null when unset
     * @throws IllegalArgumentException when more than one is set
     */
    public static void atMostOne(String names, Object... values) {
        int set = 0;
        for (Object v : values) {
            if (v != null) {
                set++;
            }
        }
        if (set > 1) {
            throw new IllegalArgumentException("only one of " + names + " may be set");
        }
    }
}
