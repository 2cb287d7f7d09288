package gemgate.core.ratelimit;

import java.time.Clock;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Per-client-address request limits, shared by all event loops. Per minute: a token bucket (capacity
 * {@code perMinute}, refilled at {@code perMinute} per 60 s), so a client may burst up to its limit and then proceeds at
 * the steady rate, and one client never uses up another's budget (hajimi's per-minute counter is global per route).
 * Per day: a count per UTC calendar day. Memory is bounded: at most {@code maxTrackedClients} addresses are tracked;
 * when full, entries that are back at their initial state are swept, then the least recently used one is dropped.
 * The limits can change while running ({@link #setLimits}, from runtime settings); counts already made are kept.
 */
public final class ClientRateLimiter {
    private static final long MINUTE_MS = 60_000;
    private static final long DAY_MS = 86_400_000;
    /** A full sweep costs O(n); do it at most this often, evicting LRU in between, so floods stay O(1). */
    private static final long SWEEP_INTERVAL_MS = 1_000;
    private static final Decision ALLOWED = new Decision(true, 0, null);

    /** The outcome for one request; {@code message} is null when allowed. */
    public record Decision(boolean allowed, long retryAfterSeconds, String message) {}

    private static final class Client {
        double tokens;
        long refilledAt;
        long day;
        int dayCount;
    }

    private volatile int perMinute;
    private volatile int perDay;
    private final int maxTrackedClients;
    private final Clock clock;
    private final LinkedHashMap<String, Client> clients;
    private long lastSweep;

    /** {@code perMinute}/{@code perDay} 0 turns that limit off. */
    public ClientRateLimiter(int perMinute, int perDay, int maxTrackedClients, Clock clock) {
        if (perMinute < 0 || perDay < 0) {
            throw new IllegalArgumentException("perMinute and perDay must be >= 0 (0 = off), got " + perMinute + ", " + perDay);
        }
        if (maxTrackedClients < 1) {
            throw new IllegalArgumentException("maxTrackedClients must be >= 1, got " + maxTrackedClients);
        }
        if (clock == null) {
            throw new IllegalArgumentException("clock is required");
        }
        this.perMinute = perMinute;
        this.perDay = perDay;
        this.maxTrackedClients = maxTrackedClients;
        this.clock = clock;
        this.clients = new LinkedHashMap<>(16, 0.75f, true);
        this.lastSweep = clock.millis() - SWEEP_INTERVAL_MS;
    }

    public Decision tryAcquire(String clientIp) {
        if (perMinute == 0 && perDay == 0) {
            return ALLOWED;
        }
        String ip = clientIp == null ? "unknown" : clientIp;
        long now = clock.millis();
        long today = Math.floorDiv(now, DAY_MS);
        synchronized (this) {
            Client c = clients.get(ip);
            if (c == null) {
                makeRoom(now, today);
                c = new Client();
                c.tokens = perMinute;
                c.refilledAt = now;
                c.day = today;
                clients.put(ip, c);
            }
            refill(c, now, today);
            if (perDay > 0 && c.dayCount >= perDay) {
                long wait = ceilSeconds((today + 1) * DAY_MS - now);
                return deny(wait, perDay + " per day (MAX_REQUESTS_PER_DAY_PER_IP)");
            }
            if (perMinute > 0) {
                if (c.tokens < 1) {
                    long wait = ceilSeconds((long) Math.ceil((1 - c.tokens) * MINUTE_MS / perMinute));
                    return deny(wait, perMinute + " per minute (MAX_REQUESTS_PER_MINUTE)");
                }
                c.tokens -= 1;
            }
            c.dayCount++;
            return ALLOWED;
        }
    }

    /**
     * New limits, effective for the next request. Today's counts are kept; a client's per-minute budget is capped at
     * the new limit, and starts full when a per-minute limit is switched on.
     */
    public synchronized void setLimits(int perMinute, int perDay) {
        if (perMinute < 0 || perDay < 0) {
            throw new IllegalArgumentException("perMinute and perDay must be >= 0 (0 = off), got " + perMinute + ", " + perDay);
        }
        int oldPerMinute = this.perMinute;
        if (perMinute != oldPerMinute) {
            long now = clock.millis();
            long today = Math.floorDiv(now, DAY_MS);
            for (Client c : clients.values()) {
                refill(c, now, today);
                c.tokens = oldPerMinute == 0 ? perMinute : Math.min(c.tokens, perMinute);
            }
        }
        this.perMinute = perMinute;
        this.perDay = perDay;
    }

    public int perMinute() {
        return perMinute;
    }

    public int perDay() {
        return perDay;
    }

    public synchronized int trackedClients() {
        return clients.size();
    }

    private static Decision deny(long wait, String limit) {
        return new Decision(false, wait,
                "Too many requests from your address: limit is " + limit + ". Try again in " + wait + " s.");
    }

    private void refill(Client c, long now, long today) {
        if (now > c.refilledAt) {
            c.tokens = Math.min(perMinute, c.tokens + (now - c.refilledAt) * (double) perMinute / MINUTE_MS);
            c.refilledAt = now;
        }
        if (c.day != today) {
            c.day = today;
            c.dayCount = 0;
        }
    }

    private void makeRoom(long now, long today) {
        if (clients.size() < maxTrackedClients) {
            return;
        }
        if (now - lastSweep >= SWEEP_INTERVAL_MS) {
            lastSweep = now;
            for (Iterator<Client> it = clients.values().iterator(); it.hasNext(); ) {
                Client c = it.next();
                refill(c, now, today);
                // Back to a fresh client's state: forgetting it changes nothing.
                if (c.tokens >= perMinute && c.dayCount == 0) {
                    it.remove();
                }
            }
        }
        if (clients.size() >= maxTrackedClients) {
            Iterator<Map.Entry<String, Client>> eldest = clients.entrySet().iterator();
            eldest.next();
            eldest.remove();
        }
    }

    private static long ceilSeconds(long millis) {
        return Math.max(1, (millis + 999) / 1000);
    }
}
