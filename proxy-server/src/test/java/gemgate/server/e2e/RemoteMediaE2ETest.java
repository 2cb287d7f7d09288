package gemgate.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import gemgate.core.json.Json;
import gemgate.core.net.CidrSet;
import gemgate.server.emulator.RecordedRequest;
import gemgate.server.media.AddressPolicy;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Chat requests naming http(s) image URLs: fetched before the first attempt when allowed, a clear 400 otherwise. */
class RemoteMediaE2ETest {
    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
    private HttpServer files;
    private final AtomicInteger hits = new AtomicInteger();

    @BeforeEach
    void serve() throws IOException {
        files = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        files.createContext("/", ex -> {
            hits.incrementAndGet();
            try (ex) {
                if (ex.getRequestURI().getPath().equals("/cat.png")) {
                    ex.sendResponseHeaders(200, PNG.length);
                    ex.getResponseBody().write(PNG);
                } else {
                    ex.sendResponseHeaders(404, -1);
                }
            }
        });
        files.start();
    }

    @AfterEach
    void stop() {
        files.stop(0);
    }

    private String chatWithImage(String path, boolean stream) {
        String url = "http://127.0.0.1:" + files.getAddress().getPort() + path;
        return "{\"model\":\"gemini-2.5-flash\",\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\",\"content\":["
                + "{\"type\":\"text\",\"text\":\"what is this?\"},{\"type\":\"image_url\",\"image_url\":{\"url\":\"" + url + "\"}}]}]}";
    }

    private static List<RecordedRequest> generates(Harness h) {
        return h.emulator.requests().stream().filter(r -> r.path().contains("enerateContent")).toList();
    }

    @Test
    void fetchedImageGoesToGeminiInline() {
        AddressPolicy loopback = AddressPolicy.publicOnlyAllowingForTests(CidrSet.of("127.0.0.1"));
        try (Harness h = Harness.start(Map.of("FETCH_REMOTE_MEDIA", "true"), loopback)) {
            for (boolean stream : new boolean[] {false, true}) {
                HttpResponse<String> r = h.post("/v1/chat/completions", chatWithImage("/cat.png?sig=1", stream));
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            }
            List<RecordedRequest> sent = generates(h);
            assertThat(sent).hasSize(2);
            for (RecordedRequest g : sent) {
                Map<String, Object> body = Json.parseObject(g.body());
                List<Object> parts = Json.list(Json.asObject(Json.list(body, "contents").get(0)), "parts");
                Map<String, Object> inline = Json.obj(Json.asObject(parts.get(1)), "inlineData");
                assertThat(inline.get("mimeType")).isEqualTo("image/png");
                assertThat(Base64.getDecoder().decode(Json.str(inline, "data"))).isEqualTo(PNG);
            }
        }
    }

    @Test
    void fetchFailureIsA400NamingTheUrlAndNothingGoesUpstream() {
        AddressPolicy loopback = AddressPolicy.publicOnlyAllowingForTests(CidrSet.of("127.0.0.1"));
        try (Harness h = Harness.start(Map.of("FETCH_REMOTE_MEDIA", "true"), loopback)) {
            HttpResponse<String> r = h.post("/v1/chat/completions", chatWithImage("/gone.png?token=secret", true));
            assertThat(r.statusCode()).as("a stream request still gets a plain 400: nothing was streamed yet").isEqualTo(400);
            String msg = Json.str(Json.obj(Json.parseObject(r.body().getBytes(StandardCharsets.UTF_8)), "error"), "message");
            assertThat(msg).contains("/gone.png?…", "HTTP 404").doesNotContain("secret");
            assertThat(generates(h)).isEmpty();
        }
    }

    @Test
    void loopbackIsRefusedByTheProductionPolicy() {
        try (Harness h = Harness.start("FETCH_REMOTE_MEDIA", "true")) {
            HttpResponse<String> r = h.post("/v1/chat/completions", chatWithImage("/cat.png", false));
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(r.body()).contains("non-public");
            assertThat(hits.get()).as("the proxy never connected to the loopback file server").isZero();
            assertThat(generates(h)).isEmpty();
        }
    }

    @Test
    void disabledByDefault() {
        try (Harness h = Harness.start()) {
            HttpResponse<String> r = h.post("/v1/chat/completions", chatWithImage("/cat.png", false));
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(r.body()).contains("FETCH_REMOTE_MEDIA");
            assertThat(hits.get()).isZero();
        }
    }
}
