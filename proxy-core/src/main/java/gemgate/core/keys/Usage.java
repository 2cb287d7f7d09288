package gemgate.core.keys;

import java.util.concurrent.atomic.AtomicReference;

/**
 * Requests and input tokens of one key (all models) or one key x model, in the current minute and the current quota
 * day. The counts live in one immutable {@link Counts} swapped by CAS, so a minute or day rolls over atomically with
 * the update that notices it, without locks.
 */
final class Usage {
    /** {@code minute} is epoch minutes, {@code day} a {@link QuotaDay.Day#number()}; -1 = never. */
    record Counts(long minute, int minuteRequests, long minuteTokens, long day, int dayRequests, long dayTokens) {
        static final Counts ZERO = new Counts(-1, 0, 0, -1, 0, 0);

        /** The counts as seen at {@code minute}/{@code day}: older windows read as zero. */
        Counts at(long m, long d) {
            if (m == minute && d == day) {
                return this;
            }
            boolean sameDay = d == day;
            return new Counts(m, m == minute && sameDay ? minuteRequests : 0, m == minute && sameDay ? minuteTokens : 0,
                    d, sameDay ? dayRequests : 0, sameDay ? dayTokens : 0);
        }

        Counts plus(int requests, long tokens) {
            return new Counts(minute, Math.max(0, minuteRequests + requests), Math.max(0, minuteTokens + tokens),
                    day, Math.max(0, dayRequests + requests), Math.max(0, dayTokens + tokens));
        }
    }

    private final AtomicReference<Counts> ref = new AtomicReference<>(Counts.ZERO);

    Counts at(long minute, long day) {
        return ref.get().at(minute, day);
    }

    /** Raw counts (for persistence): the day they belong to is part of them. */
    Counts raw() {
        return ref.get();
    }

    void add(long minute, long day, int requests, long tokens) {
        while (true) {
            Counts cur = ref.get();
            Counts next = cur.at(minute, day).plus(requests, tokens);
            if (ref.compareAndSet(cur, next)) {
                return;
            }
        }
    }

    /**
     * Counts one request unless that would pass {@code rpm} or {@code rpd} (0 = no limit) or the counted input tokens
     * already reached {@code tpm} / {@code tpd}. The check and the count are one CAS, so two loops racing for the
     * last request of a minute cannot both win.
     */
    boolean tryReserve(long minute, long day, Caps limits) {
        while (true) {
            Counts cur = ref.get();
            Counts now = cur.at(minute, day);
            if (limits.blocks(now)) {
                return false;
            }
            if (ref.compareAndSet(cur, now.plus(1, 0))) {
                return true;
            }
        }
    }

    /** Takes back one request counted in this minute / day (a call Google refused never counted against quota). */
    void refund(long minute, long day) {
        while (true) {
            Counts cur = ref.get();
            if (cur.day != day) {
                return;
            }
            Counts next = new Counts(cur.minute, cur.minute == minute ? Math.max(0, cur.minuteRequests - 1) : cur.minuteRequests,
                    cur.minuteTokens, cur.day, Math.max(0, cur.dayRequests - 1), cur.dayTokens);
            if (ref.compareAndSet(cur, next)) {
                return;
            }
        }
    }

    /** Restores a persisted day count (only when nothing newer was counted). */
    void restoreDay(long day, int requests, long tokens) {
        Counts cur = ref.get();
        if (cur.day > day) {
            return;
        }
        ref.compareAndSet(cur, new Counts(-1, 0, 0, day, Math.max(cur.day == day ? cur.dayRequests : 0, requests),
                Math.max(cur.day == day ? cur.dayTokens : 0, tokens)));
    }

    /** The limits one reservation is checked against: requests before the call, counted tokens as they stand. */
    record Caps(int rpm, long rpd, long tpm, long tpd) {
        static final Caps NONE = new Caps(0, 0, 0, 0);

        static Caps of(ModelLimits.Limit l) {
            return l.isNone() ? NONE : new Caps(l.rpm(), l.rpd(), l.tpm(), l.tpd());
        }

        boolean blocks(Counts c) {
            return (rpm > 0 && c.minuteRequests() + 1 > rpm)
                    || (rpd > 0 && c.dayRequests() + 1 > rpd)
                    || (tpm > 0 && c.minuteTokens() >= tpm)
                    || (tpd > 0 && c.dayTokens() >= tpd);
        }
    }
}
