package gemgate.core.keys;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The pool's state as the dashboard and the admin API show it: per key and per model, masked. Reads the keys'
 * counters and rests at one instant, changes nothing. Never holds a full key.
 */
final class KeyPoolSnapshot {
    private KeyPoolSnapshot() {
    }

    /**
     * Every key's state at {@code now}, masked, in rotation order.
     *
     * @param keyCaps the per-key daily cap across models, as {@link KeyPool} enforces it
     */
    static List<KeyStatus> of(PooledKey[] arr, long now, QuotaDay quotaDay, KeyPool.Options options,
            Usage.Caps keyCaps) {
        long minute = Math.floorDiv(now, 60_000L);
        long day = quotaDay.day(now).number();
        List<KeyStatus> out = new ArrayList<>(arr.length);
        for (PooledKey k : arr) {
            out.add(status(k, now, minute, day, quotaDay, options, keyCaps));
        }
        return out;
    }

    private static KeyStatus status(PooledKey k, long now, long minute, long day, QuotaDay quotaDay,
            KeyPool.Options options, Usage.Caps keyCaps) {
        ModelState all = k.all;
        long ex = all.exhaustedUntil.get();
        long cool = all.coolingUntil.get();
        Usage.Counts kc = all.usage.at(minute, day);
        KeyStatus.State state;
        Instant until = null;
        if (k.disabled) {
            state = KeyStatus.State.DISABLED;
        } else if (k.invalid) {
            state = KeyStatus.State.INVALID;
        } else if (ex > now || keyCaps.blocks(kc)) {
            state = KeyStatus.State.EXHAUSTED;
            until = Instant.ofEpochMilli(ex > now ? ex : quotaDay.day(now).endMillis());
        } else if (cool > now) {
            state = KeyStatus.State.COOLING;
            until = Instant.ofEpochMilli(cool);
        } else {
            state = KeyStatus.State.ACTIVE;
        }
        List<KeyStatus.ModelStatus> models = new ArrayList<>();
        for (ModelState ms : k.models()) {
            models.add(modelStatus(ms, now, minute, day, quotaDay, options));
        }
        return new KeyStatus(k.masked(), k.fingerprint(), state, until, all.consecutiveFailures.get(),
                all.successes.get(), all.failures.get(), all.lastErrorKind, all.lastError, k.source(),
                instant(all.lastSuccessMillis), instant(all.lastErrorMillis), kc.minuteRequests(), kc.dayRequests(),
                kc.dayTokens(), options.dailyLimit(), instant(k.invalidSinceMillis),
                k.invalid ? instant(k.nextCheckMillis) : null, models);
    }

    private static KeyStatus.ModelStatus modelStatus(ModelState ms, long now, long minute, long day,
            QuotaDay quotaDay, KeyPool.Options options) {
        ModelLimits.Limit limit = options.limits().forModel(ms.model);
        Usage.Counts c = ms.usage.at(minute, day);
        long ex = ms.exhaustedUntil.get();
        long cool = ms.coolingUntil.get();
        KeyStatus.State state = KeyStatus.State.ACTIVE;
        Instant until = null;
        if (ex > now || new Usage.Caps(0, limit.rpd(), 0, limit.tpd()).blocks(c)) {
            state = KeyStatus.State.EXHAUSTED;
            until = Instant.ofEpochMilli(ex > now ? ex : quotaDay.day(now).endMillis());
        } else if (cool > now) {
            state = KeyStatus.State.COOLING;
            until = Instant.ofEpochMilli(cool);
        } else if (Usage.Caps.of(limit).blocks(c)) {
            state = KeyStatus.State.COOLING;
            until = Instant.ofEpochMilli((minute + 1) * 60_000L);
        }
        return new KeyStatus.ModelStatus(ms.model, state, until, c.minuteRequests(), c.dayRequests(),
                c.minuteTokens(), c.dayTokens(), limit, ms.consecutiveFailures.get(), ms.successes.get(),
                ms.failures.get(), instant(ms.lastSuccessMillis), instant(ms.lastErrorMillis), ms.lastErrorKind,
                ms.lastError);
    }

    private static Instant instant(long millis) {
        return millis <= 0 ? null : Instant.ofEpochMilli(millis);
    }

    /**
     * The admin page's view as a JSON-able tree: every key ({@link KeyStatus#toJson()}), counts per state, the
     * effective limits table and the per-key daily cap. Never a full key.
     *
     * @param quotaDayEndMillis when today's quota day ends (next midnight Pacific time)
     * @param removedEnvironmentKeys how many environment keys are kept out by a tombstone
     */
    static Map<String, Object> toJson(List<KeyStatus> all, KeyPool.Options options, long quotaDayEndMillis,
            long removedEnvironmentKeys) {
        Map<String, Object> root = new LinkedHashMap<>();
        Map<String, Object> counts = new LinkedHashMap<>();
        counts.put("total", (long) all.size());
        for (KeyStatus.State s : KeyStatus.State.values()) {
            counts.put(s.name().toLowerCase(Locale.ROOT), 0L);
        }
        List<Object> list = new ArrayList<>(all.size());
        for (KeyStatus k : all) {
            counts.merge(k.state().name().toLowerCase(Locale.ROOT), 1L, (a, b) -> (Long) a + (Long) b);
            list.add(k.toJson());
        }
        root.put("summary", counts);
        root.put("keys", list);
        root.put("daily_limit", (long) options.dailyLimit());
        root.put("model_limits", options.limits().toJson());
        root.put("quota_day_ends", Instant.ofEpochMilli(quotaDayEndMillis).toString());
        root.put("removed_environment_keys", removedEnvironmentKeys);
        return root;
    }
}
