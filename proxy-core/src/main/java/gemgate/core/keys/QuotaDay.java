package gemgate.core.keys;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;

/**
 * Google's quota day: it ends at midnight America/Los_Angeles, so it lasts 23 or 25 hours across daylight-saving
 * changes. {@link #day(long)} is called on every key selection, so the bounds of the current day are cached in one
 * immutable object behind a volatile field (a racing refresh only computes the same value twice).
 */
final class QuotaDay {
    static final ZoneId ZONE = ZoneId.of("America/Los_Angeles");

    /** One quota day: its number (days since 1970-01-01 in Los Angeles) and its bounds in epoch millis. */
    record Day(long number, long startMillis, long endMillis) {
        boolean contains(long millis) {
            return millis >= startMillis && millis < endMillis;
        }

        LocalDate date() {
            return LocalDate.ofEpochDay(number);
        }
    }

    private volatile Day cached = of(0);

    Day day(long nowMillis) {
        Day d = cached;
        if (d.contains(nowMillis)) {
            return d;
        }
        d = of(nowMillis);
        cached = d;
        return d;
    }

    static Day of(long millis) {
        LocalDate date = Instant.ofEpochMilli(millis).atZone(ZONE).toLocalDate();
        return ofDate(date);
    }

    static Day ofDate(LocalDate date) {
        long start = date.atStartOfDay(ZONE).toInstant().toEpochMilli();
        long end = date.plusDays(1).atStartOfDay(ZONE).toInstant().toEpochMilli();
        return new Day(date.toEpochDay(), start, end);
    }

    /** Next midnight in America/Los_Angeles after {@code now}. */
    static Instant nextReset(Instant now) {
        return Instant.ofEpochMilli(of(now.toEpochMilli()).endMillis());
    }
}
