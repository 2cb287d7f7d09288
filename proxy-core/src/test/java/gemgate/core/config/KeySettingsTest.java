package gemgate.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The key pool's settings: hajimi's names, the per-model limits layers, validation of ranges. */
class KeySettingsTest {
    @TempDir
    Path tmp;

    private Settings load(String... kv) {
        Map<String, String> env = new HashMap<>();
        env.put("STORAGE_DIR", tmp.resolve("data").toString());
        env.put("PASSWORD", "secret-pass");
        for (int i = 0; i < kv.length; i += 2) {
            env.put(kv[i], kv[i + 1]);
        }
        return ConfigLoader.load(null, env, new Properties());
    }

    @Test
    void defaults() {
        Settings.Keys k = load().keys();
        assertThat(k.dailyLimit()).isZero();
        assertThat(k.modelLimits().forModel("gemini-2.5-pro").rpm()).as("the bundled table").isEqualTo(5);
        assertThat(k.validationConcurrency()).isEqualTo(4);
        assertThat(k.validationTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(k.revalidateInterval()).isEqualTo(Duration.ofMinutes(10));
        assertThat(k.revalidateMaxInterval()).isEqualTo(Duration.ofHours(6));
        assertThat(k.skipStartupCheck()).isFalse();
        assertThat(k.usageReportInterval()).isEqualTo(Duration.ofMinutes(60));
        assertThat(load().describe()).contains("gemgate.keys.daily-limit = 0 (off)",
                "gemgate.keys.usage-report-interval-minutes = 60");
    }

    @Test
    void hajimiNamesMap() {
        Settings.Keys k = load("API_KEY_DAILY_LIMIT", "100", "SKIP_CHECK_API_KEY", "true",
                "USAGE_REPORT_INTERVAL_MINUTES", "0").keys();
        assertThat(k.dailyLimit()).isEqualTo(100);
        assertThat(k.skipStartupCheck()).isTrue();
        assertThat(k.usageReportInterval()).as("0 turns the report off").isZero();
        assertThatThrownBy(() -> load("API_KEY_DAILY_LIMIT", "-1")).isInstanceOf(ConfigError.class)
                .hasMessageContaining("API_KEY_DAILY_LIMIT (gemgate.keys.daily-limit)");
    }

    @Test
    void modelLimitsLayers() throws IOException {
        Path data = Files.createDirectories(tmp.resolve("data"));
        Files.writeString(data.resolve("model-limits.json"),
                "{\"limits\":{\"gemini-2.5-pro*\":{\"rpd\":50},\"my-model\":{\"rpm\":1}}}");
        Settings.Keys k = load().keys();
        assertThat(k.modelLimits().forModel("gemini-2.5-pro").rpd()).as("the data directory's file").isEqualTo(50);
        assertThat(k.modelLimits().forModel("gemini-2.5-pro").rpm()).as("fields it does not name stay").isEqualTo(5);

        Settings.Keys inline = load("MODEL_LIMITS", "{\"limits\":{\"my-model\":{\"rpm\":7}}}").keys();
        assertThat(inline.modelLimits().forModel("my-model").rpm()).as("the setting wins over the file").isEqualTo(7);
        assertThat(inline.modelLimits().forModel("gemini-2.5-pro").rpd()).isEqualTo(50);

        assertThat(load("MODEL_LIMITS", "off").keys().modelLimits().isEmpty()).as("off: no local limits, not even the file's")
                .isTrue();

        Path f = tmp.resolve("limits.json");
        Files.writeString(f, "{\"limits\":{\"gemini-2.5-flash\":{\"rpm\":99}}}");
        assertThat(load("MODEL_LIMITS", f.toString()).keys().modelLimits().forModel("gemini-2.5-flash").rpm()).isEqualTo(99);
    }

    @Test
    void badModelLimitsFailStartUp() throws IOException {
        assertThatThrownBy(() -> load("MODEL_LIMITS", tmp.resolve("missing.json").toString()))
                .isInstanceOf(ConfigError.class).hasMessageContaining("MODEL_LIMITS (gemgate.keys.model-limits)")
                .hasMessageContaining("no such file");
        assertThatThrownBy(() -> load("MODEL_LIMITS", "{\"limits\":{\"x\":{\"rpm\":\"many\"}}}"))
                .isInstanceOf(ConfigError.class).hasMessageContaining("\"rpm\" of \"x\" must be a whole number");
        Path data = Files.createDirectories(tmp.resolve("data"));
        Files.writeString(data.resolve("model-limits.json"), "{ not json");
        assertThatThrownBy(this::load).isInstanceOf(ConfigError.class).hasMessageContaining("model-limits.json")
                .hasMessageContaining("fix or delete the file");
    }

    @Test
    void revalidateMaxMustNotBeBelowTheFirstWait() {
        Properties p = new Properties();
        p.setProperty("gemgate.keys.revalidate-interval", "3600");
        p.setProperty("gemgate.keys.revalidate-max-interval", "60");
        Map<String, String> env = Map.of("STORAGE_DIR", tmp.resolve("data").toString(), "PASSWORD", "x");
        assertThatThrownBy(() -> ConfigLoader.load(null, env, p)).isInstanceOf(ConfigError.class)
                .hasMessageContaining("gemgate.keys.revalidate-max-interval");
    }
}
