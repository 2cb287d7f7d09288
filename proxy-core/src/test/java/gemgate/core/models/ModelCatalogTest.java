package gemgate.core.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gemgate.core.error.ApiException;
import gemgate.core.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelCatalogTest {

    private static byte[] realPage() throws IOException {
        try (InputStream in = ModelCatalogTest.class.getResourceAsStream("/golden/models-list-v1beta-page1-real.json")) {
            return in.readAllBytes();
        }
    }

    @Test
    void parsesTheRealFirstPage() throws IOException {
        ModelCatalog.Page page = ModelCatalog.parsePage(realPage());
        assertThat(page.models()).as("the default page holds 50 models").hasSize(50);
        assertThat(page.nextPageToken()).isEqualTo("Ch5tb2RlbHMvaW1hZ2VuLTQuMC1nZW5lcmF0ZS0wMDE=");
        assertThat(page.models()).extracting(GeminiModel::id).as("ids lose the models/ prefix")
                .contains("gemini-2.5-flash").allSatisfy(id -> assertThat(id).doesNotStartWith("models/"));
        GeminiModel flash = page.models().stream().filter(m -> m.id().equals("gemini-2.5-flash")).findFirst().orElseThrow();
        assertThat(flash.chatCapable()).isTrue();
        assertThat(flash.inputTokenLimit()).isGreaterThan(0);
    }

    @Test
    @SuppressWarnings("unchecked")
    void openAiListHasOnlyChatModelsTheFilterAllows() throws IOException {
        List<GeminiModel> models = ModelCatalog.parsePage(realPage()).models();
        Map<String, Object> all = Json.asObject(Json.parse(ModelCatalog.openAiList(models, ModelFilter.allowAll(), 42)));
        assertThat(all).containsEntry("object", "list");
        List<Object> data = Json.list(all, "data");
        assertThat(data).isNotEmpty().allSatisfy(o -> assertThat((Map<String, Object>) o)
                .containsEntry("object", "model").containsEntry("created", 42L).containsEntry("owned_by", "google")
                .containsKey("id"));
        assertThat(data).extracting(o -> ((Map<String, Object>) o).get("id")).as("embedding models cannot chat")
                .doesNotContain("embedding-gecko-001", "text-embedding-004").contains("gemini-2.5-flash");
        ModelFilter f = new ModelFilter(List.of("gemini-2.5-*"), List.of("*-lite*"));
        List<Object> ids = Json.list(Json.asObject(Json.parse(ModelCatalog.openAiList(models, f, 42))), "data").stream()
                .map(o -> ((Map<String, Object>) o).get("id")).toList();
        assertThat(ids).isNotEmpty().allSatisfy(id -> assertThat((String) id).startsWith("gemini-2.5-").doesNotContain("-lite"));
    }

    @Test
    void skipsEmptyIdsAndDuplicates() {
        byte[] body = "{\"models\":[{\"name\":\"models/\",\"supportedGenerationMethods\":[\"generateContent\"]},{\"name\":\"models/a\",\"supportedGenerationMethods\":[\"generateContent\"]},{\"name\":\"a\",\"supportedGenerationMethods\":[\"generateContent\"]},{\"supportedGenerationMethods\":[\"generateContent\"]}]}"
                .getBytes(StandardCharsets.UTF_8);
        ModelCatalog.Page p = ModelCatalog.parsePage(body);
        assertThat(p.nextPageToken()).as("no token means last page").isNull();
        assertThat(new String(ModelCatalog.openAiList(p.models(), ModelFilter.allowAll(), 1), StandardCharsets.UTF_8))
                .isEqualTo("{\"object\":\"list\",\"data\":[{\"id\":\"a\",\"object\":\"model\",\"created\":1,\"owned_by\":\"google\"}]}");
        assertThatThrownBy(() -> ModelCatalog.parsePage("nope".getBytes(StandardCharsets.UTF_8))).isInstanceOf(ApiException.class);
    }

    @Test
    void filterWildcardsCaseAndPrefix() {
        ModelFilter f = new ModelFilter(List.of("gemini-1.5-*", "models/Gemini-2.5-Pro", "*flash*8b"), List.of("gemini-1.5-pro-001"));
        assertThat(f.allows("gemini-1.5-flash")).as("trailing wildcard").isTrue();
        assertThat(f.allows("models/GEMINI-1.5-PRO")).as("case and models/ prefix ignored").isTrue();
        assertThat(f.allows("gemini-2.5-pro")).as("exact entry with a prefix in config").isTrue();
        assertThat(f.allows("gemini-2.5-pro-preview")).as("exact entries do not match prefixes").isFalse();
        assertThat(f.allows("gemini-1.5-flash-8b")).as("wildcards in the middle").isTrue();
        assertThat(f.allows("gemini-1.5-pro-001")).as("blocked wins over the whitelist").isFalse();
        assertThat(f.allows("gemini-2.0-flash")).isFalse();
        assertThat(f.allows("gemini-1x5-flash")).as("'.' is literal, not a regex").isFalse();
        assertThat(new ModelFilter(List.of(), List.of("gemma-*")).allows("gemini-2.0-flash")).as("empty whitelist allows all").isTrue();
        assertThat(new ModelFilter(List.of(), List.of("gemma-*")).allows("Gemma-3-27b-it")).isFalse();
        assertThat(ModelFilter.allowAll().allows("")).as("empty ids are never allowed").isFalse();
    }
}
