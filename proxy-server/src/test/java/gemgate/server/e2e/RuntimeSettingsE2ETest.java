package gemgate.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import gemgate.core.config.RuntimeSettings;
import gemgate.core.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Settings changed at runtime take effect on the next request, without a restart, and are saved. */
class RuntimeSettingsE2ETest {

    private static Map<String, Object> changes(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void rateLimitModelFilterAndRetriesChangeLiveAndAreSaved() throws Exception {
        // "" unsets the Harness's environment values, so runtime values are not shadowed.
        try (Harness h = Harness.start("MAX_REQUESTS_PER_MINUTE", "", "MAX_REQUESTS_PER_DAY_PER_IP", "")) {
            String chat = Harness.chat("gemini-2.5-flash", "hi", false);
            assertThat(h.post("/v1/chat/completions", chat).statusCode()).isEqualTo(200);

            h.proxy.runtime().apply(changes("MAX_REQUESTS_PER_MINUTE", 1));
            assertThat(h.post("/v1/chat/completions", chat).statusCode())
                    .as("the lower limit applies to the next request (the burst left is capped at 1)").isEqualTo(200);
            assertThat(h.post("/v1/chat/completions", chat).statusCode()).as("then the new limit bites").isEqualTo(429);
            h.proxy.runtime().apply(changes("MAX_REQUESTS_PER_MINUTE", 0));
            assertThat(h.post("/v1/chat/completions", chat).statusCode()).as("0 switches the limit off live").isEqualTo(200);

            assertThat(ModelsE2ETest.ids(h.get("/v1/models"))).contains("gemini-2.5-flash");
            h.proxy.runtime().apply(changes("BLOCKED_MODELS", "gemini-2.5-flash"));
            assertThat(ModelsE2ETest.ids(h.get("/v1/models"))).as("the cached model list follows the new filter")
                    .isNotEmpty().doesNotContain("gemini-2.5-flash");
            assertThat(h.post("/v1/chat/completions", chat).statusCode()).as("and chat refuses the model").isEqualTo(400);

            h.proxy.runtime().apply(changes("gemgate.retry.max-retry-num", 2));
            assertThat(h.proxy.gateway().maxRetryNum()).isEqualTo(2);

            assertThat(h.proxy.store().flush()).isTrue();
            Path saved = h.settings.storage().dir().resolve("settings.json");
            Map<String, Object> values = Json.obj(Json.obj(Json.parseObject(Files.readAllBytes(saved)), "data"), "values");
            assertThat(values).containsEntry("gemgate.rate-limit.per-minute", 0L)
                    .containsEntry("gemgate.models.blocked", java.util.List.of("gemini-2.5-flash"))
                    .containsEntry("gemgate.retry.max-retry-num", 2L);
        }
    }

    @Test
    void anEnvironmentValueWinsAndTheChangeSaysSo() {
        try (Harness h = Harness.start()) {
            // The Harness sets FAKE_STREAMING=false in the environment.
            RuntimeSettings.Result r = h.proxy.runtime().apply(changes("gemgate.streaming.fake-streaming", true));
            assertThat(r.shadowedPaths()).containsExactly("gemgate.streaming.fake-streaming");
            assertThat(r.shadowed().get(0).message()).contains("FAKE_STREAMING");
            assertThat(h.proxy.gateway().fakeStreaming()).as("environment > runtime").isFalse();
        }
    }
}
