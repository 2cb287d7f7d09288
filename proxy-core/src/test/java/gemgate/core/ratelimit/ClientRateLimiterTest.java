package gemgate.core.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gemgate.core.keys.FakeClock;
import gemgate.core.ratelimit.ClientRateLimiter.Decision;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ClientRateLimiterTest {
    private final FakeClock clock = FakeClock.at("2026-05-01T23:59:00Z");

    @Test
    void burstUpToTheLimitThenRefillsSteadily() {
        ClientRateLimiter rl = new ClientRateLimiter(30, 0, 100, clock);
        for (int i = 0; i < 30; i++) {
            assertThat(rl.tryAcquire("1.1.1.1").allowed()).as("a burst up to the per-minute limit is allowed").isTrue();
        }
        Decision d = rl.tryAcquire("1.1.1.1");
        assertThat(d.allowed()).isFalse();
        assertThat(d.retryAfterSeconds()).as("one token refills every 2 s at 30/min").isEqualTo(2);
        assertThat(d.message()).isEqualTo(
                "Too many requests from your address: limit is 30 per minute (MAX_REQUESTS_PER_MINUTE). Try again in 2 s.");
        clock.advance(Duration.ofMillis(1999));
        assertThat(rl.tryAcquire("1.1.1.1").allowed()).isFalse();
        clock.advance(Duration.ofMillis(1));
        assertThat(rl.tryAcquire("1.1.1.1").allowed()).isTrue();
        assertThat(rl.tryAcquire("1.1.1.1").allowed()).isFalse();
    }

    @Test
    void clientsDoNotShareABucket() {
        ClientRateLimiter rl = new ClientRateLimiter(2, 0, 100, clock);
        assertThat(rl.tryAcquire("1.1.1.1").allowed()).isTrue();
        assertThat(rl.tryAcquire("1.1.1.1").allowed()).isTrue();
        assertThat(rl.tryAcquire("1.1.1.1").allowed()).isFalse();
        assertThat(rl.tryAcquire("2.2.2.2").allowed()).as("one client cannot lock out another").isTrue();
    }

    @Test
    void refillNeverExceedsCapacity() {
        ClientRateLimiter rl = new ClientRateLimiter(3, 0, 100, clock);
        rl.tryAcquire("a");
        clock.advance(Duration.ofHours(1));
        int allowed = 0;
        for (int i = 0; i < 10; i++) {
            allowed += rl.tryAcquire("a").allowed() ? 1 : 0;
        }
        assertThat(allowed).isEqualTo(3);
    }

    @Test
    void perDayCountsPerUtcDayAndRollsOver() {
        ClientRateLimiter rl = new ClientRateLimiter(0, 2, 100, clock);
        assertThat(rl.tryAcquire("a").allowed()).isTrue();
        assertThat(rl.tryAcquire("a").allowed()).isTrue();
        Decision d = rl.tryAcquire("a");
        assertThat(d.allowed()).isFalse();
        assertThat(d.retryAfterSeconds()).as("until 00:00 UTC").isEqualTo(60);
        assertThat(d.message()).contains("limit is 2 per day (MAX_REQUESTS_PER_DAY_PER_IP)").endsWith("Try again in 60 s.");
        clock.advance(Duration.ofSeconds(60));
        assertThat(rl.tryAcquire("a").allowed()).as("a new UTC day starts a new count").isTrue();
    }

    @Test
    void deniedPerMinuteRequestsDoNotUseTheDailyBudget() {
        ClientRateLimiter rl = new ClientRateLimiter(1, 2, 100, clock);
        assertThat(rl.tryAcquire("a").allowed()).isTrue();
        for (int i = 0; i < 5; i++) {
            assertThat(rl.tryAcquire("a").allowed()).isFalse();
        }
        clock.advance(Duration.ofSeconds(30));
        assertThat(rl.tryAcquire("a").allowed()).isFalse();
        clock.advance(Duration.ofSeconds(30));
        assertThat(rl.tryAcquire("a").allowed()).isTrue();
    }

    @Test
    void offMeansUnlimitedAndUntracked() {
        ClientRateLimiter rl = new ClientRateLimiter(0, 0, 1, clock);
        for (int i = 0; i < 1000; i++) {
            assertThat(rl.tryAcquire("c" + i).allowed()).isTrue();
        }
        assertThat(rl.trackedClients()).isZero();
    }

    @Test
    void mapIsBoundedEvictingLeastRecentlyUsed() {
        ClientRateLimiter rl = new ClientRateLimiter(2, 0, 3, clock);
        rl.tryAcquire("a");
        rl.tryAcquire("a");
        assertThat(rl.tryAcquire("a").allowed()).isFalse();
        rl.tryAcquire("b");
        rl.tryAcquire("c");
        rl.tryAcquire("a"); // a is now the most recently used
        rl.tryAcquire("d"); // full, nothing stale: evicts b (least recently used)
        assertThat(rl.trackedClients()).as("never more than maxTrackedClients entries").isEqualTo(3);
        assertThat(rl.tryAcquire("a").allowed()).as("the recently used, exhausted client was kept").isFalse();
        for (int i = 0; i < 10_000; i++) {
            rl.tryAcquire("flood-" + i);
        }
        assertThat(rl.trackedClients()).isEqualTo(3);
    }

    @Test
    void staleEntriesAreEvictedBeforeActiveOnes() {
        ClientRateLimiter rl = new ClientRateLimiter(2, 0, 2, clock);
        rl.tryAcquire("old");
        clock.advance(Duration.ofSeconds(5));
        rl.tryAcquire("busy");
        rl.tryAcquire("busy");
        rl.tryAcquire("old"); // old is most recently used, but it refills fully before busy does
        clock.advance(Duration.ofSeconds(59));
        rl.tryAcquire("new");
        assertThat(rl.trackedClients()).isEqualTo(2);
        // busy has 1.97 tokens: one more request, then denied. A forgotten (fresh) entry would allow two.
        assertThat(rl.tryAcquire("busy").allowed()).isTrue();
        assertThat(rl.tryAcquire("busy").allowed())
                .as("busy (not yet refilled) survived; old (refilled = stale) was swept despite being more recent")
                .isFalse();
    }

    @Test
    void constructorChecksArguments() {
        assertThatThrownBy(() -> new ClientRateLimiter(-1, 0, 1, clock)).hasMessageContaining("perMinute");
        assertThatThrownBy(() -> new ClientRateLimiter(1, 0, 0, clock)).hasMessageContaining("maxTrackedClients");
    }

    @Test
    void limitsChangeLiveWithoutForgettingTodaysCounts() {
        ClientRateLimiter rl = new ClientRateLimiter(10, 0, 100, clock);
        for (int i = 0; i < 4; i++) {
            assertThat(rl.tryAcquire("a").allowed()).isTrue();
        }
        rl.setLimits(2, 100);
        assertThat(rl.tryAcquire("a").allowed()).as("a lower per-minute limit caps the remaining burst").isTrue();
        assertThat(rl.tryAcquire("a").allowed()).isTrue();
        Decision d = rl.tryAcquire("a");
        assertThat(d.allowed()).isFalse();
        assertThat(d.message()).as("the message states the new limit").contains("2 per minute");

        clock.advance(Duration.ofSeconds(30));
        rl.setLimits(2, 6);
        Decision day = rl.tryAcquire("a");
        assertThat(day.allowed()).as("the new daily limit counts the requests already made today (6 >= 6)").isFalse();
        assertThat(day.message()).contains("6 per day");

        rl.setLimits(0, 0);
        for (int i = 0; i < 50; i++) {
            assertThat(rl.tryAcquire("a").allowed()).as("0/0 turns both limits off at once").isTrue();
        }
        rl.setLimits(3, 0);
        int allowed = 0;
        for (int i = 0; i < 10; i++) {
            allowed += rl.tryAcquire("a").allowed() ? 1 : 0;
        }
        assertThat(allowed).as("switching a per-minute limit on starts each client with a full burst").isEqualTo(3);
        assertThatThrownBy(() -> rl.setLimits(-1, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
