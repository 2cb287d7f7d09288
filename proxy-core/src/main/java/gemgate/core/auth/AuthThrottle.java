package gemgate.core.auth;

import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Slows down a client address that keeps failing authentication: the first {@code maxFailuresBeforeSlowdown}
 * failures are answered at once, then each 401 is delayed 250 ms, 500 ms, 1 s... up to 10 s. Failures are forgotten
 * 15 minutes after the last one, or on a success. At most {@code maxTrackedClients} addresses are remembered (stale
 * ones are dropped first, then the least recently failing).
 */
public final class AuthThrottle {
    static final Duration FIRST_DELAY = Duration.ofMillis(250);
    static final Duration MAX_DELAY = Duration.ofSeconds(10);
    static final Duration FORGET_AFTER = Duration.ofMinutes(15);

    private static final class Failures {
        int count;
        long lastMillis;
    }

    private final int threshold;
    private final int maxTrackedClients;
    private final Clock clock;
    private final LinkedHashMap<String, Failures> failures = new LinkedHashMap<>(16, 0.75f, true);

    public AuthThrottle(int maxFailuresBeforeSlowdown, int maxTrackedClients, Clock clock) {
        if (maxFailuresBeforeSlowdown < 0) {
            throw new IllegalArgumentException("maxFailuresBeforeSlowdown must be >= 0, got " + maxFailuresBeforeSlowdown);
        }
        if (maxTrackedClients < 1) {
            throw new IllegalArgumentException("maxTrackedClients must be >= 1, got " + maxTrackedClients);
        }
        if (clock == null) {
            throw new IllegalArgumentException("clock is required");
        }
        this.threshold = maxFailuresBeforeSlowdown;
        this.maxTrackedClients = maxTrackedClients;
        this.clock = clock;
    }

    /** Records a failed attempt and returns how long to wait before answering it. */
    public synchronized Duration onFailure(String clientIp) {
        String ip = clientIp == null ? "unknown" : clientIp;
        long now = clock.millis();
        Failures f = failures.get(ip);
        if (f == null) {
            makeRoom(now);
            f = new Failures();
            failures.put(ip, f);
        } else if (now - f.lastMillis >= FORGET_AFTER.toMillis()) {
            f.count = 0;
        }
        f.count++;
        f.lastMillis = now;
        int over = f.count - threshold;
        if (over <= 0) {
            return Duration.ZERO;
        }
        long delay = FIRST_DELAY.toMillis() << Math.min(over - 1, 16);
        return Duration.ofMillis(Math.min(delay, MAX_DELAY.toMillis()));
    }

    public synchronized void onSuccess(String clientIp) {
        failures.remove(clientIp == null ? "unknown" : clientIp);
    }

    synchronized int trackedClients() {
        return failures.size();
    }

    private void makeRoom(long now) {
        if (failures.size() < maxTrackedClients) {
            return;
        }
        failures.values().removeIf(f -> now - f.lastMillis >= FORGET_AFTER.toMillis());
        if (failures.size() >= maxTrackedClients) {
            Iterator<Map.Entry<String, Failures>> eldest = failures.entrySet().iterator();
            eldest.next();
            eldest.remove();
        }
    }
}
