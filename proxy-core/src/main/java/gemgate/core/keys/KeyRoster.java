package gemgate.core.keys;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pool's list of keys as the operator edits it at runtime: adding pasted keys, removing keys (a key from
 * GEMINI_API_KEYS leaves a tombstone so it stays out after restarts), clearing invalid ones, and restoring the
 * persisted list; disabling keys by hand. Every edit copies the pool's array under one lock and publishes the new
 * array whole, so the pool's lock-free picking always scans a consistent array. Never on the hot path.
 */
final class KeyRoster {
    /** The pool's logger: key events keep one logger name whichever class reports them. */
    private static final Logger log = LoggerFactory.getLogger(KeyPool.class);

    /** The keys from the configuration, by full text: their source is ENVIRONMENT even when re-added by hand. */
    private final Set<String> environment;
    private final Supplier<PooledKey[]> current;
    private final Consumer<PooledKey[]> publish;
    private final Runnable changed;
    private final Object lock = new Object();
    /** Ids of environment keys removed at runtime; guarded by lock, read as a copy. */
    private Set<String> tombstones = new LinkedHashSet<>();

    /**
     * @param environment the configured keys' full texts
     * @param current reads the pool's array
     * @param publish replaces the pool's array (called under this roster's lock only)
     * @param changed tells the pool's change listener that persisted state changed (called outside the lock)
     */
    KeyRoster(Set<String> environment, Supplier<PooledKey[]> current, Consumer<PooledKey[]> publish,
            Runnable changed) {
        this.environment = Set.copyOf(environment);
        this.current = current;
        this.publish = publish;
        this.changed = changed;
    }

    /** The configured keys, trimmed; blank entries and duplicates dropped (a key listed twice would get twice the traffic). */
    static Set<String> distinct(List<String> configured) {
        Set<String> distinct = new LinkedHashSet<>();
        for (String k : configured) {
            if (k != null && !k.isBlank()) {
                distinct.add(k.trim());
            }
        }
        return distinct;
    }

    /** The pool's first array: one ENVIRONMENT key per text; a key whose id collides with an earlier one's is dropped. */
    static PooledKey[] environmentKeys(Set<String> distinct) {
        List<PooledKey> arr = new ArrayList<>(distinct.size());
        Set<String> ids = new HashSet<>();
        for (String k : distinct) {
            PooledKey p = new PooledKey(k, PooledKey.Source.ENVIRONMENT);
            if (!ids.add(p.id())) {
                log.warn("Gemini key {} dropped: its id {} collides with another key's", p.masked(), p.id());
                continue;
            }
            arr.add(p);
        }
        return arr.toArray(new PooledKey[0]);
    }

    /** Environment keys kept out by a tombstone. */
    int removedEnvironmentKeys() {
        synchronized (lock) {
            return tombstones.size();
        }
    }

    /** A copy of the tombstones (ids of removed environment keys), for the persisted state. */
    Set<String> tombstones() {
        synchronized (lock) {
            return new LinkedHashSet<>(tombstones);
        }
    }

    /** See {@link KeyPool#addKeys}. */
    AddResult add(String text) {
        KeyText.Extracted found = KeyText.extract(text, KeyPool.MAX_KEYS_PER_ADD);
        List<AddResult.Entry> added = new ArrayList<>();
        List<AddResult.Entry> present = new ArrayList<>();
        List<String> rejected = new ArrayList<>(found.rejected());
        synchronized (lock) {
            PooledKey[] cur = current.get();
            Map<String, PooledKey> byId = new LinkedHashMap<>();
            for (PooledKey k : cur) {
                byId.put(k.id(), k);
            }
            List<PooledKey> fresh = new ArrayList<>();
            for (String text1 : found.keys()) {
                PooledKey existing = byId.get(KeyMask.fingerprint(text1));
                if (existing != null) {
                    if (existing.key().equals(text1)) {
                        present.add(new AddResult.Entry(existing.id(), existing.masked(), existing.source(), false));
                    } else {
                        rejected.add(KeyMask.mask(text1) + " (its id collides with key " + existing.masked() + ")");
                    }
                    continue;
                }
                boolean env = environment.contains(text1);
                PooledKey p = new PooledKey(text1, env ? PooledKey.Source.ENVIRONMENT : PooledKey.Source.RUNTIME);
                boolean restored = env && tombstones.remove(p.id());
                byId.put(p.id(), p);
                fresh.add(p);
                added.add(new AddResult.Entry(p.id(), p.masked(), p.source(), restored));
            }
            if (!fresh.isEmpty()) {
                PooledKey[] next = Arrays.copyOf(cur, cur.length + fresh.size());
                for (int i = 0; i < fresh.size(); i++) {
                    next[cur.length + i] = fresh.get(i);
                }
                publish.accept(next);
            }
        }
        if (!added.isEmpty()) {
            log.info("{} Gemini key(s) added at runtime: {}", added.size(), masks(added));
            changed.run();
        }
        return new AddResult(added, present, rejected);
    }

    private static List<String> masks(List<AddResult.Entry> l) {
        List<String> out = new ArrayList<>(l.size());
        l.forEach(e -> out.add(e.masked()));
        return out;
    }

    /** See {@link KeyPool#remove}. */
    RemoveResult remove(String id) {
        RemoveResult r;
        synchronized (lock) {
            r = removeLocked(id);
        }
        if (r.removed()) {
            log.info("Gemini key {} ({}) removed at runtime{}", r.masked(), r.id(),
                    r.stillInEnvironment() ? " (still listed in GEMINI_API_KEYS; kept out by a tombstone)" : "");
            changed.run();
        }
        return r;
    }

    private RemoveResult removeLocked(String id) {
        PooledKey[] cur = current.get();
        int at = -1;
        for (int i = 0; i < cur.length; i++) {
            if (cur[i].id().equals(id)) {
                at = i;
                break;
            }
        }
        if (at < 0) {
            return RemoveResult.notFound(id);
        }
        PooledKey k = cur[at];
        PooledKey[] next = new PooledKey[cur.length - 1];
        System.arraycopy(cur, 0, next, 0, at);
        System.arraycopy(cur, at + 1, next, at, cur.length - at - 1);
        publish.accept(next);
        boolean env = environment.contains(k.key());
        if (env) {
            tombstones.add(k.id());
        }
        return new RemoveResult(true, k.id(), k.masked(), k.source(), env, env
                ? "removed; it is still listed in GEMINI_API_KEYS, so it is remembered as removed and stays out after"
                        + " restarts (delete it there to tidy up)"
                : "removed");
    }

    /** See {@link KeyPool#clearInvalid}. */
    List<RemoveResult> clearInvalid() {
        List<RemoveResult> out = new ArrayList<>();
        synchronized (lock) {
            for (PooledKey k : current.get()) {
                if (k.invalid) {
                    out.add(removeLocked(k.id()));
                }
            }
        }
        if (!out.isEmpty()) {
            log.info("{} invalid Gemini key(s) removed", out.size());
            changed.run();
        }
        return out;
    }

    /** See {@link KeyPool#setDisabled}. */
    boolean setDisabled(String id, boolean disabled) {
        PooledKey k = null;
        for (PooledKey c : current.get()) {
            if (c.id().equals(id)) {
                k = c;
                break;
            }
        }
        if (k == null) {
            return false;
        }
        if (k.disabled != disabled) {
            k.disabled = disabled;
            log.info("Gemini key {} ({}) {} by hand", k.masked(), id, disabled ? "disabled" : "enabled");
            changed.run();
        }
        return true;
    }

    /** See {@link KeyPool#exportValid}. */
    List<String> valid() {
        List<String> out = new ArrayList<>();
        for (PooledKey k : current.get()) {
            if (!k.invalid) {
                out.add(k.key());
            }
        }
        return out;
    }

    /** See {@link KeyPool#importState}; a null {@code state} changes nothing. */
    void restore(Map<String, Object> state, QuotaDay quotaDay, long now) {
        if (state == null) {
            return;
        }
        synchronized (lock) {
            KeyPoolState.Imported imp = KeyPoolState.read(state);
            Set<String> envIds = new HashSet<>();
            for (String e : environment) {
                envIds.add(KeyMask.fingerprint(e));
            }
            tombstones = new LinkedHashSet<>();
            for (String t : imp.tombstones()) {
                if (envIds.contains(t)) {
                    tombstones.add(t); // tombstones of keys no longer in the environment have done their job
                }
            }
            List<PooledKey> next = new ArrayList<>();
            Set<String> ids = new HashSet<>();
            for (PooledKey k : current.get()) {
                if (!tombstones.contains(k.id()) && ids.add(k.id())) {
                    next.add(k);
                }
            }
            for (String rk : imp.runtimeKeys()) {
                PooledKey p = new PooledKey(rk, environment.contains(rk) ? PooledKey.Source.ENVIRONMENT : PooledKey.Source.RUNTIME);
                if (!tombstones.contains(p.id()) && ids.add(p.id())) {
                    next.add(p);
                }
            }
            PooledKey[] restored = next.toArray(new PooledKey[0]);
            publish.accept(restored);
            for (PooledKey k : restored) {
                KeyPoolState.apply(k, imp.states().get(k.id()), quotaDay.day(now), now);
            }
        }
    }
}
