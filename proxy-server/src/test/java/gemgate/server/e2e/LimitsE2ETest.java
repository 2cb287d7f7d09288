package gemgate.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import gemgate.core.json.Json;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** Auth, the two per-IP limits and the body cap: rejected before any Gemini call. */
class LimitsE2ETest {

    @Test
    void authAcceptsBearerGoogHeaderAndQueryKeyAndRejectsTheRest() {
        try (Harness h = Harness.start()) {
            String body = Harness.chat("gemini-2.5-flash", "x", false);
            HttpRequest.BodyPublisher pub = HttpRequest.BodyPublishers.ofString(body);
            assertThat(h.send(h.request("/v1/chat/completions").POST(pub).build()).statusCode())
                    .as("no credentials").isEqualTo(401);
            assertThat(h.send(h.request("/v1/chat/completions").header("Authorization", "Bearer wrong").POST(pub).build()).statusCode())
                    .as("wrong password").isEqualTo(401);
            assertThat(h.send(h.request("/v1/chat/completions").header("x-goog-api-key", Harness.PASSWORD).POST(pub).build()).statusCode())
                    .isEqualTo(200);
            assertThat(h.send(HttpRequest.newBuilder(URI.create(h.url("/v1/chat/completions?key=" + Harness.PASSWORD))).POST(pub).build())
                    .statusCode()).isEqualTo(200);
            HttpResponse<String> denied = h.send(h.request("/v1/models").GET().build());
            assertThat(Json.obj(Json.parseObject(denied.body().getBytes()), "error")).containsKeys("message", "type", "param", "code");
            assertThat(h.send(h.request("/health").GET().build()).statusCode()).as("health is public").isEqualTo(200);
            assertThat(h.emulator.generateCalls("test-key-good")).isEqualTo(2);
        }
    }

    @Test
    void perMinuteLimitGives429WithRetryAfterAndNeverReachesGemini() {
        try (Harness h = Harness.start("MAX_REQUESTS_PER_MINUTE", "3")) {
            for (int i = 0; i < 3; i++) {
                assertThat(h.post("/v1/chat/completions", Harness.chat("gemini-2.5-flash", "x", false)).statusCode()).isEqualTo(200);
            }
            HttpResponse<String> r = h.post("/v1/chat/completions", Harness.chat("gemini-2.5-flash", "x", false));
            assertThat(r.statusCode()).isEqualTo(429);
            assertThat(r.headers().firstValue("retry-after")).isPresent();
            assertThat(Json.obj(Json.parseObject(r.body().getBytes()), "error")).containsKeys("message", "type", "param", "code");
            assertThat(h.emulator.generateCalls("test-key-good")).isEqualTo(3);
        }
    }

    @Test
    void perDayLimitGives429() {
        try (Harness h = Harness.start("MAX_REQUESTS_PER_DAY_PER_IP", "2")) {
            assertThat(h.post("/v1/chat/completions", Harness.chat("gemini-2.5-flash", "x", false)).statusCode()).isEqualTo(200);
            assertThat(h.post("/v1/chat/completions", Harness.chat("gemini-2.5-flash", "x", false)).statusCode()).isEqualTo(200);
            HttpResponse<String> r = h.post("/v1/chat/completions", Harness.chat("gemini-2.5-flash", "x", false));
            assertThat(r.statusCode()).isEqualTo(429);
            assertThat(r.body()).contains("day");
        }
    }

    @Test
    void oversizedBodyIs413() {
        try (Harness h = Harness.start("MAX_REQUEST_BODY", "1024")) {
            String big = Harness.chat("gemini-2.5-flash", "x".repeat(5000), false);
            HttpResponse<String> r = h.post("/v1/chat/completions", big);
            assertThat(r.statusCode()).isEqualTo(413);
            assertThat(Json.obj(Json.parseObject(r.body().getBytes()), "error")).containsKeys("message", "type", "param", "code");
            assertThat(h.emulator.generateCalls("test-key-good")).as("a rejected body never reaches Gemini").isZero();
            assertThat(h.post("/v1/chat/completions", Harness.chat("gemini-2.5-flash", "small", false)).statusCode())
                    .as("the server still works after a 413").isEqualTo(200);
        }
    }
}
