package gemgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line without starting a server: exit codes (0 ok, 2 bad command line or configuration), what goes to
 * stdout and stderr, and that --check-config prints the effective settings without any secret.
 */
class MainTest {
    private static final String KEY = "test-key-abcdefghijklmnop";
    private static final String PASSWORD = "pw-secret-xyz";

    @TempDir
    Path dir;

    private record Result(int code, String out, String err) {}

    private static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Main.run(args, o, e);
        }
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Path config(String text) throws IOException {
        Path f = dir.resolve("application.conf");
        Files.writeString(f, text + "\ngemgate.storage.dir = \"" + dir.resolve("data").toString().replace("\\", "/") + "\"\n");
        return f;
    }

    @Test
    void helpPrintsUsageAndExitsZero() {
        Result r = run("--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).startsWith("Usage: ").contains("--config FILE").contains("--check-config").contains("--demo");
        assertThat(r.err()).isEmpty();
        assertThat(run("-h").out()).isEqualTo(r.out());
    }

    @Test
    void selftestSendsChatsThroughTheWholeProxyAndExitsZero() {
        Result r = run("--selftest");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("gemgate selftest: OK");
    }

    @Test
    void versionPrintsOneLineAndExitsZero() {
        Result r = run("--version");
        assertThat(r.code()).isZero();
        assertThat(r.out()).isEqualTo("gemgate " + Gemgate.version() + System.lineSeparator());
        assertThat(r.err()).isEmpty();
    }

    @Test
    void unknownOptionExitsTwoWithUsageOnStderr() {
        Result r = run("--bogus");
        assertThat(r.code()).as("a bad command line is exit code 2").isEqualTo(2);
        assertThat(r.err()).contains("unknown option '--bogus'").contains("Usage: ");
        assertThat(r.out()).as("errors go to stderr only").isEmpty();
    }

    @Test
    void configWithoutAFileNameExitsTwo() {
        Result r = run("--config");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--config needs a file name");
    }

    @Test
    void missingConfigFileExitsTwo() {
        Path missing = dir.resolve("nope.conf");
        Result r = run("--config", missing.toString(), "--check-config");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains(missing.toString()).contains("does not exist");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void invalidValueFailsTheCheckNamingTheSetting() throws IOException {
        Path f = config("gemgate.server.port = \"abc\"\ngemgate.auth.password = \"" + PASSWORD + "\"");
        Result r = run("--config", f.toString(), "--check-config");
        assertThat(r.code()).as("a bad configuration is exit code 2, never a start with defaults").isEqualTo(2);
        assertThat(r.err()).contains("configuration error").contains("gemgate.server.port");
        assertThat(r.err()).as("error output never shows the password").doesNotContain(PASSWORD);
        assertThat(r.out()).isEmpty();
    }

    @Test
    void validConfigPrintsEffectiveSettingsWithoutSecrets() throws IOException {
        Path f = config("gemgate.keys.gemini-api-keys = [\"" + KEY + "\"]\n"
                + "gemgate.auth.password = \"" + PASSWORD + "\"\n"
                + "gemgate.server.port = 9123");
        Result r = run("--config", f.toString(), "--check-config");
        assertThat(r.code()).as("err: %s", r.err()).isZero();
        assertThat(r.out()).contains("configuration is valid")
                .contains("gemgate.server.port")
                .contains("9123")
                .contains("gemgate.keys.gemini-api-keys")
                .contains("gemgate.auth.password");
        assertThat(r.out() + r.err()).as("the effective settings never show a key or the password")
                .doesNotContain(KEY)
                .doesNotContain(PASSWORD)
                .doesNotContain("abcdefghijklmnop");
        assertThat(Files.exists(dir.resolve("data"))).as("a check writes nothing when the password is configured")
                .isFalse();
    }
}
