package gemgate.server.e2e;

import gemgate.core.config.ConfigLoader;
import gemgate.core.config.Settings;
import gemgate.server.Gemgate;
import gemgate.server.emulator.GeminiEmulator;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/** The proxy on an ephemeral port with the Gemini emulator behind it, and a JDK HTTP client. */
final class Harness implements AutoCloseable {
    static final String PASSWORD = "test-password-123";

    final GeminiEmulator emulator;
    final Gemgate proxy;
    final HttpClient http;
    final Settings settings;
    private final Path dataDir;

    private Harness(GeminiEmulator emulator, Gemgate proxy, Settings settings, Path dataDir) {
        this.emulator = emulator;
        this.proxy = proxy;
        this.settings = settings;
        this.dataDir = dataDir;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    static Harness start(String... envPairs) {
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < envPairs.length; i += 2) {
            env.put(envPairs[i], envPairs[i + 1]);
        }
        return start(env);
    }

    static Harness start(Map<String, String> overrides) {
        return start(overrides, Gemgate.Extras.NONE);
    }

    /** With {@code admin} behind the admin API (/api/). */
    static Harness start(gemgate.server.admin.AdminBackend admin, String... envPairs) {
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < envPairs.length; i += 2) {
            env.put(envPairs[i], envPairs[i + 1]);
        }
        return start(env, new Gemgate.Extras(admin, null));
    }

    /** With a media address policy other than public-only (to serve remote media from loopback). */
    static Harness start(Map<String, String> overrides, gemgate.server.media.AddressPolicy mediaPolicy) {
        return start(overrides, new Gemgate.Extras(null, mediaPolicy));
    }

    static Harness start(Map<String, String> overrides, Gemgate.Extras extras) {
        GeminiEmulator emu = GeminiEmulator.start("127.0.0.1", 0);
        try {
            Path dir = Files.createTempDirectory("gemgate-e2e");
            Map<String, String> env = new HashMap<>();
            env.put("GEMINI_BASE_URL", emu.baseUrl());
            env.put("GEMINI_API_KEYS", "test-key-good");
            env.put("PASSWORD", PASSWORD);
            env.put("HOST", "127.0.0.1");
            env.put("PORT", "0");
            env.put("STORAGE_DIR", dir.toString());
            env.put("MAX_REQUESTS_PER_MINUTE", "0");
            env.put("MAX_REQUESTS_PER_DAY_PER_IP", "0");
            env.put("FAKE_STREAMING", "false");
            // Tests that end with a stream still open should not wait the default 30 s drain.
            env.put("SHUTDOWN_GRACE", "1");
            // Emulator call counts stay exact: no background key check, no free-tier limits (tests may enable them).
            env.put("SKIP_CHECK_API_KEY", "true");
            env.put("MODEL_LIMITS", "off");
            env.putAll(overrides);
            ConfigLoader.Sources sources = ConfigLoader.Sources.read(null, env, new Properties());
            Settings s = ConfigLoader.load(sources);
            Gemgate g = Gemgate.start(s, sources, java.time.Clock.systemUTC(), extras);
            // Let the start-up model fetch finish, so tests that count upstream calls per key are deterministic.
            long deadline = System.currentTimeMillis() + 5000;
            while (!s.keys().geminiApiKeys().isEmpty() && g.gateway().models().refreshes() == 0
                    && System.currentTimeMillis() < deadline) {
                Thread.sleep(10);
            }
            return new Harness(emu, g, s, dir);
        } catch (IOException | InterruptedException e) {
            emu.close();
            throw new IllegalStateException(e);
        }
    }

    String url(String path) {
        return "http://127.0.0.1:" + proxy.port() + path;
    }

    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(120));
    }

    HttpResponse<String> post(String path, String json) {
        return send(request(path).header("Authorization", "Bearer " + PASSWORD)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    HttpResponse<String> get(String path) {
        return send(request(path).header("Authorization", "Bearer " + PASSWORD).GET().build());
    }

    HttpResponse<String> send(HttpRequest req) {
        try {
            return http.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static String chat(String model, String text, boolean stream) {
        return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}],\"stream\":" + stream + "}";
    }

    @Override
    public void close() {
        proxy.close();
        emulator.close();
        try (var files = Files.walk(dataDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temp dir clean-up is best effort
        }
    }
}
