package gemgate.core.keys;

import static org.assertj.core.api.Assertions.assertThat;

import gemgate.core.error.ApiError;
import gemgate.core.keys.UpstreamFailure.Kind;
import gemgate.core.stats.UsageStats;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Per key x model accounting: local limits, 429 handling per model, the Pacific quota day, headroom preference. */
class KeyPoolQuotaTest {
    static final String PRO = "gemini-2.5-pro";
    static final String FLASH = "gemini-2.5-flash";

    private final FakeClock clock = FakeClock.at("2026-05-01T12:00:10Z");

    /** A Google-shaped fake key, built at run time so no key-shaped literal sits in the repository. */
    static String key(int i) {
        return "AIza" + "Sy" + String.format("%033d", i);
    }

    static ModelLimits limits(String json) {
        return ModelLimits.parse(json.getBytes(StandardCharsets.UTF_8), "test");
    }

    private KeyPool pool(ModelLimits limits, int dailyLimit, String... keys) {
        return new KeyPool(List.of(keys), new KeyPool.Options(limits, dailyLimit, Duration.ofMinutes(10), Duration.ofHours(6)),
                new UsageStats(clock), clock);
    }

    private static UpstreamFailure perMinute(Duration delay) {
        return new UpstreamFailure(Kind.RATE_LIMITED, 429, "quota", delay, false);
    }

    private static UpstreamFailure perDay() {
        return new UpstreamFailure(Kind.RATE_LIMITED, 429, "daily quota", Duration.ofSeconds(20), true);
    }

    private static UpstreamFailure invalid() {
        return new UpstreamFailure(Kind.KEY_INVALID, 400, "API key not valid", null, false);
    }

    @Test
    void perMinuteRateLimitCoolsOnlyThatModel() {
        KeyPool pool = pool(ModelLimits.none(), 0, key(1));
        PooledKey k = pool.next(PRO, 10, Set.of()).orElseThrow();
        pool.onFailure(k, PRO, perMinute(Duration.ofMillis(34_400)));
        assertThat(pool.next(PRO, 10, Set.of())).as("the key rests for the model Google limited").isEmpty();
        assertThat(pool.next(FLASH, 10, Set.of())).as("quotas are per model: flash is still open").contains(k);
        ApiError err = pool.unavailableError(PRO);
        assertThat(err.message()).contains("1 cooling down after Google's rate limit for gemini-2.5-pro (the first is back in 35 s)");
        assertThat(err.retryAfterSeconds()).isEqualTo(35);
        clock.advance(Duration.ofMillis(34_400));
        assertThat(pool.next(PRO, 10, Set.of())).as("back once retryDelay has passed").contains(k);
    }

    @Test
    void perDayRateLimitParksThatModelUntilPacificMidnight() {
        KeyPool pool = pool(ModelLimits.none(), 0, key(1), key(2));
        PooledKey a = pool.next(PRO, 0, Set.of()).orElseThrow();
        pool.onFailure(a, PRO, perDay());
        // 2026-05-01T12:00Z is 05:00 PDT: the quota day ends at 2026-05-02T07:00Z.
        KeyStatus.ModelStatus ms = pool.snapshot().get(0).models().get(0);
        assertThat(ms.state()).isEqualTo(KeyStatus.State.EXHAUSTED);
        assertThat(ms.until()).isEqualTo(Instant.parse("2026-05-02T07:00:00Z"));
        for (int i = 0; i < 4; i++) {
            assertThat(pool.next(PRO, 0, Set.of()).orElseThrow()).as("a parked key is not offered for that model").isNotEqualTo(a);
        }
        clock.set(Instant.parse("2026-05-02T06:59:59Z"));
        assertThat(pool.next(PRO, 0, Set.of(pool.keys().get(1)))).as("still parked a second before the reset").isEmpty();
        assertThat(pool.unavailableError(PRO).message()).contains("1 out of today's quota for gemini-2.5-pro");
        clock.set(Instant.parse("2026-05-02T07:00:00Z"));
        assertThat(pool.next(PRO, 0, Set.of(pool.keys().get(1)))).as("back at midnight Pacific").contains(a);
    }

    @Test
    void localPreCheckSkipsAKeyAtItsRequestsPerMinute() {
        KeyPool pool = pool(limits("{\"limits\":{\"gemini-2.5-pro*\":{\"rpm\":2}}}"), 0, key(1), key(2));
        List<PooledKey> got = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            got.add(pool.next(PRO, 0, Set.of()).orElseThrow());
        }
        Map<PooledKey, Integer> counts = new HashMap<>();
        got.forEach(k -> counts.merge(k, 1, Integer::sum));
        assertThat(counts.values()).as("each key takes exactly its 2 requests per minute").containsOnly(2);
        assertThat(pool.next(PRO, 0, Set.of())).as("a fifth call this minute would pass every key's RPM: not sent").isEmpty();
        ApiError err = pool.unavailableError(PRO);
        assertThat(err.message()).contains("2 at the per-minute limit for gemini-2.5-pro (2 requests per minute per key")
                .contains("the next minute starts in 50 s");
        assertThat(err.retryAfterSeconds()).isEqualTo(50);
        assertThat(pool.next(FLASH, 0, Set.of())).as("other models have their own count").isPresent();
        clock.advance(Duration.ofSeconds(50));
        assertThat(pool.next(PRO, 0, Set.of())).as("a new minute, new requests").isPresent();
    }

    @Test
    void callsGoogleRefusedAreTakenBackFromTheCount() {
        KeyPool pool = pool(limits("{\"limits\":{\"gemini-2.5-pro\":{\"rpm\":1}}}"), 0, key(1));
        PooledKey k = pool.next(PRO, 0, Set.of()).orElseThrow();
        pool.onFailure(k, PRO, new UpstreamFailure(Kind.CLIENT_ERROR, 400, "bad schema", null, false));
        assertThat(pool.next(PRO, 0, Set.of())).as("a request Google rejected used none of the key's quota").contains(k);
        pool.onFailure(k, PRO, new UpstreamFailure(Kind.SERVER_ERROR, 500, "internal", null, false));
        assertThat(pool.next(PRO, 0, Set.of())).as("a server error may have used quota: it stays counted").isEmpty();
    }

    @Test
    void tokensPerMinuteCountInputTokensOfFinishedCalls() {
        KeyPool pool = pool(limits("{\"limits\":{\"gemini-2.5-pro\":{\"tpm\":1000}}}"), 0, key(1));
        PooledKey k = pool.next(PRO, 5_000, Set.of()).orElseThrow();
        assertThat(k).as("an estimate alone (bytes / 4 overstates images) never blocks a key").isNotNull();
        pool.onSuccess(k, PRO, 1_000, 50);
        assertThat(pool.next(PRO, 1, Set.of())).as("1000 counted input tokens reach the TPM").isEmpty();
        clock.advance(Duration.ofMinutes(1));
        assertThat(pool.next(PRO, 1, Set.of())).contains(k);
    }

    @Test
    void prefersTheKeyWithMostHeadroomAndRotatesAmongTies() {
        KeyPool pool = pool(limits("{\"limits\":{\"gemini-2.5-pro\":{\"rpm\":100,\"rpd\":100}}}"), 0, key(1), key(2), key(3));
        PooledKey a = pool.keys().get(0);
        // Yesterday-style imbalance: key 1 already made 60 requests today, key 2 made 30.
        Map<String, Object> state = Map.of("keys", Map.of(
                a.id(), Map.of("models", Map.of(PRO, Map.of("day", "2026-05-01", "requests_today", 60L))),
                pool.keys().get(1).id(), Map.of("models", Map.of(PRO, Map.of("day", "2026-05-01", "requests_today", 30L)))));
        pool.importState(state);
        List<PooledKey> order = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            order.add(pool.next(PRO, 0, Set.of()).orElseThrow());
        }
        assertThat(order).as("the fresh key goes first, while others have less left today").containsOnly(pool.keys().get(2));
        KeyPool fresh = pool(limits("{\"limits\":{\"gemini-2.5-pro\":{\"rpm\":10}}}"), 0, key(1), key(2), key(3));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ids.add(fresh.next(PRO, 0, Set.of()).orElseThrow().id());
        }
        assertThat(ids.subList(0, 3)).as("equal headroom: plain rotation").doesNotHaveDuplicates();
        assertThat(ids.subList(3, 6)).containsExactlyElementsOf(ids.subList(0, 3));
    }

    @Test
    void dailyCounterRollsOverAtPacificMidnight() {
        KeyPool pool = pool(limits("{\"limits\":{\"gemini-2.5-pro\":{\"rpd\":2}}}"), 0, key(1));
        clock.set(Instant.parse("2026-05-02T06:58:00Z")); // 23:58 PDT
        pool.next(PRO, 0, Set.of()).orElseThrow();
        pool.next(PRO, 0, Set.of()).orElseThrow();
        clock.advance(Duration.ofMinutes(1));
        assertThat(pool.next(PRO, 0, Set.of())).as("the local daily limit holds until midnight Pacific").isEmpty();
        assertThat(pool.snapshot().get(0).models().get(0).state()).isEqualTo(KeyStatus.State.EXHAUSTED);
        clock.set(Instant.parse("2026-05-02T07:00:00Z"));
        assertThat(pool.next(PRO, 0, Set.of())).as("a new quota day").isPresent();
        assertThat(pool.snapshot().get(0).models().get(0).requestsToday()).isEqualTo(1);
    }

    @Test
    void dailyResetFollowsSpringForward() {
        // 2026-03-08: clocks jump from 02:00 PST to 03:00 PDT, the quota day has 23 hours.
        KeyPool pool = pool(limits("{\"limits\":{\"gemini-2.5-pro\":{\"rpd\":1}}}"), 0, key(1));
        clock.set(Instant.parse("2026-03-08T08:00:00Z")); // 00:00 PST, start of the short day
        PooledKey k = pool.next(PRO, 0, Set.of()).orElseThrow();
        pool.onFailure(k, PRO, perDay());
        assertThat(pool.snapshot().get(0).models().get(0).until()).as("the next midnight is in PDT: 23 h later")
                .isEqualTo(Instant.parse("2026-03-09T07:00:00Z"));
        clock.set(Instant.parse("2026-03-09T06:59:59Z"));
        assertThat(pool.next(PRO, 0, Set.of())).isEmpty();
        clock.set(Instant.parse("2026-03-09T07:00:00Z"));
        assertThat(pool.next(PRO, 0, Set.of())).as("day counters and parking end together").contains(k);
    }

    @Test
    void dailyResetFollowsFallBack() {
        // 2026-11-01: clocks fall back from 02:00 PDT to 01:00 PST, the quota day has 25 hours.
        KeyPool pool = pool(limits("{\"limits\":{\"gemini-2.5-pro\":{\"rpd\":1}}}"), 0, key(1));
        clock.set(Instant.parse("2026-11-01T07:00:00Z")); // 00:00 PDT
        PooledKey k = pool.next(PRO, 0, Set.of()).orElseThrow();
        clock.set(Instant.parse("2026-11-02T07:30:00Z")); // 23:30 PST, 24.5 h later: still the same quota day
        assertThat(pool.next(PRO, 0, Set.of())).as("the 25-hour day is not over after 24 hours").isEmpty();
        clock.set(Instant.parse("2026-11-02T08:00:00Z")); // midnight PST
        assertThat(pool.next(PRO, 0, Set.of())).contains(k);
    }

    @Test
    void apiKeyDailyLimitCapsAKeyAcrossModels() {
        KeyPool pool = pool(ModelLimits.none(), 2, key(1));
        pool.next(PRO, 0, Set.of()).orElseThrow();
        pool.next(FLASH, 0, Set.of()).orElseThrow();
        assertThat(pool.next("gemma-3-27b-it", 0, Set.of())).as("API_KEY_DAILY_LIMIT counts all models together").isEmpty();
        assertThat(pool.snapshot().get(0).state()).isEqualTo(KeyStatus.State.EXHAUSTED);
        assertThat(pool.unavailableError(FLASH).message()).contains("1 out of today's quota");
    }

    @Test
    void invalidKeyIsRecheckedWithBackoffAndComesBack() {
        KeyPool pool = pool(ModelLimits.none(), 0, key(1), key(2));
        PooledKey a = pool.next(PRO, 0, Set.of()).orElseThrow();
        pool.onFailure(a, PRO, invalid());
        assertThat(pool.dueForValidation()).as("not before the first re-check is due").isEmpty();
        clock.advance(Duration.ofMinutes(10));
        assertThat(pool.dueForValidation()).containsExactly(a);
        pool.onValidation(a, invalid());
        clock.advance(Duration.ofMinutes(19));
        assertThat(pool.dueForValidation()).as("the wait doubled to 20 min").isEmpty();
        clock.advance(Duration.ofMinutes(1));
        assertThat(pool.dueForValidation()).containsExactly(a);
        for (int i = 0; i < 10; i++) {
            pool.onValidation(a, invalid());
        }
        assertThat(pool.snapshot().get(0).nextCheck()).as("the wait stops doubling at the maximum")
                .isEqualTo(clock.instant().plus(Duration.ofHours(6)));
        pool.onValidation(a, UpstreamFailure.timeout("slow"));
        assertThat(pool.snapshot().get(0).state()).as("a timeout proves nothing").isEqualTo(KeyStatus.State.INVALID);
        pool.onValidation(a, null);
        assertThat(pool.snapshot().get(0).state()).isEqualTo(KeyStatus.State.ACTIVE);
        assertThat(pool.dueForValidation()).isEmpty();
        Set<PooledKey> seen = new HashSet<>();
        for (int i = 0; i < 2; i++) {
            seen.add(pool.next(PRO, 0, Set.of()).orElseThrow());
        }
        assertThat(seen).as("a recovered key is back in rotation").contains(a);
    }

    @Test
    void rateLimitedValidationStillMeansValid() {
        KeyPool pool = pool(ModelLimits.none(), 0, key(1));
        PooledKey a = pool.keys().get(0);
        pool.onValidation(a, invalid());
        assertThat(a.isInvalid()).isTrue();
        pool.onValidation(a, perMinute(Duration.ofSeconds(3)));
        assertThat(a.isInvalid()).as("429 on the check: the key exists and works, it is just busy").isFalse();
    }

    @Test
    void successClearsTheFailureStreakPerModel() {
        KeyPool pool = pool(ModelLimits.none(), 0, key(1));
        PooledKey k = pool.next(PRO, 0, Set.of()).orElseThrow();
        pool.onFailure(k, PRO, new UpstreamFailure(Kind.SERVER_ERROR, 503, "overloaded", null, false));
        pool.onFailure(k, PRO, UpstreamFailure.timeout("slow"));
        assertThat(pool.snapshot().get(0).models().get(0).consecutiveFailures()).isEqualTo(2);
        pool.onSuccess(k, PRO, 10, 5);
        KeyStatus st = pool.snapshot().get(0);
        assertThat(st.models().get(0).consecutiveFailures()).isZero();
        assertThat(st.consecutiveFailures()).isZero();
        assertThat(st.models().get(0).lastSuccess()).isEqualTo(clock.instant());
        assertThat(st.models().get(0).lastErrorKind()).isEqualTo(Kind.TIMEOUT);
    }

    @Test
    void clientErrorsCountInStatsButNotAgainstTheKey() {
        KeyPool pool = pool(ModelLimits.none(), 0, key(1));
        PooledKey k = pool.next(PRO, 0, Set.of()).orElseThrow();
        pool.onFailure(k, PRO, new UpstreamFailure(Kind.CLIENT_ERROR, 400, "bad", null, false));
        assertThat(pool.snapshot().get(0).failures()).as("the client's mistake is not the key's").isZero();
        assertThat(pool.stats().lastMinute().errors()).as("but it was a call that failed").isEqualTo(1);
    }

    @Test
    void concurrentSelectionNeverPassesTheLocalLimit() throws Exception {
        KeyPool pool = pool(limits("{\"limits\":{\"gemini-2.5-pro\":{\"rpm\":50}}}"), 0, key(1), key(2), key(3));
        java.util.concurrent.atomic.AtomicInteger granted = new java.util.concurrent.atomic.AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread th = new Thread(() -> {
                for (int i = 0; i < 100; i++) {
                    if (pool.next(PRO, 0, Set.of()).isPresent()) {
                        granted.incrementAndGet();
                    }
                }
            });
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) {
            th.join();
        }
        assertThat(granted.get()).as("3 keys x 50 RPM, however the loops race").isEqualTo(150);
        assertThat(pool.snapshot()).allSatisfy(s -> assertThat(s.models().get(0).requestsThisMinute()).isEqualTo(50));
    }
}
