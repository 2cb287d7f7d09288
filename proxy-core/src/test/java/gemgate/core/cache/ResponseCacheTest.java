package gemgate.core.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gemgate.core.keys.FakeClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ResponseCacheTest {
    private static final String MODEL = "gemini-2.5-flash";

    private final FakeClock clock = FakeClock.at("2025-06-01T00:00:00Z");
    private final Map<ResponseCache.Removal, Integer> removed = new EnumMap<>(ResponseCache.Removal.class);

    private ResponseCache cache(int maxEntries, long maxBytes, Duration ttl) {
        return new ResponseCache(new ResponseCache.Limits(maxEntries, maxBytes, ttl), new CacheKeys(true, 6, false), clock,
                (why, n) -> removed.merge(why, n, Integer::sum));
    }

    private static byte[] answer(String text) {
        return ("{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"" + text + "\"}]}}]}").getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    private static CacheKey key(ResponseCache c, String scope, String prompt) {
        return c.keyFor(scope, MODEL, ("{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"" + prompt + "\"}]}]}")
                .getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void eachAnswerIsServedOnceInArrivalOrder() {
        ResponseCache c = cache(10, 1 << 20, Duration.ofHours(6));
        CacheKey k = key(c, "ip:1", "hello");
        assertThat(c.put(k, answer("first"))).isTrue();
        assertThat(c.put(k, answer("second"))).isTrue();
        assertThat(text(c.take(k))).as("the oldest stored answer comes first").contains("first");
        assertThat(text(c.take(k))).as("a second regenerate gets the other answer, not the same one again").contains("second");
        assertThat(c.take(k)).as("single-use: nothing is left after both were served").isNull();
        assertThat(c.size()).isZero();
        assertThat(c.bytes()).as("bytes are released with the entries").isZero();
    }

    @Test
    void answersExpireAfterTheTtl() {
        ResponseCache c = cache(10, 1 << 20, Duration.ofSeconds(60));
        CacheKey k = key(c, "ip:1", "hello");
        c.put(k, answer("old"));
        clock.advance(Duration.ofSeconds(30));
        c.put(k, answer("newer"));
        clock.advance(Duration.ofSeconds(30));
        assertThat(text(c.take(k))).as("the first answer is exactly 60 s old: expired, so the newer one is served")
                .contains("newer");
        assertThat(removed.get(ResponseCache.Removal.EXPIRED)).isEqualTo(1);
        c.put(k, answer("again"));
        clock.advance(Duration.ofSeconds(61));
        c.purgeExpired();
        assertThat(c.size()).as("expired answers are dropped, not kept until read").isZero();
        assertThat(c.take(k)).isNull();
    }

    @Test
    void theEntryBoundEvictsTheOldestAcrossKeys() {
        ResponseCache c = cache(2, 1 << 20, Duration.ofHours(6));
        CacheKey a = key(c, "ip:1", "a");
        CacheKey b = key(c, "ip:1", "b");
        c.put(a, answer("a1"));
        clock.advance(Duration.ofSeconds(1));
        c.put(b, answer("b1"));
        clock.advance(Duration.ofSeconds(1));
        c.put(a, answer("a2"));
        assertThat(c.size()).as("never more entries than the bound").isEqualTo(2);
        assertThat(removed.get(ResponseCache.Removal.EVICTED)).isEqualTo(1);
        assertThat(text(c.take(a))).as("a1 was the oldest and went; a2 stays").contains("a2");
        assertThat(text(c.take(b))).contains("b1");
        assertThat(c.take(a)).isNull();
    }

    @Test
    void theByteBoundCountsPayloadAndOverheadAndRejectsAnswersTooLargeAlone() {
        byte[] one = answer("x".repeat(1000));
        long cost = one.length + (long) ResponseCache.ENTRY_OVERHEAD;
        ResponseCache c = cache(100, cost * 2 + 10, Duration.ofHours(6));
        CacheKey k1 = key(c, "ip:1", "1");
        CacheKey k2 = key(c, "ip:1", "2");
        CacheKey k3 = key(c, "ip:1", "3");
        c.put(k1, one);
        c.put(k2, one.clone());
        assertThat(c.bytes()).isEqualTo(cost * 2);
        c.put(k3, one.clone());
        assertThat(c.bytes()).as("bytes never exceed the bound").isLessThanOrEqualTo(cost * 2 + 10);
        assertThat(c.take(k1)).as("the oldest answer made room for the newest").isNull();
        assertThat(c.take(k3)).isNotNull();

        byte[] huge = answer("y".repeat(5000));
        assertThat(c.put(k1, huge)).as("an answer larger than the whole bound is not stored").isFalse();
        assertThat(c.take(k2)).as("and it did not flush the others out").isNotNull();
    }

    @Test
    void aZeroBoundTurnsTheCacheOff() {
        ResponseCache off = cache(0, 1 << 20, Duration.ofHours(1));
        assertThat(off.enabled()).isFalse();
        assertThat(off.put(key(off, "ip:1", "x"), answer("x"))).isFalse();
        assertThat(off.size()).isZero();
        assertThat(cache(10, 0, Duration.ofHours(1)).enabled()).isFalse();
        assertThat(ResponseCache.disabled(clock).enabled()).isFalse();
    }

    @Test
    void answersStayWithTheClientThatCausedThemUnlessSharingIsOn() {
        ResponseCache c = cache(10, 1 << 20, Duration.ofHours(6));
        c.put(key(c, "ip:10.0.0.1", "same prompt"), answer("for client one"));
        assertThat(c.take(key(c, "ip:10.0.0.2", "same prompt"))).as("another client's identical request misses").isNull();
        assertThat(text(c.take(key(c, "ip:10.0.0.1", "same prompt")))).contains("for client one");

        ResponseCache shared = new ResponseCache(new ResponseCache.Limits(10, 1 << 20, Duration.ofHours(6)),
                new CacheKeys(true, 6, true), clock, null);
        shared.put(shared.keyFor("ip:10.0.0.1", MODEL, "{\"contents\":[]}".getBytes(StandardCharsets.UTF_8)), answer("shared"));
        assertThat(text(shared.take(shared.keyFor("ip:10.0.0.2", MODEL, "{\"contents\":[]}".getBytes(StandardCharsets.UTF_8)))))
                .as("with share-across-clients an identical request of another client is served").contains("shared");
    }

    @Test
    void limitsAreChecked() {
        assertThatThrownBy(() -> new ResponseCache.Limits(-1, 1, Duration.ofSeconds(1))).hasMessageContaining("maxEntries");
        assertThatThrownBy(() -> new ResponseCache.Limits(1, -1, Duration.ofSeconds(1))).hasMessageContaining("maxBytes");
        assertThatThrownBy(() -> new ResponseCache.Limits(1, 1, Duration.ZERO)).hasMessageContaining("ttl");
    }

    @Test
    void concurrentPutsAndTakesKeepTheBoundsAndLoseNothing() throws Exception {
        ResponseCache c = cache(50, 1 << 20, Duration.ofHours(6));
        int threads = 4;
        int perThread = 2000;
        AtomicInteger taken = new AtomicInteger();
        AtomicInteger stored = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread th = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    CacheKey k = key(c, "ip:" + id, "p" + (i % 7));
                    if (c.put(k, answer("t" + id + "-" + i))) {
                        stored.incrementAndGet();
                    }
                    if (i % 2 == 0 && c.take(k) != null) {
                        taken.incrementAndGet();
                    }
                    assertThat(c.size()).isLessThanOrEqualTo(50);
                }
            });
            ts.add(th);
            th.start();
        }
        go.countDown();
        for (Thread th : ts) {
            th.join();
        }
        int evicted;
        synchronized (removed) {
            evicted = removed.getOrDefault(ResponseCache.Removal.EVICTED, 0);
        }
        assertThat(stored.get()).isEqualTo(threads * perThread);
        assertThat(taken.get() + evicted + c.size()).as("every stored answer was taken, evicted or is still there")
                .isEqualTo(stored.get());
    }
}
