package gemgate.core.keys;

import gemgate.core.error.ApiError;
import gemgate.core.stats.UsageStats;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Gemini keys and their health per key and per model, shared by all event loops.
 *
 * <p>{@link #next} picks a key for one call to a model: not invalid, not disabled, not resting (a per-minute 429
 * cools key x model for Google's retryDelay; a per-day 429 parks it until midnight America/Los_Angeles), and not at
 * a local limit (the {@link ModelLimits} table and the per-key daily cap: a call the local count says would pass
 * them is not sent). Among usable keys it prefers the one with most headroom for that model, rotating among ties.
 * Picking is lock-free: a scan of an immutable array, a CAS on one cursor and a CAS on the counters it reserves.
 * Outcomes come back through {@link #onSuccess} and {@link #onFailure}; an invalid key leaves the rotation until a
 * re-check ({@link #dueForValidation}, {@link #onValidation}) finds it valid again.
 *
 * <p>Keys can be added, removed and disabled at runtime (copy-on-write of the array under an admin-only lock). State
 * worth keeping across restarts is exported as a JSON-able tree ({@link #exportState}); the change listener is told
 * (cheaply, without I/O) whenever it changed.
 */
public final class KeyPool {
    /** Rest after a 429 that names no retry delay. */
    static final Duration DEFAULT_COOLDOWN = Duration.ofSeconds(60);
    /** Keys taken from one pasted text at most. */
    public static final int MAX_KEYS_PER_ADD = 10_000;

    private static final Logger log = LoggerFactory.getLogger(KeyPool.class);

    /**
     * @param limits per-model limits ({@link ModelLimits#none()} = only Google's answers count)
     * @param dailyLimit requests per key per quota day across models, 0 = none (hajimi's API_KEY_DAILY_LIMIT)
     * @param revalidateAfter first re-check of an invalid key; the wait doubles after each failed check...
     * @param revalidateMax ...up to this
     */
    public record Options(ModelLimits limits, int dailyLimit, Duration revalidateAfter, Duration revalidateMax) {
        public Options {
            if (limits == null || revalidateAfter == null || revalidateMax == null) {
                throw new IllegalArgumentException("limits, revalidateAfter and revalidateMax are required");
            }
            if (dailyLimit < 0) {
                throw new IllegalArgumentException("dailyLimit must be >= 0 (0 = none), got " + dailyLimit);
            }
            if (revalidateAfter.isNegative() || revalidateAfter.isZero() || revalidateMax.compareTo(revalidateAfter) < 0) {
                throw new IllegalArgumentException("revalidateAfter must be > 0 and <= revalidateMax");
            }
        }

        /** No local limits, no daily cap, re-checks after 10 min doubling to 6 h. */
        public static Options defaults() {
            return new Options(ModelLimits.none(), 0, Duration.ofMinutes(10), Duration.ofHours(6));
        }
    }

    private final Clock clock;
    private final Options options;
    private final UsageStats stats;
    private final QuotaDay quotaDay = new QuotaDay();
    private final Usage.Caps keyCaps;
    /** Runtime edits of {@link #keys} (add, remove, disable, tombstones, restore); copy-on-write under its own lock. */
    private final KeyRoster roster;
    /** Taking invalid keys out and re-checking them. */
    private final Revalidation revalidation;

    private volatile PooledKey[] keys;
    /** Index of the key to try first next time. */
    private final AtomicInteger cursor = new AtomicInteger();
    private volatile Runnable changeListener = () -> { };

    /** Blank entries and duplicates are dropped (a key listed twice would get twice the traffic). No local limits. */
    public KeyPool(List<String> keys, Clock clock) {
        this(keys, Options.defaults(), new UsageStats(requireClock(clock)), clock);
    }

    public KeyPool(List<String> keys, Options options, UsageStats stats, Clock clock) {
        if (keys == null || clock == null || options == null || stats == null) {
            throw new IllegalArgumentException("keys, options, stats and clock are required (keys may be an empty list)");
        }
        Set<String> distinct = KeyRoster.distinct(keys);
        this.keys = KeyRoster.environmentKeys(distinct);
        this.roster = new KeyRoster(distinct, () -> this.keys, a -> this.keys = a, this::changed);
        this.clock = clock;
        this.options = options;
        this.stats = stats;
        this.keyCaps = options.dailyLimit() > 0 ? new Usage.Caps(0, options.dailyLimit(), 0, 0) : Usage.Caps.NONE;
        this.revalidation = new Revalidation(options);
    }

    private static Clock requireClock(Clock c) {
        if (c == null) {
            throw new IllegalArgumentException("keys, options, stats and clock are required (keys may be an empty list)");
        }
        return c;
    }

    public int size() {
        return keys.length;
    }

    /** The keys right now, in rotation order. */
    public List<PooledKey> keys() {
        return List.of(keys);
    }

    public Optional<PooledKey> find(String id) {
        for (PooledKey k : keys) {
            if (k.id().equals(id)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }

    public UsageStats stats() {
        return stats;
    }

    public Options options() {
        return options;
    }

    /** Called, on whatever thread made the change, when state that {@link #exportState()} holds changed. Must be cheap. */
    public void setChangeListener(Runnable listener) {
        this.changeListener = listener == null ? () -> { } : listener;
    }

    private void changed() {
        try {
            changeListener.run();
        } catch (RuntimeException e) {
            log.warn("key state change listener failed: {}", e.toString());
        }
    }

    /** Keys usable right now for a call that names no model (ignoring any request's tried set). */
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

    // ---- selection ----

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
     * The call is counted against the key's minute and day at once (and taken back if Google refuses it).
     * The token estimate only ranks keys: a key is skipped for tokens once its counted input tokens reach a limit.
     */
    public Optional<PooledKey> next(String model, long estimatedInputTokens, Set<PooledKey> tried) {
        PooledKey[] arr = keys;
        int n = arr.length;
        if (n == 0) {
            return Optional.empty();
        }
        long now = clock.millis();
        long minute = Math.floorDiv(now, 60_000L);
        long day = quotaDay.day(now).number();
        String m = model == null ? null : ModelLimits.normalise(model);
        ModelLimits.Limit limit = m == null ? ModelLimits.Limit.NONE : options.limits().forModel(m);
        Usage.Caps caps = Usage.Caps.of(limit);
        long estimate = Math.max(0, estimatedInputTokens);
        while (true) {
            int raw = cursor.get();
            int start = Math.floorMod(raw, n);
            PooledKey best = null;
            int bestPos = -1;
            int bestScore = -1;
            for (int i = 0; i < n; i++) {
                int pos = (start + i) % n;
                PooledKey k = arr[pos];
                if ((tried != null && tried.contains(k)) || !k.usableAt(now)) {
                    continue;
                }
                Usage.Counts kc = k.all.usage.at(minute, day);
                if (keyCaps.blocks(kc)) {
                    continue;
                }
                ModelState ms = m == null ? null : k.peek(m);
                if (ms != null && ms.restingAt(now)) {
                    continue;
                }
                Usage.Counts mc = ms == null ? Usage.Counts.ZERO : ms.usage.at(minute, day);
                if (caps.blocks(mc)) {
                    continue;
                }
                int score = Math.min(headroom(limit, mc, estimate), headroom(options.dailyLimit(), kc.dayRequests()));
                if (score > bestScore) {
                    best = k;
                    bestPos = pos;
                    bestScore = score;
                    if (score >= 100) {
                        break; // nothing beats an untouched key: take the first in rotation order
                    }
                }
            }
            if (best == null) {
                return Optional.empty();
            }
            // Moving the cursor just past the chosen key keeps the rotation fair when keys are skipped: the key
            // after a cooling one does not get its turn too.
            if (!cursor.compareAndSet(raw, (bestPos + 1) % n)) {
                continue;
            }
            if (reserve(best, m, caps, minute, day, now)) {
                changed();
                return Optional.of(best);
            }
            // Another loop took the last request of this minute or day on that key: look again.
        }
    }

    private boolean reserve(PooledKey k, String model, Usage.Caps caps, long minute, long day, long now) {
        if (!k.all.usage.tryReserve(minute, day, keyCaps)) {
            return false;
        }
        if (model != null) {
            ModelState ms = k.model(model, now, day);
            if (ms != null && !ms.usage.tryReserve(minute, day, caps)) {
                k.all.usage.refund(minute, day);
                return false;
            }
        }
        return true;
    }

    /** 0-100: the smallest share of a limit left after this call; 100 when there are no limits. */
    private static int headroom(ModelLimits.Limit l, Usage.Counts c, long estimate) {
        int s = 100;
        if (l.rpm() > 0) {
            s = Math.min(s, percent(l.rpm() - c.minuteRequests() - 1, l.rpm()));
        }
        if (l.rpd() > 0) {
            s = Math.min(s, percent(l.rpd() - c.dayRequests() - 1, l.rpd()));
        }
        if (l.tpm() > 0) {
            s = Math.min(s, percent(l.tpm() - c.minuteTokens() - Math.min(estimate, l.tpm()), l.tpm()));
        }
        if (l.tpd() > 0) {
            s = Math.min(s, percent(l.tpd() - c.dayTokens() - Math.min(estimate, l.tpd()), l.tpd()));
        }
        return s;
    }

    private static int headroom(long dailyLimit, int used) {
        return dailyLimit <= 0 ? 100 : percent(dailyLimit - used - 1, dailyLimit);
    }

    private static int percent(long left, long limit) {
        return left <= 0 ? 0 : (int) Math.min(100, left * 100 / limit);
    }

    // ---- outcomes ----

    public void onSuccess(PooledKey key) {
        onSuccess(key, null, 0, 0);
    }

    /** A call to {@code model} succeeded with the given token counts (0 when unknown): clears the failure streaks. */
    public void onSuccess(PooledKey key, String model, long inputTokens, long outputTokens) {
        long now = clock.millis();
        long minute = Math.floorDiv(now, 60_000L);
        long day = quotaDay.day(now).number();
        long in = Math.max(0, inputTokens);
        key.all.recordSuccess(now);
        key.all.usage.add(minute, day, 0, in);
        String m = model == null ? null : ModelLimits.normalise(model);
        if (m != null) {
            ModelState ms = key.model(m, now, day);
            if (ms != null) {
                ms.recordSuccess(now);
                ms.usage.add(minute, day, 0, in);
            }
        }
        stats.record(key.id(), m, in, outputTokens, false);
        changed();
    }

    /**
     * Records a failed attempt. A client error says nothing about the key: it counts in the statistics only. An
     * invalid key leaves the rotation; a per-minute 429 cools key x model for Google's retry delay (60 s when none);
     * a per-day 429 parks key x model until the next midnight in Los Angeles. Everything else is only counted.
     */
    public void onFailure(PooledKey key, UpstreamFailure failure) {
        onFailure(key, null, failure);
    }

    /** A call to {@code model} (null = not model-specific, e.g. listing models: rests then apply to the whole key) failed. */
    public void onFailure(PooledKey key, String model, UpstreamFailure failure) {
        long now = clock.millis();
        long minute = Math.floorDiv(now, 60_000L);
        QuotaDay.Day day = quotaDay.day(now);
        String m = model == null ? null : ModelLimits.normalise(model);
        stats.record(key.id(), m, 0, 0, true);
        UpstreamFailure.Kind kind = failure.kind();
        if (m != null && (kind == UpstreamFailure.Kind.CLIENT_ERROR || kind == UpstreamFailure.Kind.RATE_LIMITED
                || kind == UpstreamFailure.Kind.KEY_INVALID)) {
            // Google refused the call before running it: it used none of the key's quota.
            key.all.usage.refund(minute, day.number());
            ModelState ms = key.peek(m);
            if (ms != null) {
                ms.usage.refund(minute, day.number());
            }
        }
        if (kind == UpstreamFailure.Kind.CLIENT_ERROR) {
            changed();
            return;
        }
        key.all.recordFailure(failure, now);
        ModelState ms = m == null ? null : key.model(m, now, day.number());
        if (ms != null) {
            ms.recordFailure(failure, now);
        }
        switch (kind) {
            case KEY_INVALID -> markInvalid(key, now, failure);
            case RATE_LIMITED -> {
                ModelState target = m == null ? key.all : ms;
                if (target == null) {
                    break; // an untracked model (the per-key table is full of busy ones): nothing to rest
                }
                String what = m == null ? "" : " for " + m;
                if (failure.perDay()) {
                    target.exhaustedUntil.accumulateAndGet(day.endMillis(), Math::max);
                    log.info("Gemini key {}{} is out of today's quota: parked until {} (midnight Pacific time)",
                            key.masked(), what, Instant.ofEpochMilli(day.endMillis()));
                } else {
                    long until = now + (failure.retryAfter() != null ? failure.retryAfter() : DEFAULT_COOLDOWN).toMillis();
                    target.coolingUntil.accumulateAndGet(until, Math::max);
                    log.info("Gemini key {}{} cooling down until {} after Google's rate limit", key.masked(), what,
                            Instant.ofEpochMilli(until));
                }
            }
            default -> { }
        }
        changed();
    }

    private void markInvalid(PooledKey key, long now, UpstreamFailure failure) {
        revalidation.markInvalid(key, now, failure);
    }

    // ---- validation (the invalid key's life is in Revalidation) ----

    /** Invalid keys (not disabled) whose re-check is due now; the validator calls {@link #onValidation} for each. */
    public List<PooledKey> dueForValidation() {
        return Revalidation.due(keys, clock.millis());
    }

    /**
     * The result of a cheap check of {@code key} (listing models): {@code failure} null = valid. Valid (or only
     * rate-limited) brings an invalid key back; invalid takes it out, or doubles the wait before the next re-check
     * (up to the maximum); anything else (timeout, server error) says nothing and the re-check is repeated later.
     */
    public void onValidation(PooledKey key, UpstreamFailure failure) {
        if (revalidation.onValidation(key, failure, clock.millis())) {
            changed();
        }
    }

    // ---- why nothing is usable ----

    /** The 503 to answer when {@link #next} found nothing: how many keys are invalid or cooling and when one returns. */
    public ApiError unavailableError() {
        return unavailableError(null);
    }

    /** Like {@link #unavailableError()}, for requests to {@code model} (null = any). */
    public ApiError unavailableError(String model) {
        return Unavailability.explain(keys, model, clock.millis(), quotaDay, options, keyCaps);
    }

    // ---- snapshots ----

    /** Every key's state for the dashboard and the admin API, masked. */
    public List<KeyStatus> snapshot() {
        return KeyPoolSnapshot.of(keys, clock.millis(), quotaDay, options, keyCaps);
    }

    /**
     * The admin page's view as a JSON-able tree: every key ({@link KeyStatus#toJson()}), counts per state, the
     * effective limits table and the per-key daily cap. Never a full key.
     */
    public Map<String, Object> snapshotJson() {
        List<KeyStatus> all = snapshot();
        long quotaDayEnds = quotaDay.day(clock.millis()).endMillis();
        return KeyPoolSnapshot.toJson(all, options, quotaDayEnds, roster.removedEnvironmentKeys());
    }

    // ---- administration (copy-on-write in KeyRoster; never on the hot path) ----

    /**
     * Adds the keys found in {@code text} (Google keys anywhere in it; other key-like tokens separated by commas or
     * newlines). Keys already in the pool are reported, not duplicated; an environment key removed earlier comes
     * back (its tombstone goes). New keys are usable at once; validate them with the key validator.
     */
    public AddResult addKeys(String text) {
        return roster.add(text);
    }

    /**
     * Removes a key by id. A key from GEMINI_API_KEYS gets a tombstone so it stays out after restarts; the result
     * says it is still listed there.
     */
    public RemoveResult remove(String id) {
        return roster.remove(id);
    }

    /** Takes a key out of rotation by hand (or puts it back). False when no key has that id. */
    public boolean setDisabled(String id, boolean disabled) {
        return roster.setDisabled(id, disabled);
    }

    /** Removes every invalid key (environment ones get tombstones). */
    public List<RemoveResult> clearInvalid() {
        return roster.clearInvalid();
    }

    /** The full text of every key not found invalid (disabled ones included): for the explicit export only. */
    public List<String> exportValid() {
        return roster.valid();
    }

    // ---- persistence ----

    /** The persisted state as a JSON-able tree; see {@link KeyPoolState}. Holds runtime-added keys in full. */
    public Map<String, Object> exportState() {
        Set<String> tomb = roster.tombstones();
        long now = clock.millis();
        return KeyPoolState.export(keys, tomb, quotaDay.day(now), now);
    }

    /**
     * Restores {@link #exportState()}'s tree: tombstoned environment keys leave, runtime keys come back, disabled and
     * invalid flags, rests still in the future and today's counters (those of an earlier quota day are dropped).
     * Malformed parts are skipped. Meant for start-up, before serving.
     */
    public void importState(Map<String, Object> state) {
        roster.restore(state, quotaDay, clock.millis());
    }
}
