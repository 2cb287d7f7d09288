package gemgate.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import gemgate.core.json.Json;
import gemgate.server.emulator.Behavior;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** Failures sorted by kind: invalid keys leave, rate-limited keys cool down, and nothing hangs when none is left. */
class KeyRotationE2ETest {

    @Test
    void rotationStepsAroundInvalidAndQuotaExhaustedKeys() {
        try (Harness h = Harness.start("GEMINI_API_KEYS", "k-invalid,k-quota,k-valid")) {
            h.emulator.script("k-invalid", Behavior.invalidKey());
            h.emulator.script("k-quota", Behavior.quotaExceeded("30s", false));
            h.emulator.script("k-valid", Behavior.ok().withText("served by the good key"));
            for (int i = 0; i < 6; i++) {
                HttpResponse<String> r = h.post("/v1/chat/completions", Harness.chat("gemini-2.5-flash", "hi " + i, false));
                assertThat(r.statusCode()).as("request %d: %s", i, r.body()).isEqualTo(200);
                assertThat(r.body()).contains("served by the good key");
            }
            assertThat(h.emulator.generateCalls("k-invalid")).as("an invalid key is taken out after its first failure").isEqualTo(1);
            assertThat(h.emulator.generateCalls("k-quota")).as("a 429 key cools down for Google's retryDelay").isEqualTo(1);
            assertThat(h.emulator.generateCalls("k-valid")).isEqualTo(6);
        }
    }

    @Test
    void allKeysCoolingGivesA503WithRetryAfterAndAReason() {
        try (Harness h = Harness.start("GEMINI_API_KEYS", "k1,k2")) {
            h.emulator.script("k1", Behavior.quotaExceeded("45s", false));
            h.emulator.script("k2", Behavior.quotaExceeded("45s", false));
            HttpResponse<String> r = h.post("/v1/chat/completions", Harness.chat("gemini-2.5-flash", "x", false));
            assertThat(r.statusCode()).as("not 429: SillyTavern would silently retry a 429 for minutes").isEqualTo(503);
            long retryAfter = Long.parseLong(r.headers().firstValue("retry-after").orElse("0"));
            assertThat(retryAfter).isBetween(30L, 46L);
            assertThat(Json.str(Json.obj(Json.parseObject(r.body().getBytes()), "error"), "message")).containsIgnoringCase("cool");
            long t0 = System.nanoTime();
            HttpResponse<String> again = h.post("/v1/chat/completions", Harness.chat("gemini-2.5-flash", "x", false));
            assertThat(again.statusCode()).isEqualTo(503);
            assertThat((System.nanoTime() - t0) / 1_000_000).as("a quick answer, not a hang").isLessThan(2000);
            assertThat(h.emulator.generateCalls("k1") + h.emulator.generateCalls("k2")).as("cooling keys are not hammered").isEqualTo(2);
        }
    }

    @Test
    void serverErrorsMoveOnToTheNextKey() {
        try (Harness h = Harness.start("GEMINI_API_KEYS", "k-500,k-503,k-ok")) {
            h.emulator.script("k-500", Behavior.serverError(500));
            h.emulator.script("k-503", Behavior.serverError(503));
            h.emulator.script("k-ok", Behavior.ok().withText("ok after 5xx"));
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> r = h.post("/v1/chat/completions", Harness.chat("gemini-2.5-flash", "x", false));
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            }
        }
    }

    @Test
    void retryBudgetIsBoundedByMaxRetryNum() {
        try (Harness h = Harness.start("GEMINI_API_KEYS", "a,b,c,d,e", "MAX_RETRY_NUM", "2")) {
            h.emulator.defaultBehavior(Behavior.serverError(500));
            HttpResponse<String> r = h.post("/v1/chat/completions", Harness.chat("gemini-2.5-flash", "x", false));
            assertThat(r.statusCode()).isEqualTo(502);
            int calls = 0;
            for (String k : new String[] {"a", "b", "c", "d", "e"}) {
                calls += h.emulator.generateCalls(k);
            }
            assertThat(calls).isEqualTo(2);
        }
    }

    @Test
    void noKeysAtAllStillStartsAndSays503() {
        try (Harness h = Harness.start("GEMINI_API_KEYS", "")) {
            HttpResponse<String> r = h.post("/v1/chat/completions", Harness.chat("gemini-2.5-flash", "x", false));
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.body()).contains("no Gemini API keys configured");
            assertThat(h.get("/health").statusCode()).isEqualTo(200);
        }
    }
}
