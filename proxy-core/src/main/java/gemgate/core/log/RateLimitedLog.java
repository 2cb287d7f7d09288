package gemgate.core.log;

import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;

/**
 * Summarises repeated warnings: at most one line per key per interval; the next line that gets through says how many
 * were dropped, as {@code "... (k similar suppressed)"}. A burst of identical failures (a dead upstream, a scanner
 * hammering the port) costs one line a minute instead of one per event. Thread-safe; the number of keys tracked is
 * bounded (when full, the table is cleared, which at worst lets one extra line through per key).
 */
public final class RateLimitedLog {
    private final Logger log;
    private final long intervalMillis;
    private final int maxKeys;
    private final Clock clock;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    private static final class Entry {
        long lastMillis = Long.MIN_VALUE;
        int suppressed;
    }

    public RateLimitedLog(Logger log, Duration interval, int maxKeys, Clock clock) {
        this.log = Objects.requireNonNull(log, "log");
        if (interval == null || interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be a positive duration, got " + interval);
        }
        if (maxKeys < 1) {
            throw new IllegalArgumentException("maxKeys must be >= 1, got " + maxKeys);
        }
        this.intervalMillis = interval.toMillis();
        this.maxKeys = maxKeys;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Logs at WARN unless a line with the same key went out less than an interval ago. */
    public void warn(String key, String format, Object... args) {
        if (!log.isWarnEnabled()) {
            return;
        }
        int dropped = admit(key);
        if (dropped < 0) {
            return;
        }
        if (dropped == 0) {
            log.warn(format, args);
            return;
        }
        log.warn(format + " ({} similar suppressed)", withCount(args, dropped));
    }

    /** -1 when suppressed; otherwise how many were suppressed since the last line with this key. */
    int admit(String key) {
        if (entries.size() >= maxKeys && !entries.containsKey(key)) {
            entries.clear();
        }
        Entry e = entries.computeIfAbsent(key, k -> new Entry());
        long now = clock.millis();
        synchronized (e) {
            if (e.lastMillis != Long.MIN_VALUE && now - e.lastMillis < intervalMillis) {
                e.suppressed++;
                return -1;
            }
            int n = e.suppressed;
            e.suppressed = 0;
            e.lastMillis = now;
            return n;
        }
    }

    /** The count goes before a trailing Throwable, which slf4j only treats as the exception when it is last. */
    private static Object[] withCount(Object[] args, int count) {
        Object[] out = Arrays.copyOf(args, args.length + 1);
        if (args.length > 0 && args[args.length - 1] instanceof Throwable t) {
            out[args.length - 1] = count;
            out[args.length] = t;
        } else {
            out[args.length] = count;
        }
        return out;
    }
}
