package gemgate.core.keys;

import gemgate.core.error.ApiError;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Gemini keys and their health, shared by all event loops. {@link #next} hands out usable keys round-robin: not
 * invalid (Google said the key is bad, suspended or lacks the API) and not cooling down (Google said 429). Picking is
 * lock-free: a CAS on one cursor over an immutable array; outcomes are reported back with {@link #onSuccess} and
 * {@link #onFailure}. Invalid keys stay out until restart, rather than being retried on every request as hajimi does.
 */
public final class KeyPool {
    /** Google resets per-day quotas at midnight Pacific time. */
    static final ZoneId QUOTA_ZONE = ZoneId.of("America/Los_Angeles");
    /** Rest after a 429 that names no retry delay. */
    static final Duration DEFAULT_COOLDOWN = Duration.ofSeconds(60);
    /** What to tell clients when every key is invalid: nothing changes until the operator fixes the keys. */
    static final long ALL_INVALID_RETRY_SECONDS = 300;

    private static final Logger log = LoggerFactory.getLogger(KeyPool.class);

    private final PooledKey[] keys;
    private final Clock clock;
    /** Index of the key to try first next time; always in [0, size). */
    private final AtomicInteger cursor = new AtomicInteger();

    /** Blank entries and duplicates are dropped (a key listed twice would get twice the traffic). */
    public KeyPool(List<String> keys, Clock clock) {
        if (keys == null || clock == null) {
            throw new IllegalArgumentException("keys and clock are required (keys may be an empty list)");
        }
        Set<String> distinct = new LinkedHashSet<>();
        for (String k : keys) {
            if (k != null && !k.isBlank()) {
                distinct.add(k.trim());
            }
        }
        PooledKey[] arr = new PooledKey[distinct.size()];
        int i = 0;
        for (String k : distinct) {
            arr[i] = new PooledKey(k, i);
            i++;
        }
        this.keys = arr;
        this.clock = clock;
    }

    public int size() {
        return keys.length;
    }

    /** Keys usable right now (ignoring any request's tried set). */
    public int usable() {
        long now = clock.millis();
        int n = 0;
        for (PooledKey k : keys) {
            if (k.usableAt(now)) {
                n++;
            }
        }
        return n;
    }

    /**
     * The next usable key after the one handed out last, skipping those in {@code tried} (may be null). Empty when
     * none is usable; then {@link #unavailableError()} says why.
     */
    public Optional<PooledKey> next(Set<PooledKey> tried) {
        return next(null, 0, tried);
    }

    /**
     * The key to use for one call to {@code model} (the upstream model id, e.g. gemini-2.5-flash; null = any) that
     * is expected to send about {@code estimatedInputTokens} input tokens (0 = unknown), skipping {@code tried}.
     */
    public Optional<PooledKey> next(String model, long estimatedInputTokens, Set<PooledKey> tried) {
        int n = keys.length;
        if (n == 0) {
            return Optional.empty();
        }
        long now = clock.millis();
        while (true) {
            int start = cursor.get();
            PooledKey found = null;
            for (int i = 0; i < n; i++) {
                PooledKey k = keys[(start + i) % n];
                if (k.usableAt(now) && (tried == null || !tried.contains(k))) {
                    found = k;
                    break;
                }
            }
            if (found == null) {
                return Optional.empty();
            }
            // Moving the cursor just past the chosen key keeps the rotation fair when keys are skipped: the key
            // after a cooling one does not get its turn too.
            if (cursor.compareAndSet(start, (found.index + 1) % n)) {
                return Optional.of(found);
            }
        }
    }

    public void onSuccess(PooledKey key) {
        onSuccess(key, null, 0, 0);
    }

    /** A call to {@code model} succeeded with the given token counts (0 when unknown). */
    public void onSuccess(PooledKey key, String model, long inputTokens, long outputTokens) {
        key.consecutiveFailures.set(0);
        key.successes.incrementAndGet();
    }

    /**
     * Records a failed attempt. A client error says nothing about the key and is ignored. An invalid key leaves the
     * rotation; a rate-limited one rests for Google's retry delay (60 s when none), or until the next midnight in
     * Los Angeles for a per-day quota. Everything else is only counted.
     */
    public void onFailure(PooledKey key, UpstreamFailure failure) {
        onFailure(key, null, failure);
    }

    /** A call to {@code model} (null = not model-specific, e.g. listing models) failed. */
    public void onFailure(PooledKey key, String model, UpstreamFailure failure) {
        if (failure.kind() == UpstreamFailure.Kind.CLIENT_ERROR) {
            return;
        }
        key.failures.incrementAndGet();
        key.consecutiveFailures.incrementAndGet();
        key.lastErrorKind = failure.kind();
        key.lastErrorMessage = failure.message();
        switch (failure.kind()) {
            case KEY_INVALID -> {
                if (!key.invalid) {
                    key.invalid = true;
                    log.warn("Gemini key {} ({}) taken out of rotation: HTTP {} {}", key.masked(), key.fingerprint(),
                            failure.httpStatus(), failure.message());
                }
            }
            case RATE_LIMITED -> {
                long now = clock.millis();
                long until = failure.perDay()
                        ? nextQuotaReset(Instant.ofEpochMilli(now)).toEpochMilli()
                        : now + (failure.retryAfter() != null ? failure.retryAfter() : DEFAULT_COOLDOWN).toMillis();
                key.coolingUntilMillis.accumulateAndGet(until, Math::max);
                log.info("Gemini key {} cooling down until {} after Google's rate limit{}", key.masked(),
                        Instant.ofEpochMilli(until), failure.perDay() ? " (daily quota)" : "");
            }
            default -> { }
        }
    }

    /** Next midnight in America/Los_Angeles, DST included (the day may have 23 or 25 hours). */
    static Instant nextQuotaReset(Instant now) {
        LocalDate today = now.atZone(QUOTA_ZONE).toLocalDate();
        return today.plusDays(1).atStartOfDay(QUOTA_ZONE).toInstant();
    }

    /** The 503 to answer when {@link #next} found nothing: how many keys are invalid or cooling and when one returns. */
    public ApiError unavailableError() {
        return unavailableError(null);
    }

    /** Like {@link #unavailableError()}, for requests to {@code model} (null = any). */
    public ApiError unavailableError(String model) {
        int n = keys.length;
        if (n == 0) {
            return ApiError.noKeysConfigured();
        }
        long now = clock.millis();
        int invalid = 0;
        int cooling = 0;
        long firstBack = Long.MAX_VALUE;
        for (PooledKey k : keys) {
            if (k.invalid) {
                invalid++;
            } else {
                long until = k.coolingUntilMillis.get();
                if (until > now) {
                    cooling++;
                    firstBack = Math.min(firstBack, until);
                }
            }
        }
        int tried = n - invalid - cooling;
        List<String> parts = new ArrayList<>(3);
        long retryAfter;
        if (invalid > 0) {
            parts.add(invalid + " invalid");
        }
        if (cooling > 0) {
            retryAfter = Math.max(1, (firstBack - now + 999) / 1000);
            parts.add(cooling + " cooling down after Google's rate limit (the first is back in " + retryAfter + " s)");
        } else if (tried > 0) {
            retryAfter = 1;
        } else {
            retryAfter = ALL_INVALID_RETRY_SECONDS;
        }
        if (tried > 0) {
            parts.add(tried + " already failed for this request");
        }
        String head = n == 1 ? "The only Gemini key is unavailable: " : "All " + n + " Gemini keys are unavailable: ";
        String tail = invalid == n ? ". Google rejected them; replace them in GEMINI_API_KEYS." : ".";
        return ApiError.keysUnavailable(head + String.join(", ", parts) + tail, retryAfter);
    }

    /** Every key's state for the dashboard, masked. */
    public List<KeyStatus> snapshot() {
        long now = clock.millis();
        List<KeyStatus> out = new ArrayList<>(keys.length);
        for (PooledKey k : keys) {
            long until = k.coolingUntilMillis.get();
            KeyStatus.State state = k.invalid ? KeyStatus.State.INVALID
                    : until > now ? KeyStatus.State.COOLING : KeyStatus.State.ACTIVE;
            out.add(new KeyStatus(k.masked(), k.fingerprint(), state,
                    state == KeyStatus.State.COOLING ? Instant.ofEpochMilli(until) : null,
                    k.consecutiveFailures.get(), k.successes.get(), k.failures.get(), k.lastErrorKind, k.lastErrorMessage));
        }
        return out;
    }
}
