package gemgate.server.emulator;

import static gemgate.server.emulator.EmulatorClient.PROMPT;
import static gemgate.server.emulator.EmulatorClient.error;
import static gemgate.server.emulator.EmulatorClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import gemgate.core.json.Json;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Unary routes, errors, scripting and request recording, over real HTTP on an ephemeral loopback port. */
class GeminiEmulatorTest {
    private static final String GEN = "/v1beta/models/gemini-2.5-flash:generateContent";
    private static GeminiEmulator emulator;
    private static EmulatorClient client;

    @BeforeAll
    static void start() {
        emulator = GeminiEmulator.start("127.0.0.1", 0);
        client = new EmulatorClient(emulator);
    }

    @AfterAll
    static void stop() {
        emulator.close();
    }

    @BeforeEach
    void reset() {
        emulator.reset();
    }

    @Test
    void modelsListIsTheRecordedFirstPageThenAnEmulatedSecondPage() {
        HttpResponse<String> first = client.get("/v1beta/models", "k");
        assertThat(first.statusCode()).isEqualTo(200);
        Map<String, Object> page1 = json(first);
        assertThat(Json.list(page1, "models")).as("default page size is 50, as Google's").hasSize(50);
        assertThat(Json.str(page1, "nextPageToken")).as("page 1 token equals the recorded one")
                .isEqualTo("Ch5tb2RlbHMvaW1hZ2VuLTQuMC1nZW5lcmF0ZS0wMDE=");

        Map<String, Object> page2 = json(client.get("/v1beta/models?pageToken=" + Json.str(page1, "nextPageToken"), "k"));
        assertThat(names(page2)).contains("models/gemini-3-flash-preview", "models/gemini-embedding-exp-2");
        assertThat(page2).as("the last page has no nextPageToken").doesNotContainKey("nextPageToken");

        List<String> all = new ArrayList<>(names(page1));
        all.addAll(names(page2));
        List<String> paged = new ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            Map<String, Object> p = json(client.get("/v1beta/models?pageSize=20"
                    + (token == null ? "" : "&pageToken=" + token), "k"));
            assertThat(Json.list(p, "models").size()).as("pageSize is honoured").isLessThanOrEqualTo(20);
            paged.addAll(names(p));
            token = Json.str(p, "nextPageToken");
            pages++;
        } while (token != null && pages < 10);
        assertThat(paged).as("pageSize 20 walks the same combined list").isEqualTo(all);

        assertThat(client.get("/v1beta/models?pageToken=bogus", "k").statusCode()).isEqualTo(400);
    }

    @Test
    void getModelReturnsTheEntryOr404() {
        HttpResponse<String> ok = client.get("/v1beta/models/gemini-2.5-flash", "k");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(Json.str(json(ok), "name")).isEqualTo("models/gemini-2.5-flash");
        HttpResponse<String> missing = client.get("/v1beta/models/gemini-0.1-nope", "k");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(Json.str(error(missing), "status")).isEqualTo("NOT_FOUND");
    }

    @Test
    void generateContentEchoesThePromptWithTokenCountsAndModelVersion() {
        HttpResponse<String> res = client.generate("k");
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.headers().firstValue("content-type")).hasValue("application/json; charset=UTF-8");
        Map<String, Object> body = json(res);
        Map<String, Object> cand = Json.asObject(Json.list(body, "candidates").get(0));
        String text = Json.str(Json.asObject(Json.list(Json.obj(cand, "content"), "parts").get(0)), "text");
        assertThat(text).as("the answer shows the prompt got through and that it is emulated")
                .isEqualTo("[gemini-emulator] You said: What is the capital of Wyoming?");
        assertThat(Json.str(cand, "finishReason")).isEqualTo("STOP");
        Map<String, Object> usage = Json.obj(body, "usageMetadata");
        long prompt = Json.num(usage, "promptTokenCount", -1);
        assertThat(prompt).isEqualTo(("What is the capital of Wyoming?".length() + 3) / 4);
        assertThat(Json.num(usage, "totalTokenCount", -1)).isEqualTo(prompt + Json.num(usage, "candidatesTokenCount", -1));
        assertThat(Json.str(body, "modelVersion")).isEqualTo("gemini-2.5-flash");
        assertThat(Json.str(body, "responseId")).hasSize(23);

        emulator.script("v", Behavior.ok().withText("fixed").withModelVersion("gemini-2.5-flash-001"));
        Map<String, Object> custom = json(client.generate("v"));
        assertThat(custom.toString()).contains("text=fixed");
        assertThat(Json.str(custom, "modelVersion")).isEqualTo("gemini-2.5-flash-001");
    }

    @Test
    void thinkingPutsAThoughtPartFirstAndCountsThoughtsApart() {
        emulator.script("t", Behavior.thinking());
        Map<String, Object> body = json(client.generate("t"));
        List<Object> parts = Json.list(Samples.firstCandidateContent(body), "parts");
        assertThat(parts).hasSize(2);
        assertThat(Json.bool(Json.asObject(parts.get(0)), "thought", false)).isTrue();
        assertThat(Json.asObject(parts.get(1))).doesNotContainKey("thought");
        Map<String, Object> u = Json.obj(body, "usageMetadata");
        assertThat(Json.num(u, "thoughtsTokenCount", 0)).isPositive();
        assertThat(Json.num(u, "totalTokenCount", 0)).as("thoughts are not in candidatesTokenCount")
                .isEqualTo(Json.num(u, "promptTokenCount", 0) + Json.num(u, "candidatesTokenCount", 0)
                        + Json.num(u, "thoughtsTokenCount", 0));
    }

    @Test
    void emptyNoCandidatesBlockedAndSafetyShapes() {
        emulator.script("e", Behavior.empty());
        emulator.script("n", Behavior.noCandidates());
        emulator.script("b", Behavior.promptBlocked());
        emulator.script("s", Behavior.safetyFinish());

        Map<String, Object> empty = json(client.generate("e"));
        assertThat(Samples.firstCandidateContent(empty)).containsEntry("role", "model").doesNotContainKey("parts");

        Map<String, Object> none = json(client.generate("n"));
        assertThat(none).doesNotContainKey("candidates").containsKey("usageMetadata");

        HttpResponse<String> blockedRes = client.generate("b");
        assertThat(blockedRes.statusCode()).as("a blocked prompt is still a 200").isEqualTo(200);
        Map<String, Object> blocked = json(blockedRes);
        assertThat(blocked).doesNotContainKey("candidates");
        assertThat(Json.str(Json.obj(blocked, "promptFeedback"), "blockReason")).isEqualTo("SAFETY");

        Map<String, Object> safety = json(client.generate("s"));
        assertThat(Json.str(Json.asObject(Json.list(safety, "candidates").get(0)), "finishReason")).isEqualTo("SAFETY");
    }

    @Test
    void errorBehavioursUseGooglesStatusShape() {
        emulator.script("bad", Behavior.invalidKey());
        HttpResponse<String> invalid = client.generate("bad");
        assertThat(invalid.statusCode()).isEqualTo(400);
        assertError(invalid, 400, "INVALID_ARGUMENT");
        assertThat(invalid.body()).contains("\"reason\": \"API_KEY_INVALID\"")
                .as("the key is never echoed").doesNotContain("bad\"").doesNotContain("DebugInfo");
        assertThat(client.get("/v1beta/models", "bad").statusCode()).as("a bad key fails every route").isEqualTo(400);

        emulator.script("off", Behavior.permissionDenied());
        HttpResponse<String> denied = client.generate("off");
        assertError(denied, 403, "PERMISSION_DENIED");
        assertThat(denied.body()).contains("\"reason\": \"SERVICE_DISABLED\"");

        emulator.script("min", Behavior.quotaExceeded("34s", false));
        HttpResponse<String> minute = client.generate("min");
        assertError(minute, 429, "RESOURCE_EXHAUSTED");
        assertThat(detail(minute, "QuotaFailure").toString()).contains("PerMinute");
        assertThat(Json.str(detail(minute, "RetryInfo"), "retryDelay")).isEqualTo("34s");
        emulator.script("day", Behavior.quotaExceeded("3.5s", true));
        assertThat(detail(client.generate("day"), "QuotaFailure").toString()).contains("PerDay");

        emulator.script("busy", Behavior.serverError(503));
        HttpResponse<String> busy = client.generate("busy");
        assertError(busy, 503, "UNAVAILABLE");
        assertThat(Json.str(error(busy), "message")).isEqualTo("The model is overloaded. Please try again later.");
        emulator.script("boom", Behavior.serverError(500));
        assertError(client.generate("boom"), 500, "INTERNAL");

        emulator.script("client", Behavior.badRequest("Penalty is not enabled for models/x"));
        HttpResponse<String> bad = client.generate("client");
        assertError(bad, 400, "INVALID_ARGUMENT");
        assertThat(error(bad)).as("a plain client error has no details").doesNotContainKey("details");
        assertThat(Json.str(error(bad), "message")).isEqualTo("Penalty is not enabled for models/x");

        emulator.script("sse", Behavior.quotaExceeded("1s", false));
        HttpResponse<String> streamed = client.post("/v1beta/models/m:streamGenerateContent?alt=sse", "sse", PROMPT);
        assertError(streamed, 429, "RESOURCE_EXHAUSTED");
        assertThat(streamed.headers().firstValue("content-type")).as("errors come before any stream")
                .hasValue("application/json; charset=UTF-8");
    }

    @Test
    void requestProblemsAreAnsweredLikeGoogle() {
        HttpResponse<String> noKey = client.generate(null);
        assertError(noKey, 403, "PERMISSION_DENIED");
        assertThat(Json.str(error(noKey), "message")).startsWith("Method doesn't allow unregistered callers");

        HttpResponse<String> missing = client.post("/v1beta/models/gemini-does-not-exist:generateContent", "k", PROMPT);
        assertError(missing, 404, "NOT_FOUND");
        assertThat(Json.str(error(missing), "message")).contains("models/gemini-does-not-exist is not found for API version v1beta");
        assertError(client.post("/v1/models/unknown-model:generateContent", "k", PROMPT), 404, "NOT_FOUND");

        assertError(client.get("/v1beta/files", "k"), 404, "NOT_FOUND");
        assertError(client.get(GEN, "k"), 404, "NOT_FOUND");
        assertError(client.post("/v1beta/models/m:frobnicate", "k", PROMPT), 404, "NOT_FOUND");

        HttpResponse<String> malformed = client.post(GEN, "k", "{\"contents\": [");
        assertError(malformed, 400, "INVALID_ARGUMENT");
        assertThat(Json.str(error(malformed), "message")).startsWith("Invalid JSON payload received.");
        assertThat(emulator.generateCalls("k")).as("every generate call counts, failed ones too").isEqualTo(3);
    }

    @Test
    void countTokensAndEmbeddings() {
        Map<String, Object> count = json(client.post("/v1beta/models/gemini-2.5-flash:countTokens", "k", PROMPT));
        assertThat(Json.num(count, "totalTokens", -1)).isEqualTo(8);
        assertThat(count).containsKey("promptTokensDetails");

        String embed = "{\"content\":{\"parts\":[{\"text\":\"hello\"}]}}";
        Map<String, Object> one = json(client.post("/v1beta/models/text-embedding-004:embedContent", "k", embed));
        assertThat(Json.list(Json.obj(one, "embedding"), "values")).hasSize(8);

        StringBuilder batch = new StringBuilder("{\"requests\":[");
        for (int i = 0; i < 101; i++) {
            batch.append(i == 0 ? "" : ",").append("{\"model\":\"models/text-embedding-004\",\"content\":{\"parts\":[{\"text\":\"t")
                    .append(i).append("\"}]}}");
        }
        String over = batch.append("]}").toString();
        assertError(client.post("/v1beta/models/text-embedding-004:batchEmbedContents", "k", over), 400, "INVALID_ARGUMENT");
        String two = "{\"requests\":[{\"content\":{\"parts\":[{\"text\":\"a\"}]}},{\"content\":{\"parts\":[{\"text\":\"b\"}]}}]}";
        Map<String, Object> both = json(client.post("/v1beta/models/text-embedding-004:batchEmbedContents", "k", two));
        assertThat(Json.list(both, "embeddings")).hasSize(2);
    }

    @Test
    void embeddingsHonourOutputDimensionalityDeterministically() {
        String req = "{\"requests\":[{\"content\":{\"parts\":[{\"text\":\"a\"}]},\"outputDimensionality\":3},"
                + "{\"content\":{\"parts\":[{\"text\":\"a\"}]}}]}";
        List<Object> e = Json.list(json(client.post("/v1beta/models/gemini-embedding-001:batchEmbedContents", "k", req)), "embeddings");
        List<Object> short3 = Json.list(Json.asObject(e.get(0)), "values");
        List<Object> full = Json.list(Json.asObject(e.get(1)), "values");
        assertThat(short3).as("outputDimensionality sets the vector length").hasSize(3);
        assertThat(full).as("without it the emulator's default length").hasSize(8);
        assertThat(full.subList(0, 3)).as("a reduced vector is the start of the full one, as Google truncates").isEqualTo(short3);
        String bad = "{\"requests\":[{\"content\":{\"parts\":[{\"text\":\"a\"}]},\"outputDimensionality\":0}]}";
        assertError(client.post("/v1beta/models/gemini-embedding-001:batchEmbedContents", "k", bad), 400, "INVALID_ARGUMENT");
    }

    @Test
    void sequenceAdvancesPerGenerateCallAndRepeatsTheLastStep() {
        emulator.script("seq", Behavior.sequence(Behavior.quotaExceeded("2s", false), Behavior.serverError(503), Behavior.ok()));
        assertThat(client.generate("seq").statusCode()).isEqualTo(429);
        assertThat(client.get("/v1beta/models", "seq").statusCode()).as("models calls do not advance a sequence").isEqualTo(503);
        assertThat(client.generate("seq").statusCode()).isEqualTo(503);
        assertThat(client.generate("seq").statusCode()).isEqualTo(200);
        assertThat(client.generate("seq").statusCode()).isEqualTo(200);
        assertThat(emulator.generateCalls("seq")).isEqualTo(4);
        assertThat(emulator.generateCalls("other")).isZero();

        emulator.defaultBehavior(Behavior.serverError(500));
        assertThat(client.generate("any").statusCode()).isEqualTo(500);
        emulator.reset();
        assertThat(client.generate("any").statusCode()).as("reset restores ok()").isEqualTo(200);
        assertThat(emulator.generateCalls("seq")).isZero();
    }

    @Test
    void recordsKeysFromHeaderAndQuerySeparately() {
        client.generate("header-key");
        client.post(GEN + "?key=query-key", null, PROMPT);
        List<RecordedRequest> recorded = emulator.requests();
        assertThat(recorded).hasSize(2);
        RecordedRequest h = recorded.get(0);
        assertThat(h.method()).isEqualTo("POST");
        assertThat(h.path()).isEqualTo(GEN);
        assertThat(h.apiKeyHeader()).isEqualTo("header-key");
        assertThat(h.apiKeyQuery()).isNull();
        assertThat(h.headers()).containsEntry("x-goog-api-key", "header-key").containsKey("content-type");
        assertThat(new String(h.body(), StandardCharsets.UTF_8)).isEqualTo(PROMPT);
        RecordedRequest q = recorded.get(1);
        assertThat(q.apiKeyHeader()).isNull();
        assertThat(q.apiKeyQuery()).isEqualTo("query-key");
        assertThat(q.uri()).isEqualTo(GEN + "?key=query-key");
        assertThat(q.path()).as("path has no query").isEqualTo(GEN);
        assertThat(emulator.generateCalls("query-key")).isEqualTo(1);
    }

    @Test
    void keepAliveReusesOneConnection() {
        for (int i = 0; i < 3; i++) {
            assertThat(client.generate("k").statusCode()).isEqualTo(200);
        }
        assertThat(emulator.openConnections()).as("HTTP/1.1 keep-alive: the client reuses its connection").isEqualTo(1);
    }

    private static void assertError(HttpResponse<String> res, int code, String status) {
        assertThat(res.statusCode()).as("HTTP status").isEqualTo(code);
        Map<String, Object> err = error(res);
        assertThat(Json.num(err, "code", -1)).as("error.code matches the HTTP status").isEqualTo(code);
        assertThat(Json.str(err, "status")).isEqualTo(status);
        assertThat(Json.str(err, "message")).isNotBlank();
    }

    private static Map<String, Object> detail(HttpResponse<String> res, String typeSuffix) {
        for (Object d : Json.list(error(res), "details")) {
            if (Json.str(Json.asObject(d), "@type").endsWith(typeSuffix)) {
                return Json.asObject(d);
            }
        }
        throw new AssertionError("no " + typeSuffix + " detail in " + res.body());
    }

    private static List<String> names(Map<String, Object> page) {
        List<String> out = new ArrayList<>();
        for (Object m : Json.list(page, "models")) {
            out.add(Json.str(Json.asObject(m), "name"));
        }
        return out;
    }
}
