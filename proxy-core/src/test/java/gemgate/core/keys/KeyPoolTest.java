package gemgate.core.keys;

import static org.assertj.core.api.Assertions.assertThat;

import gemgate.core.error.ApiError;
import gemgate.core.keys.UpstreamFailure.Kind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KeyPoolTest {
    private static final String K1 = "AIzaSyA0000000000000000000000000000001";
    private static final String K2 = "AIzaSyA0000000000000000000000000000002";
    private static final String K3 = "AIzaSyA0000000000000000000000000000003";

    private final FakeClock clock = FakeClock.at("2026-05-01T12:00:00Z");

    private static UpstreamFailure rateLimited(Duration retryAfter) {
        return new UpstreamFailure(Kind.RATE_LIMITED, 429, "quota", retryAfter, false);
    }

    private static UpstreamFailure perDay() {
        return new UpstreamFailure(Kind.RATE_LIMITED, 429, "daily quota", Duration.ofSeconds(1), true);
    }

    private static UpstreamFailure invalid() {
        return new UpstreamFailure(Kind.KEY_INVALID, 400, "API key not valid", null, false);
    }

    private static String take(KeyPool pool) {
        return pool.next(Set.of()).map(PooledKey::key).orElse(null);
    }

    @Test
    void roundRobinIsFair() {
        KeyPool pool = new KeyPool(List.of(K1, K2, K3), clock);
        Map<String, Integer> counts = new HashMap<>();
        List<String> order = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            String k = take(pool);
            order.add(k);
            counts.merge(k, 1, Integer::sum);
        }
        assertThat(order.subList(0, 6)).containsExactly(K1, K2, K3, K1, K2, K3);
        assertThat(counts).as("every key gets the same share").containsOnly(
                Map.entry(K1, 100), Map.entry(K2, 100), Map.entry(K3, 100));
    }

    @Test
    void blankAndDuplicateKeysAreDropped() {
        KeyPool pool = new KeyPool(List.of(K1, " ", K1, K2 + " "), clock);
        assertThat(pool.size()).isEqualTo(2);
    }

    @Test
    void skipsTriedKeysAndEndsWhenAllTried() {
        KeyPool pool = new KeyPool(List.of(K1, K2, K3), clock);
        Set<PooledKey> tried = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            PooledKey k = pool.next(tried).orElseThrow();
            assertThat(tried).as("a request never gets the same key twice").doesNotContain(k);
            tried.add(k);
        }
        assertThat(pool.next(tried)).isEmpty();
        ApiError err = pool.unavailableError();
        assertThat(err.status()).isEqualTo(503);
        assertThat(err.message()).isEqualTo("All 3 Gemini keys are unavailable: 3 already failed for this request.");
        assertThat(err.retryAfterSeconds()).isEqualTo(1);
    }

    @Test
    void skippingAKeepsRotationFair() {
        KeyPool pool = new KeyPool(List.of(K1, K2, K3), clock);
        PooledKey first = pool.next(Set.of()).orElseThrow();
        pool.onFailure(first, rateLimited(Duration.ofSeconds(30)));
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 100; i++) {
            counts.merge(take(pool), 1, Integer::sum);
        }
        assertThat(counts).as("the key after a cooling one does not get a double share")
                .containsOnly(Map.entry(K2, 50), Map.entry(K3, 50));
    }

    @Test
    void invalidKeyLeavesRotationForGood() {
        KeyPool pool = new KeyPool(List.of(K1, K2), clock);
        PooledKey k1 = pool.next(Set.of()).orElseThrow();
        pool.onFailure(k1, invalid());
        clock.advance(Duration.ofDays(3));
        for (int i = 0; i < 5; i++) {
            assertThat(take(pool)).isEqualTo(K2);
        }
        KeyStatus st = pool.snapshot().get(0);
        assertThat(st.state()).isEqualTo(KeyStatus.State.INVALID);
        assertThat(st.lastErrorKind()).isEqualTo(Kind.KEY_INVALID);
        assertThat(st.failures()).isEqualTo(1);
    }

    @Test
    void coolingKeyReturnsAfterRetryDelay() {
        KeyPool pool = new KeyPool(List.of(K1), clock);
        PooledKey k = pool.next(Set.of()).orElseThrow();
        pool.onFailure(k, rateLimited(Duration.ofMillis(34_400)));
        assertThat(pool.next(Set.of())).isEmpty();
        ApiError err = pool.unavailableError();
        assertThat(err.message()).isEqualTo(
                "The only Gemini key is unavailable: 1 cooling down after Google's rate limit (the first is back in 35 s).");
        assertThat(err.retryAfterSeconds()).as("never tell a client to come back before a key is").isEqualTo(35);

        clock.advance(Duration.ofMillis(34_399));
        assertThat(pool.next(Set.of())).isEmpty();
        assertThat(pool.unavailableError().retryAfterSeconds()).as("Retry-After is at least 1").isEqualTo(1);
        clock.advance(Duration.ofMillis(1));
        assertThat(pool.next(Set.of())).contains(k);
    }

    @Test
    void rateLimitWithoutDelayCoolsForSixtySeconds() {
        KeyPool pool = new KeyPool(List.of(K1), clock);
        PooledKey k = pool.next(Set.of()).orElseThrow();
        pool.onFailure(k, rateLimited(null));
        assertThat(pool.snapshot().get(0).coolingUntil()).isEqualTo(Instant.parse("2026-05-01T12:01:00Z"));
        clock.advance(Duration.ofSeconds(59));
        assertThat(pool.next(Set.of())).isEmpty();
        clock.advance(Duration.ofSeconds(1));
        assertThat(pool.next(Set.of())).isPresent();
    }

    @Test
    void shorterCooldownNeverShortensALongerOne() {
        KeyPool pool = new KeyPool(List.of(K1), clock);
        PooledKey k = pool.next(Set.of()).orElseThrow();
        pool.onFailure(k, perDay());
        pool.onFailure(k, rateLimited(Duration.ofSeconds(1)));
        clock.advance(Duration.ofSeconds(2));
        assertThat(pool.next(Set.of())).as("an in-flight per-minute 429 must not unpark a per-day one").isEmpty();
    }

    @Test
    void perDayQuotaParksUntilMidnightInLosAngeles() {
        // 2026-05-01 12:00Z is 05:00 PDT; next midnight is 2026-05-02T00:00-07:00.
        assertThat(parkedUntil("2026-05-01T12:00:00Z")).isEqualTo(Instant.parse("2026-05-02T07:00:00Z"));
    }

    @Test
    void perDayAcrossSpringForward() {
        // 2026-03-07 20:00 PST → midnight 2026-03-08 is still PST (the clocks jump at 02:00).
        assertThat(parkedUntil("2026-03-08T04:00:00Z")).isEqualTo(Instant.parse("2026-03-08T08:00:00Z"));
        // 2026-03-08 01:00 PST: the day has 23 hours; next midnight 2026-03-09 is PDT.
        assertThat(parkedUntil("2026-03-08T09:00:00Z")).isEqualTo(Instant.parse("2026-03-09T07:00:00Z"));
    }

    @Test
    void perDayAcrossFallBack() {
        // 2026-11-01 01:30 PDT (the first, ambiguous 01:30): the day has 25 hours; next midnight 2026-11-02 is PST.
        assertThat(parkedUntil("2026-11-01T08:30:00Z")).isEqualTo(Instant.parse("2026-11-02T08:00:00Z"));
        // 2026-10-31 23:59 PDT → midnight 2026-11-01 is still PDT.
        assertThat(parkedUntil("2026-11-01T06:59:00Z")).isEqualTo(Instant.parse("2026-11-01T07:00:00Z"));
    }

    private Instant parkedUntil(String now) {
        clock.set(Instant.parse(now));
        KeyPool pool = new KeyPool(List.of(K1), clock);
        PooledKey k = pool.next(Set.of()).orElseThrow();
        pool.onFailure(k, perDay());
        Instant until = pool.snapshot().get(0).coolingUntil();
        clock.set(until.minusMillis(1));
        assertThat(pool.next(Set.of())).as("still parked just before the reset").isEmpty();
        clock.set(until);
        assertThat(pool.next(Set.of())).as("back exactly at the reset").isPresent();
        return until;
    }

    @Test
    void unavailableErrorCountsEachCause() {
        KeyPool pool = new KeyPool(List.of(K1, K2, K3), clock);
        PooledKey a = pool.next(Set.of()).orElseThrow();
        PooledKey b = pool.next(Set.of()).orElseThrow();
        PooledKey c = pool.next(Set.of()).orElseThrow();
        pool.onFailure(a, invalid());
        pool.onFailure(b, rateLimited(Duration.ofMillis(34_400)));
        pool.onFailure(c, rateLimited(Duration.ofSeconds(50)));
        clock.advance(Duration.ofMillis(400));
        assertThat(pool.next(Set.of())).isEmpty();
        ApiError err = pool.unavailableError();
        assertThat(err.message()).isEqualTo(
                "All 3 Gemini keys are unavailable: 1 invalid, 2 cooling down after Google's rate limit (the first is back in 34 s).");
        assertThat(err.retryAfterSeconds()).isEqualTo(34);
        assertThat(err.code()).isEqualTo("no_usable_keys");
    }

    @Test
    void allInvalidSaysToReplaceThem() {
        KeyPool pool = new KeyPool(List.of(K1, K2), clock);
        pool.onFailure(pool.next(Set.of()).orElseThrow(), invalid());
        pool.onFailure(pool.next(Set.of()).orElseThrow(), invalid());
        assertThat(pool.unavailableError().message())
                .isEqualTo("All 2 Gemini keys are unavailable: 2 invalid. Google rejected them; replace them in GEMINI_API_KEYS.");
    }

    @Test
    void noKeysConfigured() {
        KeyPool pool = new KeyPool(List.of(), clock);
        assertThat(pool.size()).isZero();
        assertThat(pool.next(Set.of())).isEmpty();
        assertThat(pool.unavailableError()).isEqualTo(ApiError.noKeysConfigured());
    }

    @Test
    void failuresAreCountedAndSuccessResetsTheStreak() {
        KeyPool pool = new KeyPool(List.of(K1), clock);
        PooledKey k = pool.next(Set.of()).orElseThrow();
        pool.onFailure(k, new UpstreamFailure(Kind.SERVER_ERROR, 503, "overloaded", null, false));
        pool.onFailure(k, UpstreamFailure.timeout("read timeout"));
        assertThat(pool.next(Set.of())).as("server errors do not take a key out").contains(k);
        KeyStatus st = pool.snapshot().get(0);
        assertThat(st.consecutiveFailures()).isEqualTo(2);
        assertThat(st.lastErrorKind()).isEqualTo(Kind.TIMEOUT);
        pool.onSuccess(k);
        st = pool.snapshot().get(0);
        assertThat(st.consecutiveFailures()).isZero();
        assertThat(st.successes()).isEqualTo(1);
        assertThat(st.failures()).isEqualTo(2);
        assertThat(st.state()).isEqualTo(KeyStatus.State.ACTIVE);
    }

    @Test
    void clientErrorsCountAgainstNoKey() {
        KeyPool pool = new KeyPool(List.of(K1), clock);
        PooledKey k = pool.next(Set.of()).orElseThrow();
        pool.onFailure(k, new UpstreamFailure(Kind.CLIENT_ERROR, 404, "model not found", null, false));
        assertThat(pool.snapshot().get(0).failures()).isZero();
        assertThat(pool.next(Set.of())).contains(k);
    }

    @Test
    void keyNeverShowsInStringsOrSnapshot() {
        KeyPool pool = new KeyPool(List.of(K1), clock);
        PooledKey k = pool.next(Set.of()).orElseThrow();
        assertThat(k.toString()).isEqualTo("AIza…0001").doesNotContain(K1);
        assertThat(pool.snapshot().toString()).doesNotContain(K1);
        assertThat(k.fingerprint()).hasSize(8);
        Optional<PooledKey> again = pool.next(null);
        assertThat(again).contains(k);
    }
}
