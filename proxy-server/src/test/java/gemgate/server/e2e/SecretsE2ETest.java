package gemgate.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import gemgate.server.emulator.Behavior;
import gemgate.server.testutil.LogCapture;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * With logging at its most verbose, a mix of good, failing, rejected and streamed traffic must never put a pool key
 * or the password into a log line, a response (body or header), or the metrics page.
 */
class SecretsE2ETest {
    private static final String GOOD = "AIza" + "SyGoodGoodGoodGoodGoodGoodGood012345";
    private static final String INVALID = "AIza" + "SyInvalidInvalidInvalidInvalid01234";
    private static final String LIMITED = "AIza" + "SyLimitedLimitedLimitedLimited01234";
    private static final String BROKEN = "AIza" + "SyBrokenBrokenBrokenBrokenBroken012";
    private static final String PASSWORD = "Pw-Secret-Value-42-xyz";

    @Test
    void noKeyAndNoPasswordInLogsResponsesOrMetricsAtDebug() throws Exception {
        List<String> seen = new ArrayList<>();
        try (LogCapture logs = LogCapture.open(Level.DEBUG, org.slf4j.Logger.ROOT_LOGGER_NAME, "io.netty", "gemgate");
                Harness h = Harness.start("GEMINI_API_KEYS", String.join(",", GOOD, INVALID, LIMITED, BROKEN),
                        "PASSWORD", PASSWORD, "FAKE_STREAMING", "false")) {
            h.emulator.script(INVALID, Behavior.invalidKey());
            h.emulator.script(LIMITED, Behavior.quotaExceeded("30s", false));
            h.emulator.script(BROKEN, Behavior.serverError(503));
            String bearer = "Bearer " + PASSWORD;
            for (int i = 0; i < 4; i++) {
                seen.add(dump(h.send(chat(h, false).header("Authorization", bearer).build())));
                seen.add(dump(h.send(chat(h, true).header("Authorization", bearer).build())));
            }
            seen.add(dump(h.send(h.request("/v1/chat/completions?key=" + PASSWORD).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(Harness.chat("gemini-2.5-flash", "q", false))).build())));
            seen.add(dump(h.send(h.request("/v1/models").header("x-goog-api-key", PASSWORD).GET().build())));
            // Someone pastes a Gemini key as the password: the 401 and its log must not repeat it.
            seen.add(dump(h.send(h.request("/v1/models?key=" + GOOD).GET().build())));
            seen.add(dump(h.send(h.request("/v1/models").header("Authorization", "Bearer " + INVALID).GET().build())));
            seen.add(dump(h.send(h.request("/nowhere?key=" + PASSWORD).GET().build())));
            seen.add(dump(h.send(h.request("/v1/chat/completions").header("Authorization", bearer)
                    .POST(HttpRequest.BodyPublishers.ofString("{not json " + PASSWORD)).build())));
            // Every key failing: the 5xx that lists why.
            h.emulator.script(GOOD, Behavior.serverError(500));
            seen.add(dump(h.send(chat(h, false).header("Authorization", bearer).build())));
            h.emulator.script(GOOD, Behavior.ok().withChunks(3, Duration.ofMillis(10)).withResetAfterChunks(1));
            seen.add(dump(h.send(chat(h, true).header("Authorization", bearer).build())));
            seen.add(dump(h.send(h.request("/metrics").header("Authorization", bearer).GET().build())));
            seen.add(dump(h.send(h.request("/health").GET().build())));

            assertThat(h.emulator.generateCalls(GOOD)).as("the traffic did reach Gemini with the keys").isPositive();
            List<String> lines = logs.lines();
            assertThat(lines).as("debug logging was on").anyMatch(l -> l.startsWith("DEBUG"));
            assertThat(lines).as("the access log saw the traffic").anyMatch(l -> l.contains("gemgate.access"));
            for (String secret : List.of(GOOD, INVALID, LIMITED, BROKEN, PASSWORD)) {
                String middle = secret.substring(6, 20);
                for (String line : lines) {
                    assertThat(line).as("log line must not contain a secret").doesNotContain(secret).doesNotContain(middle);
                }
                for (String r : seen) {
                    assertThat(r).as("response must not contain a secret").doesNotContain(secret).doesNotContain(middle);
                }
            }
        }
    }

    private static HttpRequest.Builder chat(Harness h, boolean stream) {
        return h.request("/v1/chat/completions").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Harness.chat("gemini-2.5-flash", "hello", stream)));
    }

    private static String dump(HttpResponse<String> r) {
        return r.statusCode() + " " + r.headers().map() + "\n" + r.body();
    }
}
