package gemgate.core.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gemgate.core.error.ApiException;
import gemgate.core.json.Json;
import gemgate.core.translate.Golden;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GeminiModelListTest {
    private final List<Map<String, Object>> entries = GeminiModelList.entries(Golden.bytes("models-list-v1beta-page1-real.json"));

    @Test
    void entriesKeepGooglesFieldsAndThePageHasNoTokenWhenComplete() {
        assertThat(entries).isNotEmpty();
        Map<String, Object> page = Json.parseObject(GeminiModelList.page(entries, ModelFilter.allowAll(), 0, null));
        List<Object> models = Json.list(page, "models");
        assertThat(models).hasSize(entries.size());
        assertThat(page).as("one page holds everything when no pageSize is asked for").doesNotContainKey("nextPageToken");
        Map<String, Object> first = Json.asObject(models.get(0));
        assertThat(first).as("Google's own entry, not the OpenAI projection").containsKeys("name", "supportedGenerationMethods", "inputTokenLimit");
        assertThat(Json.str(first, "name")).startsWith("models/");
    }

    @Test
    void pagesWalkTheWholeListWithTokens() {
        List<String> seen = new ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            Map<String, Object> page = Json.parseObject(GeminiModelList.page(entries, ModelFilter.allowAll(), 7, token));
            for (Object m : Json.list(page, "models")) {
                seen.add(Json.str(Json.asObject(m), "name"));
            }
            token = Json.str(page, "nextPageToken");
            pages++;
        } while (token != null && pages < 100);
        assertThat(seen).as("paging yields every entry once, in order").hasSize(entries.size()).doesNotHaveDuplicates();
        assertThat(pages).isEqualTo((entries.size() + 6) / 7);
    }

    @Test
    void filterHidesModelsFromListAndGet() {
        ModelFilter onlyFlash = new ModelFilter(List.of("gemini-*flash*"), List.of("*lite*"));
        Map<String, Object> page = Json.parseObject(GeminiModelList.page(entries, onlyFlash, 0, ""));
        for (Object m : Json.list(page, "models")) {
            String name = Json.str(Json.asObject(m), "name");
            assertThat(name).contains("flash").doesNotContain("lite");
        }
        String anyId = Json.str(entries.get(0), "name").substring("models/".length());
        assertThat(GeminiModelList.find(entries, ModelFilter.allowAll(), anyId)).isNotNull();
        assertThat(GeminiModelList.find(entries, ModelFilter.allowAll(), "models/" + anyId)).isNotNull();
        assertThat(GeminiModelList.find(entries, new ModelFilter(List.of(), List.of(anyId)), anyId))
                .as("a blocked model does not exist for clients").isNull();
        assertThat(GeminiModelList.find(entries, ModelFilter.allowAll(), "no-such-model")).isNull();
    }

    @Test
    void foreignOrOutOfRangeTokensAre400() {
        for (String bad : new String[] {"abc", "o-1", "o99999", "ox"}) {
            assertThatThrownBy(() -> GeminiModelList.page(entries, ModelFilter.allowAll(), 5, bad))
                    .as("token %s", bad).isInstanceOf(ApiException.class)
                    .satisfies(e -> assertThat(((ApiException) e).error().status()).isEqualTo(400));
        }
    }
}
