package gemgate.core.keys;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Health and usage of one key for one model ({@code model} null = the key as a whole: all models' requests, and
 * rests ordered by calls that name no model). Every field is atomic or volatile on its own and written by whichever
 * event loop saw the outcome; a reader may see a mix of two updates, which only ever costs one extra attempt.
 */
final class ModelState {
    final String model;
    final Usage usage = new Usage();
    /** Epoch millis until which this rests after a per-minute 429; only ever raised. */
    final AtomicLong coolingUntil = new AtomicLong();
    /** Epoch millis of the quota reset this is parked until after a per-day 429 (or its local daily limit). */
    final AtomicLong exhaustedUntil = new AtomicLong();
    final AtomicInteger consecutiveFailures = new AtomicInteger();
    final AtomicLong successes = new AtomicLong();
    final AtomicLong failures = new AtomicLong();
    volatile long lastSuccessMillis;
    volatile long lastErrorMillis;
    volatile UpstreamFailure.Kind lastErrorKind;
    volatile String lastError;

    ModelState(String model) {
        this.model = model;
    }

    boolean restingAt(long now) {
        return coolingUntil.get() > now || exhaustedUntil.get() > now;
    }

    /** Nothing worth keeping: no use today, no rest, no error. Such entries make room when the per-key cap is hit. */
    boolean idle(long now, long day) {
        Usage.Counts c = usage.raw();
        return (c.day() != day || c.dayRequests() == 0) && !restingAt(now) && lastErrorKind == null;
    }

    void recordFailure(UpstreamFailure f, long now) {
        failures.incrementAndGet();
        consecutiveFailures.incrementAndGet();
        lastErrorKind = f.kind();
        lastError = f.message();
        lastErrorMillis = now;
    }

    void recordSuccess(long now) {
        consecutiveFailures.set(0);
        successes.incrementAndGet();
        lastSuccessMillis = now;
    }
}
