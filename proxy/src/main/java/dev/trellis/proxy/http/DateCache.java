package dev.trellis.proxy.http;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/** The HTTP {@code date} header value, formatted at most once per second. */
final class DateCache {
    private record Entry(long second, String value) {}

    private static volatile Entry entry = new Entry(-1, "");

    private DateCache() {}

    static String now() {
        long ms = System.currentTimeMillis();
        long sec = ms / 1000;
        Entry e = entry;
        if (e.second() != sec) {
            e = new Entry(
                    sec,
                    DateTimeFormatter.RFC_1123_DATE_TIME.format(
                            ZonedDateTime.ofInstant(java.time.Instant.ofEpochSecond(sec), ZoneOffset.UTC)));
            entry = e;
        }
        return e.value();
    }
}
