package gemgate.core.keys;

import java.util.concurrent.atomic.AtomicReference;

/**
 * One Gemini key in the pool together with its health: for the key as a whole and per model. The state fields are
 * written by whichever event loop saw the outcome and read lock-free by every other, so each is atomic or volatile
 * on its own; a reader may see a mix of two updates, which only ever costs one extra attempt. {@link #toString()} is
 * the masked key: logging a PooledKey never leaks the key.
 */
public final class PooledKey {
    /** Where a key came from: the configuration (GEMINI_API_KEYS) or the admin API at runtime. */
    public enum Source { ENVIRONMENT, RUNTIME }

    /** Models tracked per key; when full, an idle entry makes room, else a new model is not tracked (no local limit). */
    static final int MAX_MODELS_PER_KEY = 32;
    private static final ModelState[] NO_MODELS = new ModelState[0];

    private final String key;
    private final String masked;
    private final String fingerprint;
    private final Source source;

    volatile boolean invalid;
    volatile boolean disabled;
    /** When the key was found invalid; 0 when it is not. */
    volatile long invalidSinceMillis;
    /** When an invalid key is next re-checked, and the wait after that (doubling up to the maximum). */
    volatile long nextCheckMillis;
    volatile long checkBackoffMillis;
    volatile long lastValidatedMillis;
    /** The key as a whole: all models' requests, key-wide rests, totals. */
    final ModelState all = new ModelState(null);
    /** Per-model state, copy-on-write: readers scan a stable array, writers CAS a longer (or edited) copy in. */
    private final AtomicReference<ModelState[]> models = new AtomicReference<>(NO_MODELS);

    PooledKey(String key, Source source) {
        this.key = key;
        this.masked = KeyMask.mask(key);
        this.fingerprint = KeyMask.fingerprint(key);
        this.source = source;
    }

    /** The real key, for the upstream request only. */
    public String key() {
        return key;
    }

    public String masked() {
        return masked;
    }

    /** The stable id (first 8 hex characters of the key's SHA-256): safe to show, useless to an attacker. */
    public String fingerprint() {
        return fingerprint;
    }

    public String id() {
        return fingerprint;
    }

    public Source source() {
        return source;
    }

    public boolean isInvalid() {
        return invalid;
    }

    public boolean isDisabled() {
        return disabled;
    }

    /** Usable for a call that names no model, ignoring quotas: not invalid, not disabled, not resting as a whole. */
    boolean usableAt(long nowMillis) {
        return !invalid && !disabled && !all.restingAt(nowMillis);
    }

    /** This key's state for {@code model} (normalised), or null when none was created yet. */
    ModelState peek(String model) {
        for (ModelState s : models.get()) {
            if (s.model.equals(model)) {
                return s;
            }
        }
        return null;
    }

    ModelState[] models() {
        return models.get();
    }

    /**
     * This key's state for {@code model}, created on first use. Null when {@link #MAX_MODELS_PER_KEY} models are
     * tracked and none of them is idle: the call then goes untracked rather than growing without bound.
     */
    ModelState model(String model, long now, long day) {
        while (true) {
            ModelState[] cur = models.get();
            for (ModelState s : cur) {
                if (s.model.equals(model)) {
                    return s;
                }
            }
            ModelState created = new ModelState(model);
            ModelState[] next;
            if (cur.length < MAX_MODELS_PER_KEY) {
                next = java.util.Arrays.copyOf(cur, cur.length + 1);
                next[cur.length] = created;
            } else {
                int idle = -1;
                for (int i = 0; i < cur.length && idle < 0; i++) {
                    if (cur[i].idle(now, day)) {
                        idle = i;
                    }
                }
                if (idle < 0) {
                    return null;
                }
                next = cur.clone();
                next[idle] = created;
            }
            if (models.compareAndSet(cur, next)) {
                return created;
            }
        }
    }

    /** Drops every per-model entry (used when state is re-imported). */
    void clearModels() {
        models.set(NO_MODELS);
    }

    @Override
    public String toString() {
        return masked;
    }
}
