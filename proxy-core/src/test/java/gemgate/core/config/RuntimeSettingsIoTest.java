package gemgate.core.config;

import static org.assertj.core.api.Assertions.assertThatCode;

import gemgate.core.store.StateStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RuntimeSettings.apply maps every setting again on an event loop (admin PATCH /api/settings). The parts read from
 * disk at start (the model-limits file) must be kept from boot: no file I/O there, and a file edited after start must
 * not make an unrelated runtime change fail.
 */
class RuntimeSettingsIoTest {
    @TempDir
    Path tmp;

    private static final StateStore.Scheduler NEVER = new StateStore.Scheduler() {
        @Override
        public void schedule(Runnable task, Duration delay) {}

        @Override
        public void shutdown() {}
    };

    @Test
    void applyDoesNotReReadTheModelLimitsFile() throws Exception {
        Path data = tmp.resolve("data");
        Files.createDirectories(data);
        Files.writeString(data.resolve("model-limits.json"), "{\"limits\":{\"gemini-2.5-flash\":{\"rpm\":5}}}",
                StandardCharsets.UTF_8);
        Map<String, String> env = new HashMap<>();
        env.put("PASSWORD", "secret-pass");
        env.put("STORAGE_DIR", data.toString());
        ConfigLoader.Sources sources = ConfigLoader.Sources.read(null, env, new Properties());
        try (StateStore store = StateStore.onDisk(data, Duration.ofSeconds(1), NEVER, Clock.systemUTC())) {
            RuntimeSettings rs = RuntimeSettings.create(sources, ConfigLoader.load(sources), store);
            // The operator edits the file while the server runs (it only takes effect on restart).
            Files.writeString(data.resolve("model-limits.json"), "{ not json", StandardCharsets.UTF_8);
            Map<String, Object> change = new LinkedHashMap<>();
            change.put("MAX_RETRY_NUM", 5);
            assertThatCode(() -> rs.apply(change))
                    .as("a runtime change of MAX_RETRY_NUM must not touch the disk (it runs on an event loop) nor fail"
                            + " because of a file that is only read at start-up")
                    .doesNotThrowAnyException();
        }
    }
}
