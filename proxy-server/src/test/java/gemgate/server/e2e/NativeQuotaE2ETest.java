package gemgate.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * {@code :countTokens} is metered by Google apart from generation: it must not use the model's local generate
 * RPM/RPD, or clients that count tokens before each call would see 503 "no key available" at half the real rate.
 */
class NativeQuotaE2ETest {
    private static final String BODY = "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hello\"}]}]}";

    @Test
    void countTokensDoesNotUseTheModelsGenerateQuota() {
        try (Harness h = Harness.start("GEMINI_API_KEYS", "k1", "MODEL_LIMITS", "{\"limits\":{\"gemini-2.5-flash\":{\"rpm\":2}}}")) {
            for (int i = 0; i < 2; i++) {
                HttpResponse<String> c = NativeE2ETest.google(h, "/v1beta/models/gemini-2.5-flash:countTokens", BODY);
                assertThat(c.statusCode()).as(c.body()).isEqualTo(200);
            }
            HttpResponse<String> gen = NativeE2ETest.google(h, "/v1beta/models/gemini-2.5-flash:generateContent", BODY);
            assertThat(gen.statusCode())
                    .as("two countTokens calls must not use up the 2 generate requests per minute: " + gen.body())
                    .isEqualTo(200);
        }
    }
}
