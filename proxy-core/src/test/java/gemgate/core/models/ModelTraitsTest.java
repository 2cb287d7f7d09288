package gemgate.core.models;

import static org.assertj.core.api.Assertions.assertThat;

import gemgate.core.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ModelTraitsTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "gemini-2.5-pro | BUDGET | 128 | 32768 | false",
            "models/gemini-2.5-flash | BUDGET | 1 | 24576 | true",
            "gemini-2.5-flash-lite-preview-09-2025 | BUDGET | 512 | 24576 | true",
            "gemini-flash-latest | BUDGET | 512 | 24576 | false",
            "gemini-3-pro-preview | LEVEL | 0 | 0 | false",
            "gemini-2.0-flash | NONE | 0 | 0 | false",
            "gemini-2.5-flash-image-preview | NONE | 0 | 0 | false",
            "gemma-3-12b-it | NONE | 0 | 0 | false",
            "text-embedding-004 | NONE | 0 | 0 | false",
    })
    void thinkingRules(String model, ModelTraits.Control control, int min, int max, boolean off) {
        ModelTraits.Thinking t = ModelTraits.thinking(model);
        assertThat(t.control()).isEqualTo(control);
        assertThat(t.minBudget()).isEqualTo(min);
        assertThat(t.maxBudget()).isEqualTo(max);
        assertThat(t.canTurnOff()).isEqualTo(off);
    }

    @Test
    void levelsPerGemini3Model() {
        assertThat(ModelTraits.thinking("gemini-3-pro-preview").levels()).containsExactly("LOW", "HIGH");
        assertThat(ModelTraits.thinking("gemini-3.1-pro-preview").levels()).containsExactly("LOW", "MEDIUM", "HIGH");
        assertThat(ModelTraits.thinking("gemini-3-flash-preview").levels()).containsExactly("MINIMAL", "LOW", "MEDIUM", "HIGH");
        assertThat(ModelTraits.thinking("gemini-3.7-flash").levels()).as("recorded: MINIMAL is a 400 on 3.7 Flash")
                .containsExactly("LOW", "MEDIUM", "HIGH");
        assertThat(ModelTraits.thinking("gemini-3.1-flash-lite").levels()).startsWith("MINIMAL");
    }

    @Test
    @SuppressWarnings("unchecked")
    void modelListAddsVariantsOnlyWhereTheyWork() throws IOException {
        byte[] page;
        try (InputStream in = getClass().getResourceAsStream("/golden/models-list-v1beta-page1-real.json")) {
            page = in.readAllBytes();
        }
        List<GeminiModel> models = ModelCatalog.parsePage(page).models();
        List<String> none = ids(ModelCatalog.openAiList(models, ModelFilter.allowAll(), 1, ModelCatalog.Variants.NONE));
        assertThat(none).noneMatch(id -> id.endsWith("-thinking") || id.endsWith("-search"));
        List<String> all = ids(ModelCatalog.openAiList(models, ModelFilter.allowAll(), 1, new ModelCatalog.Variants(true, true)));
        assertThat(all).containsSubsequence("gemini-2.5-flash", "gemini-2.5-flash-thinking", "gemini-2.5-flash-nothinking",
                "gemini-2.5-flash-search");
        assertThat(all).as("models that do not think get no thinking variants")
                .doesNotContain("gemini-2.0-flash-thinking", "gemma-3-27b-it-nothinking")
                .as("-search is for Gemini text models").doesNotContain("gemma-3-27b-it-search");
        assertThat(all).contains("gemini-2.0-flash-search");
        assertThat(all).hasSameSizeAs(new java.util.LinkedHashSet<>(all));
    }

    @SuppressWarnings("unchecked")
    private static List<String> ids(byte[] list) {
        return Json.list(Json.parseObject(list), "data").stream().map(o -> (String) ((Map<String, Object>) o).get("id")).toList();
    }
}
