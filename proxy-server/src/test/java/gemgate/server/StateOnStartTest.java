package gemgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import gemgate.core.config.ConfigLoader;
import gemgate.core.config.Settings;
import gemgate.server.testutil.LogCapture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The assembled server and its data directory: a broken state file is set aside loudly, and changes survive a restart. */
class StateOnStartTest {
    @TempDir
    Path tmp;

    private ConfigLoader.Sources sources() {
        return ConfigLoader.Sources.read(null, Map.of("PASSWORD", "pw-123", "HOST", "127.0.0.1", "PORT", "0",
                "STORAGE_DIR", tmp.toString(), "ACCESS_LOG", "false"), new Properties());
    }

    @Test
    void aCorruptSettingsFileIsMovedAsideWithAnErrorLineAndStartStillSucceeds() throws Exception {
        Files.writeString(tmp.resolve("settings.json"), "{\"format\":1,\"kind\":\"settings\",\"data\":{\"values\":");
        ConfigLoader.Sources src = sources();
        Settings s = ConfigLoader.load(src);
        try (LogCapture logs = LogCapture.open(Level.INFO, "gemgate"); Gemgate g = Gemgate.start(s, src)) {
            String error = logs.lines().stream().filter(l -> l.startsWith("ERROR")).findFirst().orElseThrow();
            assertThat(error).as("one ERROR line names the broken file and where it went")
                    .contains(tmp.resolve("settings.json").toAbsolutePath().toString(), "settings.json.corrupt-");
            try (Stream<Path> files = Files.list(tmp)) {
                assertThat(files.map(p -> p.getFileName().toString()))
                        .anyMatch(n -> n.startsWith("settings.json.corrupt-"));
            }
            assertThat(g.store().movedAside()).hasSize(1);
        }
    }

    @Test
    void aRuntimeChangeIsSavedOnCloseAndRestoredOnTheNextStart() throws Exception {
        ConfigLoader.Sources src = sources();
        Settings s = ConfigLoader.load(src);
        try (Gemgate g = Gemgate.start(s, src)) {
            g.runtime().apply(Map.of("MAX_EMPTY_RESPONSES", 2));
        }
        assertThat(tmp.resolve("settings.json")).as("close saves what the writer had pending").exists();
        try (Gemgate again = Gemgate.start(s, src)) {
            assertThat(again.gateway().maxEmptyResponses()).isEqualTo(2);
            assertThat(again.runtime().current().retry().maxEmptyResponses()).isEqualTo(2);
        }
    }
}
