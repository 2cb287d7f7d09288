package gemgate.core.keys;

import static gemgate.core.keys.KeyPoolQuotaTest.key;
import static org.assertj.core.api.Assertions.assertThat;

import gemgate.core.json.Json;
import gemgate.core.keys.UpstreamFailure.Kind;
import gemgate.core.stats.UsageStats;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Runtime key administration and the persisted state: add, remove, disable, tombstones, export/import. */
class KeyPoolAdminTest {
    private static final String PRO = "gemini-2.5-pro";
    private final FakeClock clock = FakeClock.at("2026-05-01T12:00:10Z");

    private KeyPool pool(String... envKeys) {
        return new KeyPool(List.of(envKeys), KeyPool.Options.defaults(), new UsageStats(clock), clock);
    }

    @Test
    void addKeysExtractsFromAnyTextAndDeduplicates() {
        KeyPool pool = pool(key(1));
        String pasted = "GEMINI_API_KEYS=" + key(1) + "," + key(2) + "\n  \"" + key(3) + "\"; " + key(2)
                + "\nhere are my keys\nsk-compatible0123456789abcdefghijklmn";
        AddResult r = pool.addKeys(pasted);
        assertThat(r.added()).extracting(AddResult.Entry::masked)
                .containsExactly(KeyMask.mask(key(2)), KeyMask.mask(key(3)), KeyMask.mask("sk-compatible0123456789abcdefghijklmn"));
        assertThat(r.added()).allSatisfy(e -> assertThat(e.source()).isEqualTo(PooledKey.Source.RUNTIME));
        assertThat(r.alreadyPresent()).extracting(AddResult.Entry::id).containsExactly(KeyMask.fingerprint(key(1)));
        assertThat(r.rejected()).as("words are rejected, masked").contains("****").doesNotContain("here");
        assertThat(Json.writeString(r.toJson())).as("a result never echoes a full key")
                .doesNotContain(key(2)).doesNotContain(key(3));
        assertThat(pool.size()).isEqualTo(4);
        assertThat(pool.addKeys(key(3)).added()).as("adding twice adds nothing").isEmpty();
    }

    @Test
    void removingAnEnvironmentKeyLeavesATombstoneThatSurvivesRestart() {
        KeyPool pool = pool(key(1), key(2));
        String id = KeyMask.fingerprint(key(1));
        RemoveResult r = pool.remove(id);
        assertThat(r.removed()).isTrue();
        assertThat(r.stillInEnvironment()).as("the operator is told the key is still in GEMINI_API_KEYS").isTrue();
        assertThat(r.message()).contains("GEMINI_API_KEYS");
        assertThat(pool.find(id)).isEmpty();

        KeyPool restarted = pool(key(1), key(2));
        restarted.importState(roundTrip(pool.exportState()));
        assertThat(restarted.find(id)).as("the removed environment key does not come back after a restart").isEmpty();
        assertThat(restarted.size()).isEqualTo(1);

        AddResult back = restarted.addKeys(key(1));
        assertThat(back.added()).singleElement().satisfies(e -> {
            assertThat(e.restored()).isTrue();
            assertThat(e.source()).isEqualTo(PooledKey.Source.ENVIRONMENT);
        });
        KeyPool again = pool(key(1), key(2));
        again.importState(roundTrip(restarted.exportState()));
        assertThat(again.size()).as("re-adding by hand lifts the tombstone").isEqualTo(2);
    }

    @Test
    void tombstoneOfAKeyNoLongerInTheEnvironmentIsDropped() {
        KeyPool pool = pool(key(1), key(2));
        pool.remove(KeyMask.fingerprint(key(1)));
        KeyPool edited = pool(key(2));
        edited.importState(roundTrip(pool.exportState()));
        assertThat(Json.list(edited.exportState(), "tombstones")).isEmpty();
        KeyPool readded = pool(key(1), key(2));
        readded.importState(roundTrip(edited.exportState()));
        assertThat(readded.size()).as("putting the key back into GEMINI_API_KEYS later brings it back").isEqualTo(2);
    }

    @Test
    void runtimeKeysAndFlagsSurviveRestartAndStaleDaysAreDropped() {
        KeyPool pool = pool(key(1));
        pool.addKeys(key(2) + "\n" + key(3));
        String id1 = KeyMask.fingerprint(key(1));
        String id2 = KeyMask.fingerprint(key(2));
        String id3 = KeyMask.fingerprint(key(3));
        pool.setDisabled(id2, true);
        PooledKey k3 = pool.find(id3).orElseThrow();
        pool.onFailure(k3, PRO, new UpstreamFailure(Kind.KEY_INVALID, 403, "suspended", null, false));
        PooledKey k1 = pool.find(id1).orElseThrow();
        for (int i = 0; i < 3; i++) {
            pool.next(PRO, 0, Set.of(pool.find(id2).orElseThrow(), k3));
        }
        pool.onFailure(k1, PRO, new UpstreamFailure(Kind.RATE_LIMITED, 429, "minute", Duration.ofSeconds(40), false));
        pool.onFailure(k1, "gemini-2.5-flash", new UpstreamFailure(Kind.RATE_LIMITED, 429, "day", null, true));

        Map<String, Object> saved = roundTrip(pool.exportState());
        assertThat(Json.writeString(saved)).as("runtime keys are stored in full").contains(key(2)).contains(key(3))
                .as("environment keys are not").doesNotContain(key(1));

        KeyPool restarted = pool(key(1));
        restarted.importState(saved);
        assertThat(restarted.size()).isEqualTo(3);
        KeyStatus s1 = status(restarted, id1);
        assertThat(s1.source()).isEqualTo(PooledKey.Source.ENVIRONMENT);
        KeyStatus.ModelStatus pro = model(s1, PRO);
        assertThat(pro.requestsToday()).as("one of the 3 requests was refused with 429 and taken back").isEqualTo(2);
        assertThat(pro.state()).isEqualTo(KeyStatus.State.COOLING);
        assertThat(pro.until()).isEqualTo(clock.instant().plusSeconds(40));
        assertThat(model(s1, "gemini-2.5-flash").until()).isEqualTo(Instant.parse("2026-05-02T07:00:00Z"));
        assertThat(status(restarted, id2).state()).isEqualTo(KeyStatus.State.DISABLED);
        assertThat(status(restarted, id2).source()).isEqualTo(PooledKey.Source.RUNTIME);
        KeyStatus s3 = status(restarted, id3);
        assertThat(s3.state()).isEqualTo(KeyStatus.State.INVALID);
        assertThat(s3.nextCheck()).isEqualTo(clock.instant().plus(Duration.ofMinutes(10)));
        assertThat(s3.lastError()).isEqualTo("suspended");

        // The next quota day: counts and the parking of the old day are gone, the flags stay.
        clock.set(Instant.parse("2026-05-02T07:00:00Z"));
        KeyPool nextDay = pool(key(1));
        nextDay.importState(saved);
        KeyStatus n1 = status(nextDay, id1);
        assertThat(n1.models()).allSatisfy(m -> {
            assertThat(m.requestsToday()).as("yesterday's counts are dropped").isZero();
            assertThat(m.state()).isEqualTo(KeyStatus.State.ACTIVE);
        });
        assertThat(status(nextDay, id2).state()).isEqualTo(KeyStatus.State.DISABLED);
        assertThat(status(nextDay, id3).state()).isEqualTo(KeyStatus.State.INVALID);
    }

    @Test
    void disabledKeysAreSkippedAndReportedAsSuch() {
        KeyPool pool = pool(key(1));
        String id = KeyMask.fingerprint(key(1));
        assertThat(pool.setDisabled(id, true)).isTrue();
        assertThat(pool.next(PRO, 0, Set.of())).isEmpty();
        assertThat(pool.unavailableError(PRO).message()).isEqualTo("The only Gemini key is unavailable: 1 disabled.");
        assertThat(pool.setDisabled("nope", true)).isFalse();
        pool.setDisabled(id, false);
        assertThat(pool.next(PRO, 0, Set.of())).isPresent();
    }

    @Test
    void clearInvalidAndExportValid() {
        KeyPool pool = pool(key(1), key(2));
        pool.addKeys(key(3));
        pool.onFailure(pool.find(KeyMask.fingerprint(key(1))).orElseThrow(), new UpstreamFailure(Kind.KEY_INVALID, 400, "bad", null, false));
        pool.onFailure(pool.find(KeyMask.fingerprint(key(3))).orElseThrow(), new UpstreamFailure(Kind.KEY_INVALID, 400, "bad", null, false));
        pool.setDisabled(KeyMask.fingerprint(key(2)), true);
        assertThat(pool.exportValid()).as("valid = not found invalid; disabled keys are still valid keys").containsExactly(key(2));
        List<RemoveResult> removed = pool.clearInvalid();
        assertThat(removed).extracting(RemoveResult::stillInEnvironment).containsExactly(true, false);
        assertThat(pool.size()).isEqualTo(1);
    }

    @Test
    void changeListenerHearsEveryPersistedChange() {
        KeyPool pool = pool(key(1));
        AtomicInteger calls = new AtomicInteger();
        pool.setChangeListener(calls::incrementAndGet);
        pool.addKeys(key(2));
        int afterAdd = calls.get();
        pool.setDisabled(KeyMask.fingerprint(key(2)), true);
        PooledKey k = pool.next(PRO, 0, Set.of()).orElseThrow();
        pool.onSuccess(k, PRO, 1, 1);
        pool.remove(KeyMask.fingerprint(key(2)));
        assertThat(afterAdd).isEqualTo(1);
        assertThat(calls.get()).as("disable, count, success, remove").isEqualTo(5);
    }

    @Test
    void snapshotJsonIsMaskedAndComplete() {
        KeyPool pool = pool(key(1));
        pool.addKeys(key(2));
        PooledKey k = pool.next(PRO, 0, Set.of()).orElseThrow();
        pool.onSuccess(k, PRO, 100, 20);
        String json = Json.writeString(pool.snapshotJson());
        assertThat(json).doesNotContain(key(1)).doesNotContain(key(2))
                .contains("\"source\":\"ENVIRONMENT\"").contains("\"source\":\"RUNTIME\"")
                .contains("\"model\":\"gemini-2.5-pro\"").contains("\"input_tokens_today\":100")
                .contains("\"summary\":{\"total\":2,\"active\":2");
    }

    @Test
    void fingerprintIsAShortHashThatRevealsNothing() {
        String fp = KeyMask.fingerprint(key(1));
        assertThat(fp).matches("[0-9a-f]{8}");
        assertThat(key(1)).doesNotContain(fp);
    }

    private static KeyStatus status(KeyPool pool, String id) {
        return pool.snapshot().stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow();
    }

    private static KeyStatus.ModelStatus model(KeyStatus s, String model) {
        return s.models().stream().filter(m -> m.model().equals(model)).findFirst().orElseThrow();
    }

    /** Through JSON text and back, as the store writes and reads it. */
    static Map<String, Object> roundTrip(Map<String, Object> tree) {
        return Json.parseObject(Json.write(tree));
    }
}
