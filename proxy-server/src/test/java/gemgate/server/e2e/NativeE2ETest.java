package gemgate.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import gemgate.core.json.Json;
import gemgate.server.emulator.Behavior;
import gemgate.server.emulator.RecordedRequest;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The native Gemini routes end to end with a plain HTTP client: auth, rotation, pass-through, streams, errors. */
class NativeE2ETest {
    private static final String GEN = "/v1beta/models/gemini-2.5-flash:generateContent";
    private static final String STREAM = "/v1beta/models/gemini-2.5-flash:streamGenerateContent";
    private static final String BODY = "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hello\"}]}]}";

    static HttpResponse<String> google(Harness h, String path, String body) {
        HttpRequest.Builder b = h.request(path).header("x-goog-api-key", Harness.PASSWORD).header("Content-Type", "application/json");
        return h.send(body == null ? b.GET().build() : b.POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    static Map<String, Object> json(HttpResponse<String> r) {
        return Json.parseObject(r.body().getBytes(StandardCharsets.UTF_8));
    }

    static RecordedRequest lastGenerate(Harness h) {
        List<RecordedRequest> rs = h.emulator.requests();
        for (int i = rs.size() - 1; i >= 0; i--) {
            if (rs.get(i).path().contains(":")) {
                return rs.get(i);
            }
        }
        throw new AssertionError("no model call reached the emulator");
    }

    @Test
    void bodyPassesThroughVerbatimAndThePoolKeyReplacesThePassword() {
        try (Harness h = Harness.start()) {
            String odd = "{ \"contents\" : [{\"role\":\"user\",\"parts\":[{\"text\":\"hi \\u00e9\"}]}],\n"
                    + "  \"someFutureField\": {\"nested\": [1, 2.50, true, null]}, \"toolConfig\": {\"functionCallingConfig\": {\"mode\": \"NONE\"}} }";
            HttpResponse<String> r = google(h, GEN, odd);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(json(r)).containsKeys("candidates", "usageMetadata");
            RecordedRequest up = lastGenerate(h);
            assertThat(up.bodyText()).as("the request body reaches Gemini byte for byte, unknown fields included").isEqualTo(odd);
            assertThat(up.apiKeyHeader()).as("a pool key, in the header").isEqualTo("test-key-good");
            assertThat(up.apiKeyQuery()).isNull();
            assertThat(up.headers().toString()).as("the password never travels upstream").doesNotContain(Harness.PASSWORD);
        }
    }

    @Test
    void keyQueryParameterAuthenticatesAndIsRemovedWhileAltIsKept() {
        try (Harness h = Harness.start()) {
            HttpResponse<String> r = h.send(h.request(STREAM + "?alt=sse&key=" + Harness.PASSWORD)
                    .POST(HttpRequest.BodyPublishers.ofString(BODY)).build());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
            RecordedRequest up = lastGenerate(h);
            assertThat(up.uri()).as("alt=sse is forwarded, the password is not").isEqualTo(STREAM + "?alt=sse");
            assertThat(up.apiKeyQuery()).isNull();
            assertThat(up.apiKeyHeader()).isEqualTo("test-key-good");

            HttpResponse<String> wrong = h.send(h.request(GEN + "?key=nope").POST(HttpRequest.BodyPublishers.ofString(BODY)).build());
            assertThat(wrong.statusCode()).isEqualTo(401);
            assertThat(Json.str(Json.obj(json(wrong), "error"), "status")).as("a Gemini-shaped 401").isEqualTo("UNAUTHENTICATED");
        }
    }

    @Test
    void a429OnTheFirstKeyMovesToTheNextOne() {
        try (Harness h = Harness.start("GEMINI_API_KEYS", "k-quota,k-ok")) {
            h.emulator.script("k-quota", Behavior.quotaExceeded("30s", false));
            h.emulator.script("k-ok", Behavior.ok().withText("from the second key"));
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> r = google(h, GEN, BODY);
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                assertThat(r.body()).contains("from the second key");
            }
            assertThat(h.emulator.generateCalls("k-quota")).as("the cooled key is not asked again").isEqualTo(1);
            assertThat(h.emulator.generateCalls("k-ok")).isEqualTo(3);
        }
    }

    @Test
    void theClientsOwnBadRequestComesBackAsGoogleSentItAndIsNotRetried() {
        try (Harness h = Harness.start("GEMINI_API_KEYS", "k1,k2")) {
            h.emulator.defaultBehavior(Behavior.badRequest("Invalid value at 'generation_config.temperature'"));
            HttpResponse<String> r = google(h, GEN, BODY);
            assertThat(r.statusCode()).isEqualTo(400);
            Map<String, Object> err = Json.obj(json(r), "error");
            assertThat(Json.str(err, "message")).isEqualTo("Invalid value at 'generation_config.temperature'");
            assertThat(Json.str(err, "status")).isEqualTo("INVALID_ARGUMENT");
            assertThat(h.emulator.generateCalls("k1") + h.emulator.generateCalls("k2")).as("no other key is tried").isEqualTo(1);
        }
    }

    @Test
    void aKeyEchoedInGooglesErrorIsMaskedBeforeItReachesTheClient() {
        String fakeKey = "AIza" + "Sy" + "B".repeat(33);
        try (Harness h = Harness.start()) {
            h.emulator.defaultBehavior(Behavior.badRequest("API key " + fakeKey + " cannot be used for this model"));
            HttpResponse<String> r = google(h, GEN, BODY);
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(r.body()).doesNotContain(fakeKey).contains("AIza…BBBB");
        }
    }

    @Test
    void aStreamThatBreaksAfterContentEndsWithAnErrorInsideAValidArray() {
        try (Harness h = Harness.start()) {
            h.emulator.defaultBehavior(Behavior.ok().withText("a b c d e f").withChunks(6, Duration.ofMillis(20)).withResetAfterChunks(2));
            HttpResponse<String> arr = google(h, STREAM, BODY);
            assertThat(arr.statusCode()).isEqualTo(200);
            List<Object> elements = Json.asList(Json.parse(arr.body().getBytes(StandardCharsets.UTF_8)));
            assertThat(elements).as("two answers, then the error, and the array is closed: %s", arr.body()).hasSize(3);
            assertThat(Json.asObject(elements.get(2))).containsKey("error");
            HttpResponse<String> sse = google(h, STREAM + "?alt=sse", BODY);
            List<Map<String, Object>> events = sseEvents(sse.body());
            assertThat(events).hasSize(3);
            assertThat(events.get(2)).containsKey("error");
        }
    }

    @Test
    void proxyErrorsOnNativeRoutesAreGeminiShaped() {
        try (Harness h = Harness.start("BLOCKED_MODELS", "gemini-2.5-pro")) {
            HttpResponse<String> blocked = google(h, "/v1beta/models/gemini-2.5-pro:generateContent", BODY);
            assertThat(blocked.statusCode()).isEqualTo(400);
            assertGeminiError(blocked, 400, "INVALID_ARGUMENT");
            assertGeminiError(google(h, "/v1beta/models/gemini-2.5-flash:frobnicate", BODY), 404, "NOT_FOUND");
            assertGeminiError(google(h, "/v1beta/models/no-such-model", null), 404, "NOT_FOUND");
            assertGeminiError(google(h, "/v1beta/models/bad%20name:generateContent", BODY), 400, "INVALID_ARGUMENT");
            assertGeminiError(google(h, "/v1beta/models?pageSize=2&pageToken=bogus", null), 400, "INVALID_ARGUMENT");
            assertGeminiError(h.send(h.request("/v1beta/models").GET().build()), 401, "UNAUTHENTICATED");
        }
        try (Harness h = Harness.start("GEMINI_API_KEYS", "")) {
            assertGeminiError(google(h, GEN, BODY), 503, "UNAVAILABLE");
        }
    }

    static void assertGeminiError(HttpResponse<String> r, int code, String status) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(code);
        Map<String, Object> err = Json.obj(json(r), "error");
        assertThat(err).as("google.rpc.Status shape: %s", r.body()).isNotNull();
        assertThat(Json.num(err, "code", 0)).isEqualTo(code);
        assertThat(Json.str(err, "status")).isEqualTo(status);
        assertThat(Json.str(err, "message")).isNotBlank();
        assertThat(err).as("not OpenAI's shape").doesNotContainKey("type");
    }

    @Test
    void realStreamsInBothFormsAndOnTheHajimiPrefix() {
        try (Harness h = Harness.start()) {
            h.emulator.defaultBehavior(Behavior.ok().withText("one two three four").withChunks(4, Duration.ZERO));
            HttpResponse<String> sse = google(h, STREAM + "?alt=sse", BODY);
            assertThat(sse.statusCode()).isEqualTo(200);
            List<Map<String, Object>> events = sseEvents(sse.body());
            assertThat(events).hasSize(4);
            assertThat(text(events)).isEqualTo("one two three four");
            assertThat(sse.body()).as("Google's framing").endsWith("}\r\n\r\n").doesNotContain("[DONE]");

            HttpResponse<String> arr = google(h, "/gemini/v1beta/models/gemini-2.5-flash:streamGenerateContent", BODY);
            assertThat(arr.statusCode()).isEqualTo(200);
            assertThat(arr.headers().firstValue("content-type").orElse("")).startsWith("application/json");
            List<Object> elements = Json.asList(Json.parse(arr.body().getBytes(StandardCharsets.UTF_8)));
            assertThat(elements).as("without alt=sse: one JSON array").hasSize(4);
            List<Map<String, Object>> els = new ArrayList<>();
            elements.forEach(e -> els.add(Json.asObject(e)));
            assertThat(text(els)).isEqualTo("one two three four");
            assertThat(lastGenerate(h).path()).as("the /gemini prefix is not sent upstream").startsWith("/v1beta/models/");
        }
    }

    @Test
    void emptyAnswersAreRetriedBeforeAnythingIsSent() {
        try (Harness h = Harness.start()) {
            h.emulator.script("test-key-good", Behavior.sequence(Behavior.empty(), Behavior.ok().withText("second try")));
            HttpResponse<String> plain = google(h, GEN, BODY);
            assertThat(plain.statusCode()).isEqualTo(200);
            assertThat(plain.body()).contains("second try");
            h.emulator.reset();
            h.emulator.script("test-key-good", Behavior.sequence(Behavior.empty(), Behavior.ok().withText("streamed second try")));
            HttpResponse<String> sse = google(h, STREAM + "?alt=sse", BODY);
            List<Map<String, Object>> events = sseEvents(sse.body());
            assertThat(text(events)).as("only the good attempt's events reach the client").isEqualTo("streamed second try");
            assertThat(h.emulator.generateCalls("test-key-good")).isEqualTo(2);
        }
    }

    @Test
    void fakeStreamingSendsBlankLineKeepalivesThenTheAnswerInTheClientsForm() {
        try (Harness h = Harness.start("FAKE_STREAMING", "true", "FAKE_STREAMING_INTERVAL", "0.2")) {
            h.emulator.defaultBehavior(Behavior.ok().withText("worth the wait").withDelay(Duration.ofMillis(1200)));
            HttpResponse<String> sse = google(h, STREAM + "?alt=sse", BODY);
            assertThat(sse.statusCode()).isEqualTo(200);
            String body = sse.body();
            assertThat(body).as("keepalives are bare line ends, which every Gemini SDK skips").startsWith("\n\n");
            assertThat(body).doesNotContain(": keepalive");
            String rest = body.stripLeading();
            assertThat(rest).startsWith("data: {").endsWith("}\r\n\r\n");
            assertThat(text(sseEvents(body))).isEqualTo("worth the wait");
            assertThat(lastGenerate(h).path()).as("fake streaming calls the non-streaming method").endsWith(":generateContent");
            assertThat(lastGenerate(h).uri()).doesNotContain("alt=");

            HttpResponse<String> arr = google(h, STREAM, BODY);
            assertThat(arr.statusCode()).isEqualTo(200);
            assertThat(arr.body()).startsWith("\n\n");
            List<Object> elements = Json.asList(Json.parse(arr.body().getBytes(StandardCharsets.UTF_8)));
            assertThat(elements).as("leading whitespace keeps the array valid JSON").hasSize(1);
            assertThat(text(List.of(Json.asObject(elements.get(0))))).isEqualTo("worth the wait");
        }
    }

    @Test
    void failureAfterFakeStreamKeepalivesIsAnInStreamGeminiError() {
        try (Harness h = Harness.start("FAKE_STREAMING", "true", "FAKE_STREAMING_INTERVAL", "0.2", "GEMINI_API_KEYS", "slow-bad")) {
            h.emulator.script("slow-bad", Behavior.serverError(500).withDelay(Duration.ofMillis(800)));
            HttpResponse<String> arr = google(h, STREAM, BODY);
            assertThat(arr.statusCode()).isEqualTo(200);
            List<Object> elements = Json.asList(Json.parse(arr.body().getBytes(StandardCharsets.UTF_8)));
            assertThat(Json.obj(Json.asObject(elements.get(0)), "error")).as("the array holds the error, as Vertex sends it")
                    .containsKeys("code", "message", "status");
        }
    }

    @Test
    void plainPassThroughMethods() {
        try (Harness h = Harness.start()) {
            HttpResponse<String> count = google(h, "/v1beta/models/gemini-2.5-flash:countTokens", BODY);
            assertThat(count.statusCode()).as(count.body()).isEqualTo(200);
            assertThat(json(count)).containsKey("totalTokens");
            HttpResponse<String> embed = google(h, "/v1beta/models/gemini-embedding-001:embedContent",
                    "{\"content\":{\"parts\":[{\"text\":\"hello\"}]}}");
            assertThat(embed.statusCode()).as(embed.body()).isEqualTo(200);
            assertThat(Json.obj(json(embed), "embedding")).containsKey("values");
            HttpResponse<String> batch = google(h, "/v1/models/gemini-embedding-001:batchEmbedContents",
                    "{\"requests\":[{\"model\":\"models/gemini-embedding-001\",\"content\":{\"parts\":[{\"text\":\"a\"}]}},"
                            + "{\"model\":\"models/gemini-embedding-001\",\"content\":{\"parts\":[{\"text\":\"b\"}]}}]}");
            assertThat(batch.statusCode()).as(batch.body()).isEqualTo(200);
            assertThat(Json.list(json(batch), "embeddings")).hasSize(2);
            assertThat(lastGenerate(h).path()).as("the client's API version is kept").startsWith("/v1/models/");
        }
    }

    @Test
    void modelListsInGooglesFormatAndOpenAisOnTheSharedRoute() {
        try (Harness h = Harness.start("BLOCKED_MODELS", "gemini-2.5-pro")) {
            HttpResponse<String> list = google(h, "/v1beta/models", null);
            assertThat(list.statusCode()).isEqualTo(200);
            List<Object> models = Json.list(json(list), "models");
            List<String> names = models.stream().map(m -> Json.str(Json.asObject(m), "name")).toList();
            assertThat(names).contains("models/gemini-2.5-flash").doesNotContain("models/gemini-2.5-pro");
            assertThat(names).as("both upstream pages").contains("models/gemini-3-flash-preview");

            HttpResponse<String> page = google(h, "/v1beta/models?pageSize=3", null);
            assertThat(Json.list(json(page), "models")).hasSize(3);
            String token = Json.str(json(page), "nextPageToken");
            HttpResponse<String> page2 = google(h, "/v1beta/models?pageSize=3&pageToken=" + token, null);
            assertThat(Json.str(Json.asObject(Json.list(json(page2), "models").get(0)), "name")).isEqualTo(names.get(3));

            HttpResponse<String> one = google(h, "/v1beta/models/gemini-2.5-flash", null);
            assertThat(Json.str(json(one), "name")).isEqualTo("models/gemini-2.5-flash");
            assertGeminiError(google(h, "/v1beta/models/gemini-2.5-pro", null), 404, "NOT_FOUND");

            HttpResponse<String> geminiV1 = google(h, "/v1/models", null);
            assertThat(json(geminiV1)).as("x-goog-api-key on /v1/models: a Gemini client").containsKey("models");
            HttpResponse<String> keyV1 = h.send(h.request("/v1/models?key=" + Harness.PASSWORD).GET().build());
            assertThat(json(keyV1)).as("?key= on /v1/models: a Gemini client").containsKey("models");
            HttpResponse<String> openAi = h.get("/v1/models");
            assertThat(json(openAi).get("object")).as("Bearer on /v1/models: OpenAI's list as before").isEqualTo("list");
            HttpResponse<String> openAiOne = h.get("/v1/models/gemini-2.5-flash");
            assertThat(json(openAiOne)).containsEntry("id", "gemini-2.5-flash").containsEntry("object", "model");
            HttpResponse<String> geminiOne = google(h, "/v1/models/gemini-2.5-flash", null);
            assertThat(json(geminiOne)).containsEntry("name", "models/gemini-2.5-flash");
            HttpResponse<String> sdkHeader = h.send(h.request("/v1/models").header("Authorization", "Bearer " + Harness.PASSWORD)
                    .header("x-goog-api-client", "google-genai-sdk/1.0 gl-java/17").GET().build());
            assertThat(json(sdkHeader)).as("a Google SDK's own header marks a Gemini client").containsKey("models");
        }
    }

    @Test
    void aistudioAliasesServeTheOpenAiRoutes() {
        try (Harness h = Harness.start()) {
            assertThat(json(h.get("/aistudio/models")).get("object")).isEqualTo("list");
            assertThat(json(h.get("/aistudio/v1/models")).get("object")).isEqualTo("list");
            HttpResponse<String> chat = h.post("/aistudio/chat/completions", Harness.chat("gemini-2.5-flash", "hi", false));
            assertThat(chat.statusCode()).as(chat.body()).isEqualTo(200);
            assertThat(json(chat).get("object")).isEqualTo("chat.completion");
            assertThat(h.post("/aistudio/v1/chat/completions", Harness.chat("gemini-2.5-flash", "hi", false)).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void slowReaderPausesTheUpstreamStreamAndStillGetsEverything() throws Exception {
        try (Harness h = Harness.start()) {
            String text = "0123456789abcdef".repeat(512 * 1024); // 8 MiB of answer
            h.emulator.script("test-key-good", Behavior.ok().withText(text).withChunks(512, Duration.ZERO));
            try (Socket s = new Socket("127.0.0.1", h.proxy.port())) {
                s.setReceiveBufferSize(128 * 1024);
                byte[] body = BODY.getBytes(StandardCharsets.UTF_8);
                OutputStream out = s.getOutputStream();
                out.write(("POST " + STREAM + "?alt=sse HTTP/1.1\r\nHost: localhost\r\nx-goog-api-key: " + Harness.PASSWORD
                        + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
                Thread.sleep(2000);
                assertThat(h.emulator.activeStreams())
                        .as("while the client does not read, the proxy stops reading Gemini (backpressure)").isEqualTo(1);
                String streamed = StreamingE2ETest.readChunkedBody(s, tail -> tail.endsWith("\r\n0\r\n\r\n"));
                assertThat(text(sseEvents(streamed))).as("every byte arrives, in order").isEqualTo(text);
            }
        }
    }

    // ---- helpers ----

    static List<Map<String, Object>> sseEvents(String body) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (String line : body.split("\r?\n")) {
            if (line.startsWith("data: ")) {
                out.add(Json.parseObject(line.substring(6).getBytes(StandardCharsets.UTF_8)));
            } else {
                assertThat(line).as("only data lines and blank lines in a Gemini stream").isEmpty();
            }
        }
        return out;
    }

    static String text(List<Map<String, Object>> responses) {
        StringBuilder sb = new StringBuilder();
        for (Map<String, Object> r : responses) {
            List<Object> cands = Json.list(r, "candidates");
            if (cands == null || cands.isEmpty()) {
                continue;
            }
            List<Object> parts = Json.list(Json.obj(Json.asObject(cands.get(0)), "content"), "parts");
            for (Object p : parts == null ? List.of() : parts) {
                String t = Json.str(Json.asObject(p), "text");
                if (t != null && !Json.bool(Json.asObject(p), "thought", false)) {
                    sb.append(t);
                }
            }
        }
        return sb.toString();
    }
}
