package gemgate.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import gemgate.core.config.ConfigLoader;
import gemgate.server.Gemgate;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How a real stream ends when Gemini's stream itself says something unusual: an error body appended after the
 * events, an error as the first event, an answer stopped by the token limit with no text. The upstream is a plain
 * socket server that replays a fixed body, since these shapes come from recordings the emulator does not script.
 */
class StreamEndingsE2ETest {
    static final String PASSWORD = "test-password-123";
    static final String TEXT_EVENT = "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hello\"}],\"role\":\"model\"},\"index\":0}],"
            + "\"usageMetadata\":{\"promptTokenCount\":3,\"candidatesTokenCount\":1,\"totalTokenCount\":4}}\r\n\r\n";

    static final AtomicReference<String> sseBody = new AtomicReference<>();
    static final AtomicInteger streamCalls = new AtomicInteger();
    static ServerSocket upstream;
    static Thread acceptor;
    static Gemgate proxy;
    static HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void up() throws Exception {
        upstream = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(StreamEndingsE2ETest::serve, "fake-gemini");
        acceptor.setDaemon(true);
        acceptor.start();
        Map<String, String> env = Map.of("GEMINI_BASE_URL", "http://127.0.0.1:" + upstream.getLocalPort(),
                "GEMINI_API_KEYS", "k1,k2,k3", "PASSWORD", PASSWORD, "HOST", "127.0.0.1", "PORT", "0",
                "STORAGE_DIR", Files.createTempDirectory("gemgate-ends").toString(), "FAKE_STREAMING", "false",
                "FAKE_STREAMING_INTERVAL", "30", "MAX_REQUESTS_PER_MINUTE", "0", "MAX_REQUESTS_PER_DAY_PER_IP", "0");
        proxy = Gemgate.start(ConfigLoader.load(null, env, new Properties()));
    }

    @AfterAll
    static void down() throws Exception {
        proxy.close(Duration.ofSeconds(1));
        upstream.close();
    }

    @BeforeEach
    void reset() {
        streamCalls.set(0);
    }

    /** One request per connection: read the head and body, answer with the current body, close. */
    static void serve() {
        while (!upstream.isClosed()) {
            try (Socket s = upstream.accept()) {
                InputStream in = s.getInputStream();
                String head = readHead(in);
                int len = 0;
                for (String line : head.split("\r\n")) {
                    if (line.toLowerCase().startsWith("content-length:")) {
                        len = Integer.parseInt(line.substring(15).trim());
                    }
                }
                in.readNBytes(len);
                OutputStream out = s.getOutputStream();
                String body;
                String type;
                if (head.startsWith("GET ")) {
                    body = "{\"models\":[]}";
                    type = "application/json";
                } else {
                    streamCalls.incrementAndGet();
                    body = sseBody.get();
                    type = "text/event-stream";
                }
                byte[] b = body.getBytes(StandardCharsets.UTF_8);
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: " + type + "\r\nContent-Length: " + b.length
                        + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(b);
                out.flush();
            } catch (Exception e) {
                if (upstream.isClosed()) {
                    return;
                }
            }
        }
    }

    static String readHead(InputStream in) throws java.io.IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            sb.append((char) c);
            if (sb.length() >= 4 && sb.substring(sb.length() - 4).equals("\r\n\r\n")) {
                break;
            }
        }
        return sb.toString();
    }

    static HttpResponse<String> streamChat() throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + PASSWORD).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Harness.chat("gemini-2.5-flash", "hi", true))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void anErrorAppendedAfterTheEventsEndsTheStreamWithAnErrorEventAndDone() throws Exception {
        sseBody.set(TEXT_EVENT + "{\"error\":{\"code\":503,\"message\":\"The model is overloaded.\",\"status\":\"UNAVAILABLE\"}}\n");
        HttpResponse<String> r = streamChat();
        assertThat(r.statusCode()).isEqualTo(200);
        SseEvents ev = SseEvents.parse(r.body());
        assertThat(ev.content()).as("the text that did arrive is kept").isEqualTo("Hello");
        List<Map<String, Object>> json = ev.json();
        assertThat(json.get(json.size() - 1)).as("the client is told the stream broke").containsKey("error");
        assertThat(ev.endsWithDone()).isTrue();
        assertThat(streamCalls.get()).as("no retry once text went out").isEqualTo(1);
    }

    @Test
    void anErrorAsTheFirstEventAboutTheRequestIsReturnedAtOnce() throws Exception {
        sseBody.set("data: {\"error\":{\"code\":400,\"message\":\"Invalid value at 'contents'\",\"status\":\"INVALID_ARGUMENT\"}}\r\n\r\n");
        HttpResponse<String> r = streamChat();
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(r.body()).contains("Invalid value at 'contents'");
        assertThat(streamCalls.get()).as("Gemini's verdict on the request is not retried on other keys").isEqualTo(1);
    }

    @Test
    void aTokenLimitStopWithoutTextIsAnAnswerNotAnEmptyRetry() throws Exception {
        sseBody.set("data: {\"candidates\":[{\"content\":{\"role\":\"model\"},\"finishReason\":\"MAX_TOKENS\",\"index\":0}],"
                + "\"usageMetadata\":{\"promptTokenCount\":3,\"totalTokenCount\":303,\"thoughtsTokenCount\":300}}\r\n\r\n");
        HttpResponse<String> r = streamChat();
        assertThat(r.statusCode()).isEqualTo(200);
        SseEvents ev = SseEvents.parse(r.body());
        assertThat(ev.endsWithDone()).isTrue();
        assertThat(r.body()).contains("\"finish_reason\":\"length\"");
        assertThat(streamCalls.get()).as("the same answer would come back from every key").isEqualTo(1);
    }

    @Test
    void aRateLimitAsTheFirstEventCoolsTheKeyLikeAnHttp429() throws Exception {
        sseBody.set("data: {\"error\":{\"code\":429,\"message\":\"Resource has been exhausted (e.g. check quota).\","
                + "\"status\":\"RESOURCE_EXHAUSTED\",\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\","
                + "\"retryDelay\":\"1s\"}]}}\r\n\r\n");
        HttpResponse<String> r = streamChat();
        assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
        assertThat(streamCalls.get()).as("each key asked once").isEqualTo(3);
        assertThat(r.body()).as("Google's in-stream 429 cools each key for this model, as an HTTP 429 does")
                .contains("cooling down");
        Thread.sleep(1200); // Google's retryDelay (1 s): leave the keys usable for the other tests
    }

    @Test
    void aRateLimitAsTheFirstEventOfANativeStreamCoolsTheKeyToo() throws Exception {
        sseBody.set("data: {\"error\":{\"code\":429,\"message\":\"Resource has been exhausted (e.g. check quota).\","
                + "\"status\":\"RESOURCE_EXHAUSTED\",\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\","
                + "\"retryDelay\":\"1s\"}]}}\r\n\r\n");
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port()
                        + "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"))
                .header("x-goog-api-key", PASSWORD).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}]}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
        assertThat(streamCalls.get()).as("each key asked once").isEqualTo(3);
        assertThat(r.body()).as("Google's in-stream 429 cools each key, as an HTTP 429 does").contains("cooling down");
        Thread.sleep(1200); // Google's retryDelay (1 s): leave the keys usable for the other tests
    }
}
