package gemgate.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import gemgate.core.json.Json;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The live model list: all pages, OpenAI shape, ids without "models/", filters applied. */
class ModelsE2ETest {

    @SuppressWarnings("unchecked")
    static List<String> ids(HttpResponse<String> r) {
        Map<String, Object> body = Json.parseObject(r.body().getBytes());
        assertThat(body.get("object")).isEqualTo("list");
        return Json.list(body, "data").stream().map(o -> Json.str(Json.asObject(o), "id")).toList();
    }

    @Test
    void listHasEveryPageInOpenAiShape() {
        try (Harness h = Harness.start()) {
            HttpResponse<String> r = h.get("/v1/models");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            List<String> ids = ids(r);
            assertThat(ids).as("chat models from page 1").contains("gemini-2.5-flash");
            assertThat(ids).as("models from page 2 (nextPageToken followed)").contains("gemini-3-flash-preview");
            assertThat(ids).allSatisfy(id -> assertThat(id).isNotBlank().doesNotStartWith("models/"));
            assertThat(h.get("/models").statusCode()).as("root alias").isEqualTo(200);
            assertThat(h.emulator.requests()).allSatisfy(rr -> assertThat(rr.apiKeyQuery()).isNull());
        }
    }

    @Test
    void whitelistAndBlocklistFilterTheListAndChat() {
        try (Harness h = Harness.start("WHITELIST_MODELS", "gemini-2.5-*", "BLOCKED_MODELS", "gemini-2.5-pro")) {
            List<String> ids = ids(h.get("/v1/models"));
            assertThat(ids).isNotEmpty().allSatisfy(id -> assertThat(id).startsWith("gemini-2.5-"));
            assertThat(ids).doesNotContain("gemini-2.5-pro");
            HttpResponse<String> r = h.post("/v1/chat/completions", Harness.chat("gemini-2.5-pro", "x", false));
            assertThat(r.statusCode()).as("a blocked model is refused on chat too").isEqualTo(400);
        }
    }
}
