package gemgate.core.auth;

import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Slows down and then stops password guessing at the admin login, per client address. The first
 * {@code freeFailures} failures are answered at once; each further one later (1 s, 2 s, 4 s, ... up to 10 s); after
 * {@code lockoutFailures} the address is refused (429) without its password being checked, until {@link #WINDOW}
 * after its last failure. Failures are forgotten {@link #WINDOW} after the last one, or on a successful login. At most
 * {@code maxTrackedClients} addresses are remembered (stale ones are dropped first, then the least recently failing).
 * Thread-safe.
 */
public final class LoginThrottle {
    public static final Duration WINDOW = Duration.ofMinutes(15);
    static final Duration FIRST_DELAY = Duration.ofSeconds(1);
    static final Duration MAX_DELAY = Duration.ofSeconds(10);

    private static final class Failures {
        int count;
        long lastMillis;
    }

    private final int freeFailures;
    private final int lockoutFailures;
    private final int maxTrackedClients;
    private final Clock clock;
    private final LinkedHashMap<String, Failures> byClient = new LinkedHashMap<>(16, 0.75f, true);
    private long total;

    public LoginThrottle(int freeFailures, int lockoutFailures, int maxTrackedClients, Clock clock) {
        if (freeFailures < 0) {
            throw new IllegalArgumentException("freeFailures must be >= 0, got " + freeFailures);
        }
        if (lockoutFailures < 1) {
            throw new IllegalArgumentException("lockoutFailures must be >= 1, got " + lockoutFailures);
        }
        if (maxTrackedClients < 1) {
            throw new IllegalArgumentException("maxTrackedClients must be >= 1, got " + maxTrackedClients);
        }
        this.freeFailures = freeFailures;
        this.lockoutFailures = lockoutFailures;
        this.maxTrackedClients = maxTrackedClients;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Seconds (rounded up, >= 1) until {@code clientIp} may try again, or 0 when it may try now. */
    public synchronized long lockedForSeconds(String clientIp) {
        Failures f = byClient.get(key(clientIp));
        if (f == null || f.count < lockoutFailures) {
            return 0;
        }
        long left = f.lastMillis + WINDOW.toMillis() - clock.millis();
        return left <= 0 ? 0 : Math.max(1, (left + 999) / 1000);
    }

    /** Records a wrong password and returns how long to wait before answering it. */
    public synchronized Duration onFailure(String clientIp) {
        String ip = key(clientIp);
        long now = clock.millis();
        total++;
        Failures f = byClient.get(ip);
        if (f == null) {
            makeRoom(now);
            f = new Failures();
            byClient.put(ip, f);
        } else if (now - f.lastMillis >= WINDOW.toMillis()) {
            f.count = 0;
        }
        f.count++;
        f.lastMillis = now;
        int over = f.count - freeFailures;
        if (over <= 0) {
            return Duration.ZERO;
        }
        long delay = FIRST_DELAY.toMillis() << Math.min(over - 1, 16);
        return Duration.ofMillis(Math.min(delay, MAX_DELAY.toMillis()));
    }

    public synchronized void onSuccess(String clientIp) {
        byClient.remove(key(clientIp));
    }

    /** Recent failures of {@code clientIp} (0 once forgotten). */
    public synchronized int failures(String clientIp) {
        Failures f = byClient.get(key(clientIp));
        return f == null || clock.millis() - f.lastMillis >= WINDOW.toMillis() ? 0 : f.count;
    }

    /** Failed logins since start, all addresses. */
    public synchronized long totalFailures() {
        return total;
    }

    synchronized int trackedClients() {
        return byClient.size();
    }

    private static String key(String clientIp) {
        return clientIp == null ? "unknown" : clientIp;
    }

    private void makeRoom(long now) {
        if (byClient.size() < maxTrackedClients) {
            return;
        }
        byClient.values().removeIf(f -> now - f.lastMillis >= WINDOW.toMillis());
        if (byClient.size() >= maxTrackedClients) {
            Iterator<Map.Entry<String, Failures>> eldest = byClient.entrySet().iterator();
            eldest.next();
            eldest.remove();
        }
    }
}
