package gemgate.server.admin;

import gemgate.core.config.RuntimeSettings;
import gemgate.core.error.ApiError;
import gemgate.core.error.ApiException;
import gemgate.core.keys.AddResult;
import gemgate.core.keys.KeyPool;
import gemgate.core.keys.KeyStatus;
import gemgate.core.keys.PooledKey;
import gemgate.core.keys.RemoveResult;
import gemgate.server.keys.KeyValidator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The admin API's real backend: this server's key pool (with its usage statistics), key validator and runtime
 * settings. Every call is in-memory work on the pool's copy-on-write structures; saving happens on the state store's
 * writer thread, triggered by the pool's change listener, so nothing here touches a disk or the network.
 */
public final class LiveAdminBackend implements AdminBackend {
    /** Minutes of per-minute statistics in {@code GET /api/stats} (the page draws the last hour). */
    static final int STATS_MINUTES = 60;

    private final KeyPool pool;
    private final KeyValidator validator;
    private final RuntimeSettings runtime;
    private final Runnable statsChanged;

    /** @param statsChanged called after a reset, so the saved statistics follow (cheap; marks state for saving) */
    public LiveAdminBackend(KeyPool pool, KeyValidator validator, RuntimeSettings runtime, Runnable statsChanged) {
        if (pool == null || validator == null || runtime == null || statsChanged == null) {
            throw new IllegalArgumentException("pool, validator, runtime settings and the change hook are required");
        }
        this.pool = pool;
        this.validator = validator;
        this.runtime = runtime;
        this.statsChanged = statsChanged;
    }

    @Override
    public Map<String, Object> listKeys() {
        Map<String, Object> out = pool.snapshotJson();
        out.put("count", (long) pool.size());
        return out;
    }

    @Override
    public Map<String, Object> addKeys(String pastedText) {
        AddResult r = pool.addKeys(pastedText == null ? "" : pastedText);
        if (r.added().isEmpty() && r.alreadyPresent().isEmpty()) {
            throw new ApiException(ApiError.badRequest(r.rejected().isEmpty()
                    ? "No Gemini API key found in the text (keys look like AIza followed by 35 letters, digits, - or _)."
                    : "No usable key found; rejected: " + String.join(", ", r.rejected()), "keys"));
        }
        Map<String, Object> out = r.toJson();
        if (!r.added().isEmpty()) {
            out.put("validation", validator.validateInBackground(r.addedIds()).toJson());
        }
        return out;
    }

    @Override
    public Map<String, Object> removeKey(String id) {
        RemoveResult r = pool.remove(id);
        if (!r.removed()) {
            throw new ApiException(ApiError.keyNotFound(id));
        }
        return r.toJson();
    }

    @Override
    public Map<String, Object> setKeyDisabled(String id, boolean disabled) {
        if (!pool.setDisabled(id, disabled)) {
            throw new ApiException(ApiError.keyNotFound(id));
        }
        for (KeyStatus k : pool.snapshot()) {
            if (k.fingerprint().equals(id)) {
                return k.toJson();
            }
        }
        throw new ApiException(ApiError.keyNotFound(id)); // removed meanwhile by another admin call
    }

    @Override
    public Map<String, Object> testAllKeys() {
        return validator.validateAllInBackground().toJson();
    }

    @Override
    public Map<String, Object> testProgress() {
        return validator.progress().toJson();
    }

    @Override
    public Map<String, Object> clearInvalidKeys() {
        List<RemoveResult> removed = pool.clearInvalid();
        List<Object> list = new ArrayList<>(removed.size());
        for (RemoveResult r : removed) {
            list.add(r.toJson());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("removed", (long) removed.size());
        out.put("keys", list);
        return out;
    }

    /** Keys not found invalid and not disabled by hand, in pool order. */
    @Override
    public List<String> exportValidKeys() {
        List<String> out = new ArrayList<>();
        for (PooledKey k : pool.keys()) {
            if (!k.isInvalid() && !k.isDisabled()) {
                out.add(k.key());
            }
        }
        return out;
    }

    @Override
    public Map<String, Object> stats() {
        Map<String, Object> out = pool.stats().snapshot(STATS_MINUTES);
        // Statistics name keys by id; the page shows the masked key next to it.
        Map<String, Object> names = new LinkedHashMap<>();
        for (PooledKey k : pool.keys()) {
            names.put(k.id(), k.masked());
        }
        out.put("key_names", names);
        return out;
    }

    @Override
    public Map<String, Object> resetStats() {
        pool.stats().reset();
        statsChanged.run();
        return new LinkedHashMap<>(Map.of("reset", true));
    }

    @Override
    public Map<String, Object> settings() {
        Map<String, Object> out = new LinkedHashMap<>();
        List<Object> list = new ArrayList<>();
        List<Object> shadowed = new ArrayList<>();
        for (RuntimeSettings.Entry e : runtime.describe()) {
            list.add(e.toJson());
            if (e.shadowed()) {
                shadowed.add(e.path());
            }
        }
        out.put("settings", list);
        out.put("shadowed", shadowed);
        out.put("precedence", "system properties > environment > saved at runtime > config file > defaults");
        return out;
    }

    @Override
    public Map<String, Object> updateSettings(Map<String, Object> changes) {
        RuntimeSettings.Result r = runtime.apply(changes);
        Map<String, Object> out = settings();
        out.put("changed", new ArrayList<Object>(r.changed()));
        List<Object> warnings = new ArrayList<>();
        for (RuntimeSettings.Shadow s : r.shadowed()) {
            warnings.add(s.message());
        }
        out.put("warnings", warnings);
        return out;
    }
}
