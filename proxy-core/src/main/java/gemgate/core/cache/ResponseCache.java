package gemgate.core.cache;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Finished Gemini answers kept for the next identical request: the extra good answers that concurrent attempts
 * produced after the winner was sent (hajimi's "regenerate gets an instant answer").
 *
 * <p>What is stored is the upstream {@code generateContent} response body as Gemini sent it, so one entry can be
 * rendered for any client: plain JSON, a fake stream or a real stream. Entries are <b>single-use</b>: {@link #take}
 * removes the answer it returns. A regenerate is asking for a different answer, so each stored answer is handed out
 * once and the next regenerate gets the next stored one (or a fresh upstream call), never the same text again; this
 * is also hajimi's behaviour. Several answers per key wait in arrival order.
 *
 * <p>Bounds: at most {@code maxEntries} answers and {@code maxBytes} bytes (each answer costs its length plus
 * {@value #ENTRY_OVERHEAD} bytes of bookkeeping), each for at most {@code ttl}. When a new answer would exceed a bound
 * the oldest answers, of any key, are evicted first; since answers are single-use, oldest-stored is also
 * least-recently-used. An answer larger than {@code maxBytes} on its own is not stored. Expired answers are dropped
 * on every access, from the oldest end, so the work is proportional to what expired.
 *
 * <p>Thread-safety: one lock around the maps. The bounds are global (entries, bytes, age order across all keys), so
 * per-key structures would still need a shared ledger updated atomically with them; and every critical section is a
 * few map and list operations, with the expensive parts (hashing the request, copying and parsing bodies) done by
 * the caller outside. Event loops of several threads therefore wait at most for a handful of pointer updates.
 */
public final class ResponseCache {
    /** Approximate bookkeeping per answer (key digest, deque slot, entry object), added to its length. */
    public static final int ENTRY_OVERHEAD = 128;

    /** Told about answers that left without being taken; called under the cache lock, so it must be quick. */
    public interface Listener {
        void removed(Removal why, int count);

        Listener NONE = (why, count) -> { };
    }

    public enum Removal {
        /** Pushed out by the entry or byte bound to make room for a newer answer. */
        EVICTED,
        /** Older than the TTL. */
        EXPIRED
    }

    /**
     * @param maxEntries answers kept at most (MAX_CACHE_ENTRIES); 0 turns the cache off
     * @param maxBytes   bytes kept at most, overhead included; 0 turns the cache off
     * @param ttl        how long an answer stays usable (CACHE_EXPIRY_TIME), positive
     */
    public record Limits(int maxEntries, long maxBytes, Duration ttl) {
        public Limits {
            if (maxEntries < 0) {
                throw new IllegalArgumentException("maxEntries must be >= 0 (0 = off), got " + maxEntries);
            }
            if (maxBytes < 0) {
                throw new IllegalArgumentException("maxBytes must be >= 0 (0 = off), got " + maxBytes);
            }
            if (ttl == null || ttl.isNegative() || ttl.isZero()) {
                throw new IllegalArgumentException("ttl must be positive, got " + ttl);
            }
        }
    }

    private static final class Entry {
        final CacheKey key;
        final byte[] response;
        final long expiresAtMillis;
        Entry older;
        Entry newer;

        Entry(CacheKey key, byte[] response, long expiresAtMillis) {
            this.key = key;
            this.response = response;
            this.expiresAtMillis = expiresAtMillis;
        }

        long cost() {
            return response.length + (long) ENTRY_OVERHEAD;
        }
    }

    private final Limits limits;
    private final CacheKeys keys;
    private final Clock clock;
    private final Listener listener;
    private final Object lock = new Object();
    private final Map<CacheKey, ArrayDeque<Entry>> byKey = new HashMap<>();
    /** Every entry, oldest first (intrusive list: unlinking a taken entry is O(1)). */
    private Entry oldest;
    private Entry newest;
    private int entries;
    private long bytes;

    public ResponseCache(Limits limits, CacheKeys keys, Clock clock, Listener listener) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.keys = Objects.requireNonNull(keys, "keys");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.listener = listener == null ? Listener.NONE : listener;
    }

    /** A cache that stores nothing (both bounds 0): every lookup misses, nothing is kept. */
    public static ResponseCache disabled(Clock clock) {
        return new ResponseCache(new Limits(0, 0, Duration.ofSeconds(1)), new CacheKeys(true, 1, false), clock, null);
    }

    /** False when a bound is 0: callers then skip hashing and never keep attempts running for it. */
    public boolean enabled() {
        return limits.maxEntries() > 0 && limits.maxBytes() > 0;
    }

    public Limits limits() {
        return limits;
    }

    /** The key for one request; see {@link CacheKeys#of}. Hashes the body: call it only when the cache is used. */
    public CacheKey keyFor(String clientScope, String upstreamModel, byte[] upstreamBody) {
        return keys.of(clientScope, upstreamModel, upstreamBody);
    }

    /**
     * Removes and returns the oldest unexpired answer stored under {@code key}, or null. The array is the caller's
     * from now on (the cache no longer holds it).
     */
    public byte[] take(CacheKey key) {
        Objects.requireNonNull(key, "key");
        synchronized (lock) {
            expire(clock.millis());
            ArrayDeque<Entry> q = byKey.get(key);
            if (q == null) {
                return null;
            }
            Entry e = q.pollFirst();
            if (q.isEmpty()) {
                byKey.remove(key);
            }
            unlink(e);
            return e.response;
        }
    }

    /**
     * Stores an answer for the next request with {@code key}, evicting the oldest answers if a bound requires it.
     * The cache keeps {@code response} itself (callers hand over a copy they no longer write to).
     *
     * @return false when nothing was stored: the cache is off or the answer alone is larger than the byte bound
     */
    public boolean put(CacheKey key, byte[] response) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(response, "response");
        if (!enabled() || response.length + (long) ENTRY_OVERHEAD > limits.maxBytes()) {
            return false;
        }
        synchronized (lock) {
            long now = clock.millis();
            expire(now);
            Entry e = new Entry(key, response, now + limits.ttl().toMillis());
            byKey.computeIfAbsent(key, k -> new ArrayDeque<>(2)).addLast(e);
            link(e);
            int evicted = 0;
            while (entries > limits.maxEntries() || bytes > limits.maxBytes()) {
                removeOldest(); // never e itself: it is the newest, and it fits alone
                evicted++;
            }
            if (evicted > 0) {
                listener.removed(Removal.EVICTED, evicted);
            }
            return true;
        }
    }

    /** Answers stored now (expired ones not yet dropped included). */
    public int size() {
        synchronized (lock) {
            return entries;
        }
    }

    /** Bytes charged now, overhead included. */
    public long bytes() {
        synchronized (lock) {
            return bytes;
        }
    }

    /** True when nothing is stored: a cheap check that lets callers skip hashing a request. */
    public boolean isEmpty() {
        return size() == 0;
    }

    /** Drops the expired answers now (also done on every take and put). */
    public void purgeExpired() {
        synchronized (lock) {
            expire(clock.millis());
        }
    }

    // ---- under the lock ----

    private void expire(long now) {
        int n = 0;
        // Every entry gets the same TTL, so expiry follows the age order: expired entries are all at the old end.
        // (If the wall clock steps back, entries simply live longer; the bounds still hold.)
        while (oldest != null && oldest.expiresAtMillis <= now) {
            removeOldest();
            n++;
        }
        if (n > 0) {
            listener.removed(Removal.EXPIRED, n);
        }
    }

    /** The oldest entry overall is also the oldest of its key, so it is the head of its key's queue. */
    private void removeOldest() {
        Entry e = oldest;
        ArrayDeque<Entry> q = byKey.get(e.key);
        Entry head = q.pollFirst();
        if (head != e) {
            throw new IllegalStateException("cache order broken: the oldest entry is not first for its key");
        }
        if (q.isEmpty()) {
            byKey.remove(e.key);
        }
        unlink(e);
    }

    private void link(Entry e) {
        e.older = newest;
        if (newest != null) {
            newest.newer = e;
        } else {
            oldest = e;
        }
        newest = e;
        entries++;
        bytes += e.cost();
    }

    private void unlink(Entry e) {
        if (e.older != null) {
            e.older.newer = e.newer;
        } else {
            oldest = e.newer;
        }
        if (e.newer != null) {
            e.newer.older = e.older;
        } else {
            newest = e.older;
        }
        e.older = null;
        e.newer = null;
        entries--;
        bytes -= e.cost();
    }
}
