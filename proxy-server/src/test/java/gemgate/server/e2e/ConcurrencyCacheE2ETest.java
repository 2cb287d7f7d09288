package gemgate.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import gemgate.server.emulator.Behavior;
import gemgate.server.testutil.LogCapture;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * CONCURRENT_REQUESTS and the response cache end to end: several keys asked at once, the first good answer wins,
 * losers are cancelled or kept for the next identical request, which is then answered without calling Gemini.
 */
class ConcurrencyCacheE2ETest {
    private static final String MODEL = "gemini-2.5-flash";
    private static final String KEYS = "k1,k2,k3";

    private static int calls(Harness h, String... keys) {
        int n = 0;
        for (String k : keys) {
            n += h.emulator.generateCalls(k);
        }
        return n;
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** Runs the request while sampling how many answers the emulator is holding at once; returns the peak. */
    private static <T> Peak<T> withPeak(Harness h, Supplier<T> request) {
        CompletableFuture<T> f = CompletableFuture.supplyAsync(request);
        int peak = 0;
        while (!f.isDone()) {
            peak = Math.max(peak, h.emulator.activeStreams());
            try {
                Thread.sleep(3); // rounds last hundreds of milliseconds: a few ms between samples is enough
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        return new Peak<>(f.join(), peak);
    }

    private record Peak<T>(T result, int peak) {}

    /** Key 2 answers after {@code fast}, keys 1 and 3 after {@code slow}. */
    private static void slowWinnerIsKeyTwo(Harness h, Duration fast, Duration slow) {
        h.emulator.script("k1", Behavior.ok().withText("from key 1").withDelay(slow));
        h.emulator.script("k2", Behavior.ok().withText("from key 2").withDelay(fast));
        h.emulator.script("k3", Behavior.ok().withText("from key 3").withDelay(slow));
    }

    @Test
    void theFirstGoodAnswerWinsAndLosersAreCancelledWhenTheCacheIsOff() {
        try (Harness h = Harness.start("GEMINI_API_KEYS", KEYS, "CONCURRENT_REQUESTS", "3", "MAX_CACHE_ENTRIES", "0")) {
            // Key 2 waits a little, so every attempt has reached Gemini before the winner is known.
            slowWinnerIsKeyTwo(h, Duration.ofMillis(500), Duration.ofSeconds(20));
            long t0 = System.nanoTime();
            Peak<HttpResponse<String>> r = withPeak(h, () -> h.post("/v1/chat/completions", Harness.chat(MODEL, "hello", false)));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(r.result().statusCode()).as(r.result().body()).isEqualTo(200);
            assertThat(r.result().body()).as("the fastest key's answer is sent").contains("from key 2");
            assertThat(ms).as("the answer does not wait for the slow keys").isLessThan(10_000);
            assertThat(calls(h, "k1", "k2", "k3")).as("one call per key, all started at once").isEqualTo(3);
            assertThat(h.emulator.requests().stream().filter(q -> q.path().contains(":generateContent")).count()).isEqualTo(3);
            await("the losers' connections are closed", () -> h.emulator.activeStreams() == 0);
            assertThat((System.nanoTime() - t0) / 1_000_000).as("closed long before the slow keys would have answered")
                    .isLessThan(15_000);
            assertThat(h.proxy.metrics().attemptsCancelled()).as("both losers were cancelled").isEqualTo(2);
            assertThat(h.proxy.gateway().cache().size()).isZero();

            HttpResponse<String> again = h.post("/v1/chat/completions", Harness.chat(MODEL, "hello", false));
            assertThat(again.body()).contains("from key 2");
            assertThat(calls(h, "k1", "k2", "k3")).as("without a cache a regenerate asks Gemini again").isEqualTo(6);
        }
    }

    @Test
    void losersFillTheCacheAndRegeneratesAreServedFromItOnceEachInEveryMode() throws Exception {
        try (LogCapture logs = LogCapture.open(Level.DEBUG, "gemgate.access");
                Harness h = Harness.start("GEMINI_API_KEYS", KEYS, "CONCURRENT_REQUESTS", "3")) {
            slowWinnerIsKeyTwo(h, Duration.ZERO, Duration.ofMillis(600));
            String body = Harness.chat(MODEL, "tell me a story", false);
            HttpResponse<String> first = h.post("/v1/chat/completions", body);
            assertThat(first.body()).contains("from key 2");
            await("both losers' answers are cached", () -> h.proxy.gateway().cache().size() == 2);
            assertThat(h.proxy.metrics().attemptsCancelled()).as("with the cache on, losers run to the end").isZero();
            assertThat(calls(h, "k1", "k2", "k3")).isEqualTo(3);

            // Another client (through the trusted local proxy) with the identical request: not served the answers.
            HttpResponse<String> other = h.send(h.request("/v1/chat/completions")
                    .header("Authorization", "Bearer " + Harness.PASSWORD).header("Content-Type", "application/json")
                    .header("X-Forwarded-For", "203.0.113.9").POST(HttpRequest.BodyPublishers.ofString(body)).build());
            assertThat(other.body()).contains("from key 2");
            // The answer goes back as soon as key 2 has answered; the other two calls may still be on their way.
            await("the other client's extra answers are cached too", () -> h.proxy.gateway().cache().size() == 4);
            assertThat(calls(h, "k1", "k2", "k3")).as("another client's identical request goes to Gemini").isEqualTo(6);

            HttpResponse<String> regen = h.post("/v1/chat/completions", body);
            assertThat(regen.statusCode()).isEqualTo(200);
            assertThat(regen.body()).as("a regenerate gets a loser's answer, not the one already shown")
                    .containsAnyOf("from key 1", "from key 3").doesNotContain("from key 2");
            assertThat(regen.body()).contains("\"object\":\"chat.completion\"");
            HttpResponse<String> streamed = h.post("/v1/chat/completions", Harness.chat(MODEL, "tell me a story", true));
            assertThat(streamed.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
            SseEvents events = SseEvents.parse(streamed.body());
            assertThat(streamed.body()).as("the second regenerate, as a real stream, gets the other loser's answer")
                    .containsAnyOf("from key 1", "from key 3").doesNotContain("from key 2");
            assertThat(regen.body().contains("from key 1")).as("each stored answer is served once")
                    .isNotEqualTo(streamed.body().contains("from key 1"));
            assertThat(events.endsWithDone()).as("the cached answer ends like any stream").isTrue();
            assertThat(calls(h, "k1", "k2", "k3")).as("both regenerates were answered without calling Gemini").isEqualTo(6);
            assertThat(h.proxy.metrics().cacheHits()).isEqualTo(2);

            HttpResponse<String> third = h.post("/v1/chat/completions", body);
            assertThat(third.body()).contains("from key 2");
            await("the cache for this client is used up: Gemini is asked again, by all three keys",
                    () -> calls(h, "k1", "k2", "k3") == 9);

            List<String> lines = logs.messages("gemgate.access");
            assertThat(lines.get(2)).as("the access line says the answer came from the cache").contains("cache=hit")
                    .doesNotContain("key=");
            assertThat(lines.get(3)).contains("cache=hit", "mode=real_stream");
        }
    }

    @Test
    void aFakeStreamRegenerateIsServedFromTheCache() {
        try (Harness h = Harness.start("GEMINI_API_KEYS", "k1,k2", "CONCURRENT_REQUESTS", "2", "FAKE_STREAMING", "true")) {
            h.emulator.script("k1", Behavior.ok().withText("from key 1").withDelay(Duration.ofMillis(500)));
            h.emulator.script("k2", Behavior.ok().withText("from key 2"));
            String body = Harness.chat(MODEL, "hi there", true);
            HttpResponse<String> first = h.post("/v1/chat/completions", body);
            assertThat(first.body()).contains("from key 2");
            await("the loser's answer is cached", () -> h.proxy.gateway().cache().size() == 1);
            HttpResponse<String> regen = h.post("/v1/chat/completions", body);
            assertThat(regen.body()).contains("from key 1").contains("data: [DONE]");
            assertThat(calls(h, "k1", "k2")).isEqualTo(2);
        }
    }

    @Test
    void aClientErrorFromOneAttemptIsAnsweredAtOnceAndCancelsTheOthers() {
        try (Harness h = Harness.start("GEMINI_API_KEYS", KEYS, "CONCURRENT_REQUESTS", "3")) {
            h.emulator.script("k1", Behavior.ok().withText("slow 1").withDelay(Duration.ofSeconds(20)));
            h.emulator.script("k2", Behavior.badRequest("* GenerateContentRequest.contents: contents is not specified")
                    .withDelay(Duration.ofMillis(500)));
            h.emulator.script("k3", Behavior.ok().withText("slow 3").withDelay(Duration.ofSeconds(20)));
            long t0 = System.nanoTime();
            HttpResponse<String> r = h.post("/v1/chat/completions", Harness.chat(MODEL, "x", false));
            assertThat(r.statusCode()).as("Gemini's verdict on the request itself goes back as is").isEqualTo(400);
            assertThat(r.body()).contains("contents is not specified");
            assertThat((System.nanoTime() - t0) / 1_000_000).as("not after the slow keys").isLessThan(10_000);
            await("the other attempts' connections are closed", () -> h.emulator.activeStreams() == 0);
            assertThat(h.proxy.metrics().attemptsCancelled()).isEqualTo(2);
            assertThat(h.proxy.gateway().cache().size()).as("a failed request keeps nothing running").isZero();
        }
    }

    @Test
    void eachFailedRoundIsWiderUpToTheMaximum() {
        try (Harness h = Harness.start("GEMINI_API_KEYS", "a,b,c,d,e,f", "CONCURRENT_REQUESTS", "1",
                "INCREASE_CONCURRENT_ON_FAILURE", "1", "MAX_CONCURRENT_REQUESTS", "3")) {
            h.emulator.defaultBehavior(Behavior.serverError(503).withDelay(Duration.ofMillis(400)));
            Peak<HttpResponse<String>> r = withPeak(h, () -> h.post("/v1/chat/completions", Harness.chat(MODEL, "x", false)));
            assertThat(r.result().statusCode()).as(r.result().body()).isEqualTo(502);
            assertThat(calls(h, "a", "b", "c", "d", "e", "f")).as("rounds of 1, 2 and 3 attempts used every key once")
                    .isEqualTo(6);
            assertThat(r.peak()).as("the third round ran three attempts at once").isEqualTo(3);
        }
        try (Harness h = Harness.start("GEMINI_API_KEYS", "a,b,c,d,e,f", "CONCURRENT_REQUESTS", "1",
                "INCREASE_CONCURRENT_ON_FAILURE", "1", "MAX_CONCURRENT_REQUESTS", "2")) {
            h.emulator.defaultBehavior(Behavior.serverError(503).withDelay(Duration.ofMillis(400)));
            Peak<HttpResponse<String>> r = withPeak(h, () -> h.post("/v1/chat/completions", Harness.chat(MODEL, "x", false)));
            assertThat(r.result().statusCode()).isEqualTo(502);
            assertThat(r.peak()).as("MAX_CONCURRENT_REQUESTS caps the growth").isEqualTo(2);
        }
    }

    @Test
    void oneAttemptAtATimeByDefault() {
        try (Harness h = Harness.start("GEMINI_API_KEYS", "a,b,c")) {
            h.emulator.script("a", Behavior.serverError(500).withDelay(Duration.ofMillis(300)));
            h.emulator.script("b", Behavior.serverError(500).withDelay(Duration.ofMillis(300)));
            h.emulator.script("c", Behavior.serverError(500).withDelay(Duration.ofMillis(300)));
            Peak<HttpResponse<String>> r = withPeak(h, () -> h.post("/v1/chat/completions", Harness.chat(MODEL, "x", false)));
            assertThat(r.result().statusCode()).isEqualTo(502);
            assertThat(calls(h, "a", "b", "c")).isEqualTo(3);
            assertThat(r.peak()).as("CONCURRENT_REQUESTS=1: never two calls at once").isEqualTo(1);
            assertThat(h.proxy.gateway().cache().isEmpty()).isTrue();
            assertThat(h.proxy.metrics().cacheHits()).isZero();
        }
    }

    @Test
    void realStreamsAreNeverRaced() {
        try (Harness h = Harness.start("GEMINI_API_KEYS", KEYS, "CONCURRENT_REQUESTS", "3")) {
            h.emulator.defaultBehavior(Behavior.serverError(500).withDelay(Duration.ofMillis(300)));
            h.emulator.script("k3", Behavior.ok().withText("streamed").withChunks(1, Duration.ZERO)
                    .withDelay(Duration.ofMillis(300)));
            Peak<HttpResponse<String>> r = withPeak(h, () -> h.post("/v1/chat/completions", Harness.chat(MODEL, "x", true)));
            assertThat(r.result().body()).contains("streamed");
            assertThat(r.peak()).as("a real stream is one attempt at a time whatever CONCURRENT_REQUESTS says").isEqualTo(1);
        }
    }
}
