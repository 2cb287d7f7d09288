package gemgate.core.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ModelLimitsTest {
    private static ModelLimits parse(String json) {
        return ModelLimits.parse(json.getBytes(StandardCharsets.UTF_8), "test");
    }

    @Test
    void bundledTableCoversTheFreeTierFamilies() {
        ModelLimits b = ModelLimits.bundled();
        assertThat(b.forModel("gemini-2.5-pro")).isEqualTo(new ModelLimits.Limit(5, 100, 250_000, 0));
        assertThat(b.forModel("models/gemini-2.5-flash")).as("models/ prefix ignored").isEqualTo(new ModelLimits.Limit(10, 250, 250_000, 0));
        assertThat(b.forModel("gemini-2.5-flash-lite-preview-09-2025").rpm()).as("the more specific pattern wins").isEqualTo(15);
        assertThat(b.forModel("gemini-2.5-flash-preview-tts").rpm()).isEqualTo(3);
        assertThat(b.forModel("gemini-2.0-flash-lite").rpm()).isEqualTo(30);
        assertThat(b.forModel("gemini-2.0-flash-001").rpm()).isEqualTo(15);
        assertThat(b.forModel("gemini-3-pro-preview").rpm()).isEqualTo(5);
        assertThat(b.forModel("gemini-3-flash-preview").rpm()).isEqualTo(10);
        assertThat(b.forModel("gemma-3-27b-it").rpd()).isEqualTo(14_400);
        assertThat(b.forModel("gemini-embedding-001").rpm()).isEqualTo(100);
        assertThat(b.forModel("some-future-model")).as("unknown models have no local limit").isEqualTo(ModelLimits.Limit.NONE);
        assertThat(b.forModel(null)).isEqualTo(ModelLimits.Limit.NONE);
    }

    @Test
    void overrideChangesOnlyTheFieldsItNamesAndAddsPatterns() {
        ModelLimits m = ModelLimits.bundled().overriddenBy(parse(
                "{\"limits\":{\"gemini-2.5-pro*\":{\"rpd\":50},\"my-tuned-model\":{\"rpm\":2},\"gemini-2.5-flash*\":{\"rpm\":0}}}"));
        assertThat(m.forModel("gemini-2.5-pro")).isEqualTo(new ModelLimits.Limit(5, 50, 250_000, 0));
        assertThat(m.forModel("my-tuned-model").rpm()).isEqualTo(2);
        assertThat(m.forModel("gemini-2.5-flash").rpm()).as("0 lifts a limit").isZero();
        assertThat(m.forModel("gemini-2.5-flash").rpd()).isEqualTo(250);
    }

    @Test
    void exactIdBeatsPatterns() {
        ModelLimits m = parse("{\"gemini-*\":{\"rpm\":1},\"gemini-2.5-pro\":{\"rpm\":9}}");
        assertThat(m.forModel("gemini-2.5-pro").rpm()).isEqualTo(9);
        assertThat(m.forModel("gemini-x").rpm()).isEqualTo(1);
    }

    @Test
    void badTablesSayWhatIsWrong() {
        assertThatThrownBy(() -> parse("{\"limits\":{\"x\":{\"rpm\":-1}}}")).hasMessageContaining("\"rpm\" of \"x\" must be a whole number >= 0");
        assertThatThrownBy(() -> parse("{\"limits\":{\"x\":{\"rpx\":1}}}")).hasMessageContaining("unknown field \"rpx\"");
        assertThatThrownBy(() -> parse("{\"limits\":[]}")).hasMessageContaining("must be an object");
        assertThatThrownBy(() -> parse("{")).hasMessageStartingWith("test: ");
    }
}
