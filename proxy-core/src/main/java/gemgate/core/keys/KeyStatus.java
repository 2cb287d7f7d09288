package gemgate.core.keys;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A read-only view of one key for the dashboard, the admin API and logs: never the key itself. {@code state} is the
 * key as a whole ({@link State#DISABLED} by hand wins over {@link State#INVALID}, then a key-wide rest); per-model
 * rests and usage are in {@code models}. {@code coolingUntil} is when a {@link State#COOLING} or
 * {@link State#EXHAUSTED} key comes back, else null; {@code lastErrorKind}, {@code lastError} and the instants are
 * null until they happen. {@code dailyLimit} is the per-key cap across models (0 = none).
 */
public record KeyStatus(
        String masked,
        String fingerprint,
        State state,
        Instant coolingUntil,
        int consecutiveFailures,
        long successes,
        long failures,
        UpstreamFailure.Kind lastErrorKind,
        String lastError,
        PooledKey.Source source,
        Instant lastSuccess,
        Instant lastErrorAt,
        int requestsThisMinute,
        int requestsToday,
        long inputTokensToday,
        long dailyLimit,
        Instant invalidSince,
        Instant nextCheck,
        List<ModelStatus> models) {

    public enum State { ACTIVE, COOLING, EXHAUSTED, INVALID, DISABLED }

    public KeyStatus {
        models = models == null ? List.of() : List.copyOf(models);
    }

    /** The id the admin API uses for this key. */
    public String id() {
        return fingerprint;
    }

    /** One key x model: its state ({@link State#ACTIVE}, {@link State#COOLING} or {@link State#EXHAUSTED}), usage and limits. */
    public record ModelStatus(
            String model,
            State state,
            Instant until,
            int requestsThisMinute,
            int requestsToday,
            long inputTokensThisMinute,
            long inputTokensToday,
            ModelLimits.Limit limit,
            int consecutiveFailures,
            long successes,
            long failures,
            Instant lastSuccess,
            Instant lastErrorAt,
            UpstreamFailure.Kind lastErrorKind,
            String lastError) {

        public Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("model", model);
            m.put("state", state.name());
            m.put("until", iso(until));
            m.put("requests_this_minute", (long) requestsThisMinute);
            m.put("requests_today", (long) requestsToday);
            m.put("input_tokens_this_minute", inputTokensThisMinute);
            m.put("input_tokens_today", inputTokensToday);
            m.put("limits", limit.toJson());
            m.put("consecutive_failures", (long) consecutiveFailures);
            m.put("successes", successes);
            m.put("failures", failures);
            m.put("last_success", iso(lastSuccess));
            m.put("last_error_at", iso(lastErrorAt));
            m.put("last_error_kind", lastErrorKind == null ? null : lastErrorKind.name());
            m.put("last_error", lastError);
            return m;
        }
    }

    /** A JSON-able tree (masked key, id, source, state, usage, per-model detail) for the admin API. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", fingerprint);
        m.put("key", masked);
        m.put("source", source == null ? null : source.name());
        m.put("state", state.name());
        m.put("until", iso(coolingUntil));
        m.put("requests_this_minute", (long) requestsThisMinute);
        m.put("requests_today", (long) requestsToday);
        m.put("input_tokens_today", inputTokensToday);
        m.put("daily_limit", dailyLimit);
        m.put("consecutive_failures", (long) consecutiveFailures);
        m.put("successes", successes);
        m.put("failures", failures);
        m.put("last_success", iso(lastSuccess));
        m.put("last_error_at", iso(lastErrorAt));
        m.put("last_error_kind", lastErrorKind == null ? null : lastErrorKind.name());
        m.put("last_error", lastError);
        m.put("invalid_since", iso(invalidSince));
        m.put("next_check", iso(nextCheck));
        List<Object> ms = new ArrayList<>(models.size());
        for (ModelStatus s : models) {
            ms.add(s.toJson());
        }
        m.put("models", ms);
        return m;
    }

    static String iso(Instant t) {
        return t == null ? null : t.toString();
    }
}
