package gemgate.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddingAndMediaSettingsTest {
    @TempDir
    Path tmp;

    private Settings load(String... kv) {
        Map<String, String> env = new HashMap<>();
        env.put("STORAGE_DIR", tmp.toString());
        env.put("PASSWORD", "pw");
        for (int i = 0; i < kv.length; i += 2) {
            env.put(kv[i], kv[i + 1]);
        }
        return ConfigLoader.load(null, env, new Properties());
    }

    @Test
    void defaultsKeepRemoteFetchingOff() {
        Settings s = load();
        assertThat(s.media().fetchRemote()).as("the proxy fetches client-chosen URLs only when the operator allows it").isFalse();
        assertThat(s.media().maxBytes()).isEqualTo(20L << 20);
        assertThat(s.media().timeout()).isEqualTo(Duration.ofSeconds(15));
        assertThat(s.media().maxRedirects()).isEqualTo(3);
        assertThat(s.embeddings().defaultModel()).isEqualTo("gemini-embedding-001");
        assertThat(s.embeddings().maxInputs()).isEqualTo(2048);
        assertThat(s.embeddings().parallelBatches()).isEqualTo(2);
        assertThat(String.join("\n", s.describe())).contains("gemgate.media.fetch-remote = false",
                "gemgate.embeddings.default-model = gemini-embedding-001");
    }

    @Test
    void environmentNames() {
        Settings s = load("FETCH_REMOTE_MEDIA", "true", "REMOTE_MEDIA_MAX_BYTES", "5MiB", "REMOTE_MEDIA_TIMEOUT", "2.5",
                "EMBEDDING_MODEL", "models/text-embedding-004", "MAX_EMBEDDING_INPUTS", "500");
        assertThat(s.media().fetchRemote()).isTrue();
        assertThat(s.media().maxBytes()).isEqualTo(5L << 20);
        assertThat(s.media().timeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(s.embeddings().defaultModel()).as("a models/ prefix is accepted and dropped").isEqualTo("text-embedding-004");
        assertThat(s.embeddings().maxInputs()).isEqualTo(500);
    }

    @Test
    void badValuesFailAtStartNamingTheVariable() {
        assertThatThrownBy(() -> load("EMBEDDING_MODEL", "../evil")).isInstanceOf(ConfigError.class).hasMessageContaining("EMBEDDING_MODEL");
        assertThatThrownBy(() -> load("MAX_EMBEDDING_INPUTS", "0")).isInstanceOf(ConfigError.class).hasMessageContaining("MAX_EMBEDDING_INPUTS");
        assertThatThrownBy(() -> load("REMOTE_MEDIA_TIMEOUT", "0")).isInstanceOf(ConfigError.class).hasMessageContaining("REMOTE_MEDIA_TIMEOUT");
    }
}
