package gemgate.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import gemgate.core.json.Json;
import gemgate.server.admin.FakeAdminBackend;
import gemgate.server.testutil.LogCapture;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The admin API over real HTTP: a browser-like client with a cookie jar logs in and administers; a script uses the
 * Bearer token; the API password opens nothing here and /api/ is not charged to the chat rate limit.
 */
class AdminE2ETest {
    private static final String WEB_PASSWORD = "Web-Admin-Pass-77";

    private static HttpResponse<String> send(HttpClient c, HttpRequest r) throws Exception {
        return c.send(r, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void browserWithCookieJarAndScriptWithBearer() throws Exception {
        FakeAdminBackend backend = new FakeAdminBackend();
        List<String> seen = new ArrayList<>();
        try (LogCapture logs = LogCapture.open(Level.DEBUG, org.slf4j.Logger.ROOT_LOGGER_NAME, "gemgate", "io.netty");
                Harness h = Harness.start(backend, "WEB_PASSWORD", WEB_PASSWORD, "MAX_REQUESTS_PER_MINUTE", "2")) {
            HttpClient browser = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .cookieHandler(new CookieManager(null, CookiePolicy.ACCEPT_ALL)).build();

            HttpResponse<String> noSession = send(browser, h.request("/api/keys").GET().build());
            assertThat(noSession.statusCode()).isEqualTo(401);
            HttpResponse<String> apiPassword = send(browser, h.request("/api/keys")
                    .header("Authorization", "Bearer " + Harness.PASSWORD).GET().build());
            assertThat(apiPassword.statusCode()).as("the API password is not an admin credential").isEqualTo(401);
            HttpResponse<String> wrong = send(browser, h.request("/api/login").header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"password\":\"" + Harness.PASSWORD + "\"}")).build());
            assertThat(wrong.statusCode()).as("WEB_PASSWORD, once set, replaces PASSWORD for login").isEqualTo(401);

            HttpResponse<String> login = send(browser, h.request("/api/login").header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"password\":\"" + WEB_PASSWORD + "\"}")).build());
            assertThat(login.statusCode()).isEqualTo(200);
            String token = (String) Json.parseObject(login.body().getBytes()).get("token");
            seen.add(login.headers().toString());

            for (int i = 0; i < 4; i++) {
                HttpResponse<String> keys = send(browser, h.request("/api/keys").GET().build());
                assertThat(keys.statusCode()).as("the cookie jar carries the session; /api/ is not rate limited")
                        .isEqualTo(200);
                assertThat(keys.headers().firstValue("Cache-Control")).hasValue("no-store");
                seen.add(keys.body());
            }
            HttpResponse<String> add = send(browser, h.request("/api/keys").header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"keys\":\"" + FakeAdminBackend.FULL_KEY + "\\nfoo\"}")).build());
            assertThat(add.statusCode()).isEqualTo(200);
            seen.add(add.body());
            HttpResponse<String> export = send(browser, h.request("/api/keys/export").POST(HttpRequest.BodyPublishers.noBody()).build());
            assertThat(export.statusCode()).isEqualTo(200);
            assertThat(Json.parseObject(export.body().getBytes())).containsEntry("keys", List.of(FakeAdminBackend.FULL_KEY));

            HttpClient script = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpResponse<String> test = send(script, h.request("/api/keys/test").header("Authorization", "Bearer " + token)
                    .POST(HttpRequest.BodyPublishers.noBody()).build());
            assertThat(test.statusCode()).isEqualTo(202);
            HttpResponse<String> patch = send(script, h.request("/api/settings").header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/json")
                    .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"FAKE_STREAMING\":false}")).build());
            assertThat(patch.statusCode()).isEqualTo(200);
            assertThat(backend.lastSettingsChange).isEqualTo(Map.of("FAKE_STREAMING", false));

            HttpResponse<String> logout = send(browser, h.request("/api/logout").POST(HttpRequest.BodyPublishers.noBody()).build());
            assertThat(logout.statusCode()).isEqualTo(200);
            assertThat(send(browser, h.request("/api/keys").GET().build()).statusCode()).as("logged out").isEqualTo(401);
            assertThat(send(script, h.request("/api/session").header("Authorization", "Bearer " + token).GET().build())
                    .statusCode()).as("the same session, so the Bearer token is dead too").isEqualTo(401);

            for (String s : seen) {
                assertThat(s).as("no answer but the export shows a full key").doesNotContain(FakeAdminBackend.FULL_KEY);
            }
            String all = String.join("\n", logs.lines());
            assertThat(all).as("the admin actions are audited").contains("admin login from", "exported 1 valid keys");
            assertThat(all).as("the log holds no password, token or key")
                    .doesNotContain(WEB_PASSWORD, Harness.PASSWORD, token, FakeAdminBackend.FULL_KEY);
        }
    }

    @Test
    void withoutWebPasswordTheApiPasswordLogsIn() throws Exception {
        try (Harness h = Harness.start()) {
            HttpResponse<String> r = h.send(h.request("/api/login").header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"password\":\"" + Harness.PASSWORD + "\"}")).build());
            assertThat(r.statusCode()).as("WEB_PASSWORD defaults to PASSWORD, and the real backend is wired").isEqualTo(200);
            assertThat(h.get("/v1/models").statusCode()).as("the proxy itself is unaffected").isEqualTo(200);
        }
    }
}
