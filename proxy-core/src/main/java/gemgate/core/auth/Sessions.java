package gemgate.core.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Admin login sessions. A login gets a random 256-bit token that is shown to the client once; only its SHA-256 is
 * kept, so a heap dump, a debugger or a stray {@code toString()} never holds a usable credential. A session ends
 * {@code idleTimeout} after its last use (each use extends it), {@code maxAge} after its login however busy, on
 * logout, or when {@code maxSessions} are open and a new login evicts the least recently used one. Thread-safe: the
 * sessions are shared by every event loop.
 */
public final class Sessions {
    /** 32 random bytes, base64url without padding. */
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{43}");

    /**
     * A session as seen by its user: {@code id} is a short, non-secret label for logs (8 hex digits of the token's
     * hash), {@code expires} the earlier of the idle and the absolute end, {@code maxExpires} the absolute end.
     */
    public record Session(String id, Instant created, Instant expires, Instant maxExpires) {}

    /** A new login: the token (to hand to the client, then forget) and its session. */
    public record Login(String token, Session session) {
        @Override
        public String toString() {
            return "Login[token=(hidden), session=" + session + "]";
        }
    }

    private static final class Entry {
        final byte[] hash;
        final long createdMillis;
        long lastUsedMillis;

        Entry(byte[] hash, long createdMillis) {
            this.hash = hash;
            this.createdMillis = createdMillis;
            this.lastUsedMillis = createdMillis;
        }
    }

    private final long idleMillis;
    private final long maxAgeMillis;
    private final int maxSessions;
    private final Clock clock;
    private final SecureRandom random;
    /** By hex SHA-256 of the token, least recently used first. */
    private final LinkedHashMap<String, Entry> byHash = new LinkedHashMap<>(16, 0.75f, true);

    public Sessions(Duration idleTimeout, Duration maxAge, int maxSessions, Clock clock, SecureRandom random) {
        if (idleTimeout == null || idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("idleTimeout must be a positive duration, got " + idleTimeout);
        }
        if (maxAge == null || maxAge.compareTo(idleTimeout) < 0) {
            throw new IllegalArgumentException("maxAge must be at least idleTimeout (" + idleTimeout + "), got " + maxAge);
        }
        if (maxSessions < 1) {
            throw new IllegalArgumentException("maxSessions must be >= 1, got " + maxSessions);
        }
        this.idleMillis = idleTimeout.toMillis();
        this.maxAgeMillis = maxAge.toMillis();
        this.maxSessions = maxSessions;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = Objects.requireNonNull(random, "random");
    }

    /** How long a session lives at most; the cookie's Max-Age. */
    public Duration maxAge() {
        return Duration.ofMillis(maxAgeMillis);
    }

    /** Opens a session, evicting the least recently used one when {@code maxSessions} are open. */
    public synchronized Login create() {
        long now = clock.millis();
        purgeExpired(now);
        if (byHash.size() >= maxSessions) {
            Iterator<Map.Entry<String, Entry>> eldest = byHash.entrySet().iterator();
            eldest.next();
            eldest.remove();
        }
        byte[] raw = new byte[32];
        random.nextBytes(raw);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        byte[] hash = sha256(token);
        Entry e = new Entry(hash, now);
        byHash.put(HexFormat.of().formatHex(hash), e);
        return new Login(token, view(e));
    }

    /**
     * The session {@code token} belongs to, extended by this use; null when the token is malformed, unknown, ended or
     * evicted. The stored hash is compared in constant time after the lookup.
     */
    public synchronized Session use(String token) {
        Entry e = find(token);
        if (e == null) {
            return null;
        }
        e.lastUsedMillis = Math.max(e.lastUsedMillis, clock.millis());
        return view(e);
    }

    /** Ends the session of {@code token}; false when there was none. */
    public synchronized boolean end(String token) {
        Entry e = find(token);
        if (e == null) {
            return false;
        }
        byHash.remove(HexFormat.of().formatHex(e.hash));
        return true;
    }

    /** Sessions open now. */
    public synchronized int open() {
        purgeExpired(clock.millis());
        return byHash.size();
    }

    /** Ends every session (for example after the admin password changed). */
    public synchronized void endAll() {
        byHash.clear();
    }

    private Entry find(String token) {
        if (token == null || !TOKEN.matcher(token).matches()) {
            return null;
        }
        byte[] hash = sha256(token);
        String hex = HexFormat.of().formatHex(hash);
        Entry e = byHash.get(hex);
        if (e == null || !MessageDigest.isEqual(e.hash, hash)) {
            return null;
        }
        if (expired(e, clock.millis())) {
            byHash.remove(hex);
            return null;
        }
        return e;
    }

    private boolean expired(Entry e, long now) {
        return now - e.lastUsedMillis >= idleMillis || now - e.createdMillis >= maxAgeMillis;
    }

    private void purgeExpired(long now) {
        byHash.values().removeIf(e -> expired(e, now));
    }

    private Session view(Entry e) {
        long absolute = e.createdMillis + maxAgeMillis;
        long idle = e.lastUsedMillis + idleMillis;
        return new Session(HexFormat.of().formatHex(e.hash, 0, 4), Instant.ofEpochMilli(e.createdMillis),
                Instant.ofEpochMilli(Math.min(absolute, idle)), Instant.ofEpochMilli(absolute));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the JDK", e);
        }
    }

    @Override
    public synchronized String toString() {
        return "Sessions[open=" + byHash.size() + "]";
    }
}
