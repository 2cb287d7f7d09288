package gemgate.server.emulator;

import gemgate.core.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/** A JDK HttpClient (HTTP/1.1, like the proxy's pooled upstream connections) aimed at one emulator. */
final class EmulatorClient {
    static final String PROMPT = "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"What is the capital of Wyoming?\"}]}]}";

    final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    final GeminiEmulator emulator;

    EmulatorClient(GeminiEmulator emulator) {
        this.emulator = emulator;
    }

    HttpRequest.Builder request(String pathAndQuery, String key) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(emulator.baseUrl() + pathAndQuery))
                .timeout(Duration.ofSeconds(10));
        if (key != null) {
            b.header("x-goog-api-key", key);
        }
        return b;
    }

    HttpResponse<String> get(String pathAndQuery, String key) {
        return send(request(pathAndQuery, key).GET().build());
    }

    HttpResponse<String> post(String pathAndQuery, String key, String body) {
        return send(request(pathAndQuery, key)
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build());
    }

    HttpResponse<String> generate(String key) {
        return post("/v1beta/models/gemini-2.5-flash:generateContent", key, PROMPT);
    }

    HttpResponse<String> send(HttpRequest req) {
        try {
            return http.send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static Map<String, Object> json(HttpResponse<String> res) {
        return Json.parseObject(res.body().getBytes(StandardCharsets.UTF_8));
    }

    static Map<String, Object> error(HttpResponse<String> res) {
        return Json.obj(json(res), "error");
    }
}
