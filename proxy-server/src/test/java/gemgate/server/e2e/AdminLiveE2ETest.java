package gemgate.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import gemgate.core.json.Json;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The admin API over the real backend (key pool, validator, statistics, runtime settings) and the data directory:
 * what an operator changes at runtime is in effect at once, survives a restart, and keys stay masked everywhere but
 * in the explicit export.
 */
class AdminLiveE2ETest {
    private static final String WEB_PASSWORD = "Live-Admin-Pass-42";
    /** Built at run time so no key-shaped literal sits in the repository. */
    private static final String ADDED_KEY = "AIza" + "Sy" + "A".repeat(17) + "live-added-key-1";

    private Path storage;

    @AfterEach
    void cleanUp() throws Exception {
        if (storage != null) {
            try (var files = Files.walk(storage)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static Map<String, String> env(Path storage, String... more) {
        Map<String, String> env = new HashMap<>();
        env.put("STORAGE_DIR", storage.toString());
        env.put("WEB_PASSWORD", WEB_PASSWORD);
        for (int i = 0; i < more.length; i += 2) {
            env.put(more[i], more[i + 1]);
        }
        return env;
    }

    private static String login(Harness h) {
        HttpResponse<String> r = h.send(h.request("/api/login").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"password\":\"" + WEB_PASSWORD + "\"}")).build());
        assertThat(r.statusCode()).isEqualTo(200);
        return (String) Json.parseObject(r.body().getBytes()).get("token");
    }

    private static HttpResponse<String> call(Harness h, String token, String method, String path, String json) {
        HttpRequest.Builder b = h.request(path).header("Authorization", "Bearer " + token);
        if (json != null) {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return h.send(b.build());
    }

    @Test
    void runtimeChangesTakeEffectAndSurviveARestart() throws Exception {
        storage = Files.createTempDirectory("gemgate-admin-live");
        String envKeyId;
        try (Harness h = Harness.start(env(storage, "MAX_RETRY_NUM", "3"))) {
            String token = login(h);

            HttpResponse<String> list = call(h, token, "GET", "/api/keys", null);
            assertThat(list.statusCode()).isEqualTo(200);
            List<?> keys = (List<?>) Json.parseObject(list.body().getBytes()).get("keys");
            assertThat(keys).hasSize(1);
            envKeyId = (String) ((Map<?, ?>) keys.get(0)).get("id");

            HttpResponse<String> add = call(h, token, "POST", "/api/keys",
                    "{\"keys\":\"some text around " + ADDED_KEY + " and more\"}");
            assertThat(add.statusCode()).isEqualTo(200);
            assertThat(add.body()).as("an added key is answered masked").doesNotContain(ADDED_KEY);

            HttpResponse<String> disable = call(h, token, "POST", "/api/keys/" + envKeyId + "/disable", null);
            assertThat(disable.statusCode()).isEqualTo(200);
            assertThat(disable.body()).containsIgnoringCase("disabled");

            HttpResponse<String> unknown = call(h, token, "DELETE", "/api/keys/ffffffff", null);
            assertThat(unknown.statusCode()).isEqualTo(404);

            HttpResponse<String> shadowed = call(h, token, "PATCH", "/api/settings", "{\"MAX_RETRY_NUM\":7}");
            assertThat(shadowed.statusCode()).isEqualTo(200);
            assertThat(shadowed.body()).as("a runtime change the environment overrides says so").contains("MAX_RETRY_NUM");
            assertThat(Json.parseObject(shadowed.body().getBytes()).get("warnings")).asList().isNotEmpty();
            assertThat(h.proxy.gateway().maxRetryNum()).as("the environment wins").isEqualTo(3);

            HttpResponse<String> live = call(h, token, "PATCH", "/api/settings", "{\"MAX_EMPTY_RESPONSES\":2}");
            assertThat(live.statusCode()).isEqualTo(200);
            assertThat(h.proxy.gateway().maxEmptyResponses()).as("applied without a restart").isEqualTo(2);

            HttpResponse<String> bad = call(h, token, "PATCH", "/api/settings", "{\"MAX_EMPTY_RESPONSES\":-4}");
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(h.proxy.gateway().maxEmptyResponses()).as("a rejected change changes nothing").isEqualTo(2);

            HttpResponse<String> chat = h.post("/v1/chat/completions", Harness.chat("gemini-2.5-flash", "hi", false));
            assertThat(chat.statusCode()).as("the added key serves while the environment key is disabled").isEqualTo(200);

            HttpResponse<String> stats = call(h, token, "GET", "/api/stats", null);
            assertThat(stats.statusCode()).isEqualTo(200);
            assertThat(stats.body()).doesNotContain(ADDED_KEY).contains("last_24h");

            HttpResponse<String> export = call(h, token, "POST", "/api/keys/export", null);
            assertThat(export.statusCode()).isEqualTo(200);
            assertThat(Json.parseObject(export.body().getBytes()).get("keys")).asList()
                    .as("the explicit export has the full keys that are usable (the disabled one is not)")
                    .containsExactly(ADDED_KEY);
        }

        Path keysFile = storage.resolve("keys.json");
        assertThat(keysFile).exists();
        if (Files.getFileAttributeView(keysFile, java.nio.file.attribute.PosixFileAttributeView.class) != null) {
            assertThat(Files.getPosixFilePermissions(keysFile)).as("the file holding keys is the owner's only")
                    .isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
        }

        try (Harness h = Harness.start(env(storage))) {
            String token = login(h);
            HttpResponse<String> list = call(h, token, "GET", "/api/keys", null);
            Map<String, Object> body = Json.parseObject(list.body().getBytes());
            List<?> keys = (List<?>) body.get("keys");
            assertThat(keys).as("the key added at runtime is back after the restart, next to the environment key").hasSize(2);
            Map<?, ?> envKey = keys.stream().map(k -> (Map<?, ?>) k).filter(k -> envKeyId.equals(k.get("id"))).findFirst()
                    .orElseThrow();
            assertThat(String.valueOf(envKey.get("state"))).as("disabled by hand stays disabled").containsIgnoringCase("disabled");
            assertThat(list.body()).doesNotContain(ADDED_KEY);
            assertThat(h.proxy.gateway().maxEmptyResponses()).as("the runtime setting survived the restart").isEqualTo(2);
            assertThat(h.proxy.gateway().maxRetryNum()).as("without the environment value the saved one applies")
                    .isEqualTo(7);
        }
    }
}
