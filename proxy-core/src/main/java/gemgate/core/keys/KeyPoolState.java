package gemgate.core.keys;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The key pool's persisted form, a JSON-able tree:
 * <pre>
 * {"version": 1,
 *  "runtime_keys": ["AIza..."],                 full keys added at runtime (the file must be owner-only)
 *  "tombstones": ["1a2b3c4d"],                   ids of GEMINI_API_KEYS entries removed at runtime
 *  "keys": {"1a2b3c4d": {"disabled": true, "invalid": true, "invalid_since": ms, "next_check": ms,
 *                        "check_backoff": ms, "last_error_kind": "KEY_INVALID", "last_error": "...",
 *                        "cooling_until": ms, "exhausted_until": ms,
 *                        "day": "2025-05-01", "requests_today": n, "input_tokens_today": n,
 *                        "models": {"gemini-2.5-pro": {same rest and day fields}}}}}
 * </pre>
 * Only what differs from a fresh key is written. "day" is the quota day (America/Los_Angeles) the counts belong to;
 * on import counts of another day and rests already over are dropped.
 */
final class KeyPoolState {
    static final long VERSION = 1;

    record Imported(List<String> runtimeKeys, List<String> tombstones, Map<String, Map<String, Object>> states) {}

    private KeyPoolState() {}

    static Map<String, Object> export(PooledKey[] keys, Set<String> tombstones, QuotaDay.Day today, long now) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("version", VERSION);
        List<Object> runtime = new ArrayList<>();
        Map<String, Object> states = new LinkedHashMap<>();
        for (PooledKey k : keys) {
            if (k.source() == PooledKey.Source.RUNTIME) {
                runtime.add(k.key());
            }
            Map<String, Object> s = new LinkedHashMap<>();
            if (k.disabled) {
                s.put("disabled", true);
            }
            if (k.invalid) {
                s.put("invalid", true);
                s.put("invalid_since", k.invalidSinceMillis);
                s.put("next_check", k.nextCheckMillis);
                s.put("check_backoff", k.checkBackoffMillis);
                if (k.all.lastErrorKind != null) {
                    s.put("last_error_kind", k.all.lastErrorKind.name());
                    s.put("last_error", k.all.lastError);
                }
            }
            rest(k.all, s, today, now);
            Map<String, Object> models = new LinkedHashMap<>();
            for (ModelState ms : k.models()) {
                Map<String, Object> m = new LinkedHashMap<>();
                rest(ms, m, today, now);
                if (!m.isEmpty()) {
                    models.put(ms.model, m);
                }
            }
            if (!models.isEmpty()) {
                s.put("models", models);
            }
            if (!s.isEmpty()) {
                states.put(k.id(), s);
            }
        }
        root.put("runtime_keys", runtime);
        root.put("tombstones", new ArrayList<Object>(tombstones));
        root.put("keys", states);
        return root;
    }

    private static void rest(ModelState ms, Map<String, Object> out, QuotaDay.Day today, long now) {
        long cool = ms.coolingUntil.get();
        long ex = ms.exhaustedUntil.get();
        if (cool > now) {
            out.put("cooling_until", cool);
        }
        if (ex > now) {
            out.put("exhausted_until", ex);
        }
        Usage.Counts c = ms.usage.raw();
        if (c.day() == today.number() && (c.dayRequests() > 0 || c.dayTokens() > 0)) {
            out.put("day", today.date().toString());
            out.put("requests_today", (long) c.dayRequests());
            out.put("input_tokens_today", c.dayTokens());
        }
    }

    static Imported read(Map<String, Object> root) {
        List<String> runtime = new ArrayList<>();
        if (root.get("runtime_keys") instanceof List<?> l) {
            for (Object o : l) {
                if (o instanceof String s && !s.isBlank()) {
                    runtime.add(s.trim());
                }
            }
        }
        List<String> tomb = new ArrayList<>();
        if (root.get("tombstones") instanceof List<?> l) {
            for (Object o : l) {
                if (o instanceof String s) {
                    tomb.add(s);
                }
            }
        }
        Map<String, Map<String, Object>> states = new LinkedHashMap<>();
        if (root.get("keys") instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (e.getKey() instanceof String id && e.getValue() instanceof Map<?, ?> v) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> s = (Map<String, Object>) v;
                    states.put(id, s);
                }
            }
        }
        return new Imported(runtime, tomb, states);
    }

    static void apply(PooledKey k, Map<String, Object> s, QuotaDay.Day today, long now) {
        if (s == null) {
            return;
        }
        k.disabled = Boolean.TRUE.equals(s.get("disabled"));
        if (Boolean.TRUE.equals(s.get("invalid"))) {
            k.invalidSinceMillis = num(s, "invalid_since", now);
            k.checkBackoffMillis = num(s, "check_backoff", 0);
            k.nextCheckMillis = num(s, "next_check", now);
            if (s.get("last_error_kind") instanceof String kind) {
                try {
                    k.all.lastErrorKind = UpstreamFailure.Kind.valueOf(kind);
                    k.all.lastError = s.get("last_error") instanceof String e ? KeyMask.scrub(e) : null;
                } catch (IllegalArgumentException unknown) {
                    // a kind from a newer version: leave it out
                }
            }
            k.invalid = true;
        }
        restore(k.all, s, today, now);
        if (s.get("models") instanceof Map<?, ?> models) {
            for (Map.Entry<?, ?> e : models.entrySet()) {
                if (e.getKey() instanceof String model && e.getValue() instanceof Map<?, ?> v) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> ms = (Map<String, Object>) v;
                    ModelState state = k.model(ModelLimits.normalise(model), now, today.number());
                    if (state != null) {
                        restore(state, ms, today, now);
                    }
                }
            }
        }
    }

    private static void restore(ModelState ms, Map<String, Object> s, QuotaDay.Day today, long now) {
        long cool = num(s, "cooling_until", 0);
        if (cool > now) {
            ms.coolingUntil.accumulateAndGet(cool, Math::max);
        }
        long ex = num(s, "exhausted_until", 0);
        if (ex > now) {
            ms.exhaustedUntil.accumulateAndGet(ex, Math::max);
        }
        if (s.get("day") instanceof String d) {
            try {
                if (LocalDate.parse(d).toEpochDay() == today.number()) {
                    ms.usage.restoreDay(today.number(), (int) Math.min(Integer.MAX_VALUE, num(s, "requests_today", 0)),
                            num(s, "input_tokens_today", 0));
                }
            } catch (DateTimeParseException stale) {
                // not a date: dropped like a stale day
            }
        }
    }

    private static long num(Map<String, Object> s, String field, long dflt) {
        return s.get(field) instanceof Number n && n.longValue() >= 0 ? n.longValue() : dflt;
    }
}
