package gemgate.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import gemgate.core.config.ConfigLoader;
import gemgate.core.json.Json;
import gemgate.core.keys.KeyStatus;
import gemgate.server.Gemgate;
import gemgate.server.emulator.Behavior;
import gemgate.server.emulator.GeminiEmulator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The key pool through the whole proxy: the start-up check, local per-model limits, per-model 429s. */
class KeysE2ETest {

    private static void await(java.util.function.BooleanSupplier done, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!done.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("timed out waiting for: %s", what).isNegative();
            Thread.sleep(10);
        }
    }

    @Test
    void startUpCheckTakesAnInvalidKeyOutWhileServingAtOnce() throws Exception {
        // Its own emulator, scripted before the proxy starts: the check begins with the server.
        try (GeminiEmulator emu = GeminiEmulator.start("127.0.0.1", 0)) {
            emu.script("k-bad", Behavior.invalidKey());
            Path dir = Files.createTempDirectory("gemgate-keys-e2e");
            Map<String, String> env = new HashMap<>(Map.of("GEMINI_BASE_URL", emu.baseUrl(), "GEMINI_API_KEYS", "k-good,k-bad",
                    "PASSWORD", Harness.PASSWORD, "HOST", "127.0.0.1", "PORT", "0", "STORAGE_DIR", dir.toString(),
                    "FAKE_STREAMING", "false", "SHUTDOWN_GRACE", "1", "MODEL_LIMITS", "off"));
            try (Gemgate g = Gemgate.start(ConfigLoader.load(null, env, new Properties()))) {
                await(() -> g.keyValidator().progress().done() == 2 && !g.keyValidator().progress().running(),
                        "the background check");
                assertThat(g.gateway().keys().snapshot()).extracting(KeyStatus::state)
                        .containsExactly(KeyStatus.State.ACTIVE, KeyStatus.State.INVALID);
                HttpClient http = HttpClient.newHttpClient();
                for (int i = 0; i < 4; i++) {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + g.port() + "/v1/chat/completions"))
                            .header("Authorization", "Bearer " + Harness.PASSWORD)
                            .POST(HttpRequest.BodyPublishers.ofString(Harness.chat("gemini-2.5-flash", "hi", false))).build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                }
                assertThat(emu.generateCalls("k-bad")).as("the invalid key found at start-up is never used").isZero();
            }
        }
    }

    @Test
    void localRequestsPerMinuteLimitAnswers503WithoutCallingGemini() {
        try (Harness h = Harness.start("GEMINI_API_KEYS", "k1", "MODEL_LIMITS", "{\"limits\":{\"gemini-2.5-flash\":{\"rpm\":2}}}")) {
            for (int i = 0; i < 2; i++) {
                assertThat(h.post("/v1/chat/completions", Harness.chat("gemini-2.5-flash", "x", false)).statusCode()).isEqualTo(200);
            }
            HttpResponse<String> r = h.post("/v1/chat/completions", Harness.chat("gemini-2.5-flash", "x", false));
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(Json.str(Json.obj(Json.parseObject(r.body().getBytes()), "error"), "message"))
                    .contains("at the per-minute limit for gemini-2.5-flash");
            assertThat(r.headers().firstValue("retry-after")).isPresent();
            assertThat(h.emulator.generateCalls("k1")).as("the local pre-check saved the wasted call").isEqualTo(2);
            assertThat(h.post("/v1/chat/completions", Harness.chat("gemini-2.5-pro", "x", false)).statusCode())
                    .as("another model has its own count").isEqualTo(200);
        }
    }

    @Test
    void perDayQuotaOnOneModelLeavesOtherModelsServed() {
        try (Harness h = Harness.start("GEMINI_API_KEYS", "k1")) {
            h.emulator.script("k1", Behavior.sequence(Behavior.quotaExceeded("10s", true), Behavior.ok()));
            HttpResponse<String> first = h.post("/v1/chat/completions", Harness.chat("gemini-2.5-pro", "x", false));
            assertThat(first.statusCode()).isEqualTo(503);
            assertThat(first.body()).contains("out of today's quota for gemini-2.5-pro");
            assertThat(h.post("/v1/chat/completions", Harness.chat("gemini-2.5-flash", "x", false)).statusCode())
                    .as("Google's daily quota is per model").isEqualTo(200);
            assertThat(h.post("/v1/chat/completions", Harness.chat("gemini-2.5-pro", "x", false)).statusCode())
                    .as("the parked model stays parked").isEqualTo(503);
            assertThat(h.emulator.generateCalls("k1")).isEqualTo(2);
            assertThat(h.proxy.gateway().keys().stats().modelLast24h("gemini-2.5-pro"))
                    .as("the refused call is in the statistics as an error").satisfies(t -> {
                        assertThat(t.calls()).isEqualTo(1);
                        assertThat(t.errors()).isEqualTo(1);
                    });
        }
    }
}
