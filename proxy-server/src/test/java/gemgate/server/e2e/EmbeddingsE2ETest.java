package gemgate.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import gemgate.core.json.Json;
import gemgate.server.emulator.Behavior;
import gemgate.server.emulator.RecordedRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** POST /v1/embeddings through the proxy to the emulator's batchEmbedContents. */
class EmbeddingsE2ETest {

    private static Map<String, Object> json(HttpResponse<String> r) {
        return Json.parseObject(r.body().getBytes(StandardCharsets.UTF_8));
    }

    private static List<RecordedRequest> batchCalls(Harness h) {
        List<RecordedRequest> out = new ArrayList<>();
        for (RecordedRequest r : h.emulator.requests()) {
            if (r.path().endsWith(":batchEmbedContents")) {
                out.add(r);
            }
        }
        return out;
    }

    private static String inputs(int n) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : ",").append("\"text number ").append(i).append('"');
        }
        return sb.append(']').toString();
    }

    @Test
    void oneTextWithAnOpenAiModelNameUsesTheDefaultEmbeddingModel() {
        try (Harness h = Harness.start()) {
            HttpResponse<String> r = h.post("/v1/embeddings", "{\"model\":\"text-embedding-3-small\",\"input\":\"hello\",\"user\":\"u\"}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            Map<String, Object> body = json(r);
            assertThat(body.get("object")).isEqualTo("list");
            assertThat(body.get("model")).as("the answer names the model the client asked for").isEqualTo("text-embedding-3-small");
            Map<String, Object> d0 = Json.asObject(Json.list(body, "data").get(0));
            assertThat(d0.get("object")).isEqualTo("embedding");
            assertThat(d0.get("index")).isEqualTo(0L);
            assertThat(Json.list(d0, "embedding")).hasSize(8);
            assertThat(Json.num(Json.obj(body, "usage"), "prompt_tokens", -1)).isPositive();
            List<RecordedRequest> calls = batchCalls(h);
            assertThat(calls).hasSize(1);
            assertThat(calls.get(0).path()).isEqualTo("/v1beta/models/gemini-embedding-001:batchEmbedContents");
            assertThat(calls.get(0).apiKeyHeader()).as("the pool key goes upstream in the header").isEqualTo("test-key-good");
            assertThat(calls.get(0).apiKeyQuery()).isNull();
        }
    }

    @Test
    void moreThanOneHundredTextsAreSplitAndAnsweredInInputOrder() {
        try (Harness h = Harness.start()) {
            HttpResponse<String> r = h.post("/embeddings", "{\"model\":\"gemini-embedding-001\",\"dimensions\":4,\"input\":" + inputs(250) + "}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            List<Object> data = Json.list(json(r), "data");
            assertThat(data).hasSize(250);
            List<RecordedRequest> calls = batchCalls(h);
            assertThat(calls).as("250 texts need three upstream calls of at most 100").hasSize(3);
            List<String> sentTexts = new ArrayList<>();
            for (RecordedRequest c : calls) {
                List<Object> reqs = Json.list(Json.parseObject(c.body()), "requests");
                assertThat(reqs.size()).isLessThanOrEqualTo(100);
                for (Object o : reqs) {
                    sentTexts.add(Json.str(Json.asObject(Json.list(Json.obj(Json.asObject(o), "content"), "parts").get(0)), "text"));
                }
            }
            assertThat(sentTexts).as("each text sent once").hasSize(250).doesNotHaveDuplicates();
            // The emulator's vectors depend only on the text: the answer at index i must be text i's vector.
            HttpResponse<String> single = h.post("/v1/embeddings",
                    "{\"model\":\"gemini-embedding-001\",\"dimensions\":4,\"input\":\"text number 217\"}");
            Object expected = Json.asObject(Json.list(json(single), "data").get(0)).get("embedding");
            for (int i = 0; i < data.size(); i++) {
                Map<String, Object> d = Json.asObject(data.get(i));
                assertThat(d.get("index")).isEqualTo((long) i);
                assertThat(Json.list(d, "embedding")).as("dimensions -> outputDimensionality").hasSize(4);
            }
            assertThat(Json.asObject(data.get(217)).get("embedding")).as("results are put back in input order").isEqualTo(expected);
        }
    }

    @Test
    void base64EncodingDecodesToTheFloatVector() {
        try (Harness h = Harness.start()) {
            Object floats = Json.asObject(Json.list(json(h.post("/v1/embeddings",
                    "{\"model\":\"text-embedding-004\",\"input\":[\"abc\"]}")), "data").get(0)).get("embedding");
            String b64 = Json.str(Json.asObject(Json.list(json(h.post("/v1/embeddings",
                    "{\"model\":\"text-embedding-004\",\"input\":[\"abc\"],\"encoding_format\":\"base64\"}")), "data").get(0)), "embedding");
            ByteBuffer bb = ByteBuffer.wrap(Base64.getDecoder().decode(b64)).order(ByteOrder.LITTLE_ENDIAN);
            List<Object> list = Json.asList(floats);
            assertThat(bb.remaining()).isEqualTo(list.size() * 4);
            for (Object v : list) {
                assertThat(bb.getFloat()).isEqualTo(((Number) v).floatValue());
            }
        }
    }

    @Test
    void rotatesKeysPerBatchLikeChat() {
        try (Harness h = Harness.start("GEMINI_API_KEYS", "k-invalid,k-quota,k-ok")) {
            h.emulator.script("k-invalid", Behavior.invalidKey());
            h.emulator.script("k-quota", Behavior.quotaExceeded("30s", false));
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> r = h.post("/v1/embeddings", "{\"input\":" + inputs(120) + "}");
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                assertThat(Json.list(json(r), "data")).hasSize(120);
            }
            long okCalls = batchCalls(h).stream().filter(c -> "k-ok".equals(c.apiKey())).count();
            assertThat(okCalls).as("every batch of every request ends on the good key").isEqualTo(6);
            long badCalls = batchCalls(h).stream().filter(c -> !"k-ok".equals(c.apiKey())).count();
            assertThat(badCalls).as("an invalid key leaves and a 429 key cools down after one failure each").isLessThanOrEqualTo(2);
        }
    }

    @Test
    void errorsAreOpenAiShaped() {
        try (Harness h = Harness.start()) {
            HttpResponse<String> tokens = h.post("/v1/embeddings", "{\"model\":\"text-embedding-3-small\",\"input\":[[1,2,3]]}");
            assertThat(tokens.statusCode()).isEqualTo(400);
            Map<String, Object> err = Json.obj(json(tokens), "error");
            assertThat(Json.str(err, "message")).contains("token ids");
            assertThat(err.get("param")).isEqualTo("input");
            assertThat(err).containsKeys("type", "code");
            assertThat(batchCalls(h)).as("a refused request never reaches Gemini").isEmpty();

            HttpResponse<String> unknown = h.post("/v1/embeddings", "{\"model\":\"does-not-exist-embed\",\"input\":\"x\"}");
            assertThat(unknown.statusCode()).as("Gemini's 404 for the model comes back as a 404").isEqualTo(404);
            assertThat(Json.str(Json.obj(json(unknown), "error"), "message")).contains("does-not-exist-embed");

            HttpResponse<String> wrongMethod = h.get("/v1/embeddings");
            assertThat(wrongMethod.statusCode()).isEqualTo(405);
        }
    }

    @Test
    void tooManyInputsIsRefusedBeforeAnyUpstreamCall() {
        try (Harness h = Harness.start("MAX_EMBEDDING_INPUTS", "150")) {
            HttpResponse<String> r = h.post("/v1/embeddings", "{\"input\":" + inputs(151) + "}");
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(r.body()).contains("at most 150");
            assertThat(batchCalls(h)).isEmpty();
        }
    }

    @Test
    void gemini400IsPassedOnWithoutTryingOtherKeys() {
        try (Harness h = Harness.start("GEMINI_API_KEYS", "k1,k2")) {
            h.emulator.script("k1", Behavior.badRequest("* BatchEmbedContentsRequest.requests[0].output_dimensionality: bad"));
            h.emulator.script("k2", Behavior.badRequest("* BatchEmbedContentsRequest.requests[0].output_dimensionality: bad"));
            HttpResponse<String> r = h.post("/v1/embeddings", "{\"input\":\"x\",\"dimensions\":9999}");
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(Json.str(Json.obj(json(r), "error"), "message")).contains("output_dimensionality");
            assertThat(batchCalls(h)).as("the request's own fault is not retried on another key").hasSize(1);
        }
    }
}
