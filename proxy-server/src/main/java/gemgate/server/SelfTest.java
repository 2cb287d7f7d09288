package gemgate.server;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * {@code --selftest}: one plain and one streamed chat through the running proxy to the built-in emulator. It proves
 * a freshly built or installed jar works end to end, and it is the training run that scripts/run uses to build the
 * class-data-sharing archive that makes later starts faster.
 */
final class SelfTest {
    private SelfTest() {}

    static int run(Gemgate app, String password, PrintStream out, PrintStream err) {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        String url = "http://127.0.0.1:" + app.port() + "/v1/chat/completions";
        try {
            for (boolean stream : new boolean[] {false, true}) {
                String body = "{\"model\":\"gemini-2.5-flash\",\"stream\":" + stream
                        + ",\"messages\":[{\"role\":\"user\",\"content\":\"selftest\"}]}";
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
                        .header("Authorization", "Bearer " + password).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                boolean ok = r.statusCode() == 200 && r.body().contains("selftest") && (!stream || r.body().contains("[DONE]"));
                if (!ok) {
                    err.println("gemgate selftest: " + (stream ? "streamed" : "plain") + " chat failed: HTTP " + r.statusCode()
                            + " " + r.body());
                    return 1;
                }
            }
        } catch (Exception e) {
            err.println("gemgate selftest: " + e);
            return 1;
        }
        out.println("gemgate selftest: OK (plain and streamed chat through the proxy to the built-in emulator)");
        return 0;
    }
}
