package gemgate.core.keys;

import gemgate.core.error.ApiError;
import java.util.ArrayList;
import java.util.List;

/**
 * Why {@link KeyPool#next} found no key: the 503 that says how many keys are invalid, disabled, cooling, out of
 * today's quota or at a local per-minute limit, and when the first one is back (that is the Retry-After).
 * Reads the pool's state, changes nothing.
 */
final class Unavailability {
    /** What to tell clients when every key is invalid: nothing changes until the operator fixes the keys. */
    static final long ALL_INVALID_RETRY_SECONDS = 300;

    private Unavailability() {
    }

    /**
     * The 503 for a request to {@code model} (null = any) when none of {@code arr} could be picked at {@code now}.
     *
     * @param keyCaps the per-key daily cap across models, as {@link KeyPool} enforces it
     */
    static ApiError explain(PooledKey[] arr, String model, long now, QuotaDay quotaDay, KeyPool.Options options,
            Usage.Caps keyCaps) {
        int n = arr.length;
        if (n == 0) {
            return ApiError.noKeysConfigured();
        }
        long minute = Math.floorDiv(now, 60_000L);
        QuotaDay.Day day = quotaDay.day(now);
        String m = model == null ? null : ModelLimits.normalise(model);
        ModelLimits.Limit limit = m == null ? ModelLimits.Limit.NONE : options.limits().forModel(m);
        Usage.Caps caps = Usage.Caps.of(limit);
        int invalid = 0;
        int disabled = 0;
        int cooling = 0;
        int exhausted = 0;
        int localMinute = 0;
        long firstCool = Long.MAX_VALUE;
        long firstExhausted = Long.MAX_VALUE;
        for (PooledKey k : arr) {
            if (k.disabled) {
                disabled++;
                continue;
            }
            if (k.invalid) {
                invalid++;
                continue;
            }
            ModelState ms = m == null ? null : k.peek(m);
            long ex = Math.max(k.all.exhaustedUntil.get(), ms == null ? 0 : ms.exhaustedUntil.get());
            long cool = Math.max(k.all.coolingUntil.get(), ms == null ? 0 : ms.coolingUntil.get());
            Usage.Counts kc = k.all.usage.at(minute, day.number());
            Usage.Counts mc = ms == null ? Usage.Counts.ZERO : ms.usage.at(minute, day.number());
            boolean dailyLocal = keyCaps.blocks(kc) || new Usage.Caps(0, caps.rpd(), 0, caps.tpd()).blocks(mc);
            if (ex > now || dailyLocal) {
                exhausted++;
                firstExhausted = Math.min(firstExhausted, ex > now ? ex : day.endMillis());
            } else if (cool > now) {
                cooling++;
                firstCool = Math.min(firstCool, cool);
            } else if (caps.blocks(mc)) {
                localMinute++;
            }
        }
        int tried = n - invalid - disabled - cooling - exhausted - localMinute;
        List<String> parts = new ArrayList<>(6);
        long retryAfter = Long.MAX_VALUE;
        String forModel = m == null ? "" : " for " + m;
        if (invalid > 0) {
            parts.add(invalid + " invalid");
        }
        if (disabled > 0) {
            parts.add(disabled + " disabled");
        }
        if (cooling > 0) {
            long s = Math.max(1, (firstCool - now + 999) / 1000);
            retryAfter = Math.min(retryAfter, s);
            parts.add(cooling + " cooling down after Google's rate limit" + forModel + " (the first is back in " + s + " s)");
        }
        if (exhausted > 0) {
            long s = Math.max(1, (firstExhausted - now + 999) / 1000);
            retryAfter = Math.min(retryAfter, s);
            parts.add(exhausted + " out of today's quota" + forModel + " (back after midnight Pacific time, in "
                    + hoursMinutes(s) + ")");
        }
        if (localMinute > 0) {
            long s = Math.max(1, ((minute + 1) * 60_000L - now + 999) / 1000);
            retryAfter = Math.min(retryAfter, s);
            parts.add(localMinute + " at the per-minute limit" + forModel + " (" + describe(limit)
                    + "; the next minute starts in " + s + " s)");
        }
        if (tried > 0) {
            parts.add(tried + " already failed for this request");
            retryAfter = Math.min(retryAfter, 1);
        }
        if (retryAfter == Long.MAX_VALUE) {
            retryAfter = ALL_INVALID_RETRY_SECONDS;
        }
        String head = n == 1 ? "The only Gemini key is unavailable: " : "All " + n + " Gemini keys are unavailable: ";
        String tail = invalid == n ? ". Google rejected them; replace them in GEMINI_API_KEYS." : ".";
        return ApiError.keysUnavailable(head + String.join(", ", parts) + tail, retryAfter);
    }

    private static String describe(ModelLimits.Limit l) {
        List<String> p = new ArrayList<>(2);
        if (l.rpm() > 0) {
            p.add(l.rpm() + " requests");
        }
        if (l.tpm() > 0) {
            p.add(l.tpm() + " input tokens");
        }
        return String.join(" or ", p) + " per minute per key";
    }

    private static String hoursMinutes(long seconds) {
        long h = seconds / 3600;
        long min = (seconds % 3600 + 59) / 60;
        return h > 0 ? h + " h " + min + " min" : min + " min";
    }
}
