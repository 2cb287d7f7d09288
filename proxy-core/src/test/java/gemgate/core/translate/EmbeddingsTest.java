package gemgate.core.translate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gemgate.core.error.ApiException;
import gemgate.core.json.Json;
import gemgate.core.json.JsonException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EmbeddingsTest {
    private static final String DEFAULT = "gemini-embedding-001";

    private static Embeddings.Request parse(String json) {
        return Embeddings.parse(json.getBytes(StandardCharsets.UTF_8), DEFAULT, 2048);
    }

    private static ApiException rejected(String json) {
        try {
            parse(json);
        } catch (ApiException e) {
            return e;
        }
        throw new AssertionError("expected a 400 for " + json);
    }

    @Test
    void goldenRequestBodyAndAnswer() {
        Embeddings.Request req = Embeddings.parse(Golden.bytes("requests/embeddings-list.json"), DEFAULT, 2048);
        assertThat(req.upstreamModel()).as("OpenAI model names map to the configured default embedding model").isEqualTo(DEFAULT);
        assertThat(req.batches()).isEqualTo(1);
        Golden.check("embeddings-list.gemini.json", Golden.pretty(Embeddings.batchBody(req, 0)));

        Embeddings.BatchResult r = Embeddings.parseBatch(Golden.bytes("embeddings/batchEmbedContents-two.json"), 2);
        assertThat(r.promptTokens()).as("no usageMetadata in the answer means unknown").isEqualTo(-1);
        Golden.check("embeddings-list.openai.json", Golden.pretty(Embeddings.response(req, r.vectors(), 11)));
    }

    @Test
    void base64IsLittleEndianFloat32LikeOpenAi() {
        Embeddings.Request req = parse("{\"model\":\"gemini-embedding-001\",\"input\":\"x\",\"encoding_format\":\"base64\"}");
        float[] v = {1.0f, -0.5f, 0.017999587f};
        Map<String, Object> answer = Json.parseObject(Embeddings.response(req, List.of(v), 1));
        String b64 = Json.str(Json.asObject(Json.list(answer, "data").get(0)), "embedding");
        ByteBuffer bb = ByteBuffer.wrap(Base64.getDecoder().decode(b64)).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(bb.remaining()).as("four bytes per value").isEqualTo(12);
        assertThat(new float[] {bb.getFloat(), bb.getFloat(), bb.getFloat()}).as("decodes back to the same floats").containsExactly(v);
        // 1.0f little-endian is 00 00 80 3F
        assertThat(Base64.getDecoder().decode(Embeddings.base64(new float[] {1.0f}))).containsExactly(0, 0, (byte) 0x80, 0x3F);
    }

    @Test
    void modelNames() {
        assertThat(Embeddings.upstreamModel(null, DEFAULT)).isEqualTo(DEFAULT);
        assertThat(Embeddings.upstreamModel("text-embedding-ada-002", DEFAULT)).isEqualTo(DEFAULT);
        assertThat(Embeddings.upstreamModel("text-embedding-3-large", DEFAULT)).isEqualTo(DEFAULT);
        assertThat(Embeddings.upstreamModel("models/text-embedding-004", DEFAULT))
                .as("Gemini names are used as they are, without the models/ prefix").isEqualTo("text-embedding-004");
        assertThatThrownBy(() -> Embeddings.upstreamModel("../x", DEFAULT)).isInstanceOf(ApiException.class);
        Embeddings.Request r = parse("{\"input\":\"a\"}");
        assertThat(r.clientModel()).as("without a model the answer names the model used").isEqualTo(DEFAULT);
    }

    @Test
    void rejectsWhatGeminiCannotDo() {
        assertThat(rejected("{\"model\":\"m\",\"input\":[1,2,3]}").error().message()).contains("token ids");
        assertThat(rejected("{\"model\":\"m\",\"input\":[[1,2],[3]]}").error().message()).contains("token ids");
        assertThat(rejected("{\"model\":\"m\",\"input\":7}").error().message()).contains("token ids");
        assertThat(rejected("{\"model\":\"m\"}").error().param()).isEqualTo("input");
        assertThat(rejected("{\"model\":\"m\",\"input\":[]}").error().param()).isEqualTo("input");
        assertThat(rejected("{\"model\":\"m\",\"input\":[\"a\",\"\"]}").error().param()).isEqualTo("input[1]");
        assertThat(rejected("{\"model\":\"m\",\"input\":[\"a\",{}]}").error().param()).isEqualTo("input[1]");
        assertThat(rejected("{\"model\":\"m\",\"input\":\"a\",\"dimensions\":0}").error().param()).isEqualTo("dimensions");
        assertThat(rejected("{\"model\":\"m\",\"input\":\"a\",\"dimensions\":\"8\"}").error().param()).isEqualTo("dimensions");
        assertThat(rejected("{\"model\":\"m\",\"input\":\"a\",\"encoding_format\":\"int8\"}").error().param()).isEqualTo("encoding_format");
        assertThat(rejected("{\"model\":5,\"input\":\"a\"}").error().param()).isEqualTo("model");
        assertThat(rejected("[1]").error().status()).isEqualTo(400);
        assertThat(rejected("{nope").error().code()).isEqualTo("invalid_json");
    }

    @Test
    void capsInputsPerRequest() {
        StringBuilder sb = new StringBuilder("{\"input\":[");
        for (int i = 0; i < 11; i++) {
            sb.append(i == 0 ? "" : ",").append("\"t").append(i).append('"');
        }
        sb.append("]}");
        assertThatThrownBy(() -> Embeddings.parse(sb.toString().getBytes(StandardCharsets.UTF_8), DEFAULT, 10))
                .isInstanceOf(ApiException.class).hasMessageContaining("at most 10");
    }

    @Test
    void splitsIntoBatchesOfAtMostOneHundredInOrder() {
        StringBuilder sb = new StringBuilder("{\"model\":\"text-embedding-004\",\"dimensions\":3,\"input\":[");
        for (int i = 0; i < 250; i++) {
            sb.append(i == 0 ? "" : ",").append("\"text ").append(i).append('"');
        }
        Embeddings.Request req = parse(sb.append("]}").toString());
        assertThat(req.batches()).isEqualTo(3);
        List<String> seen = new ArrayList<>();
        for (int b = 0; b < req.batches(); b++) {
            List<Object> requests = Json.list(Json.parseObject(Embeddings.batchBody(req, b)), "requests");
            assertThat(requests.size()).as("Google accepts at most 100 requests per batch").isLessThanOrEqualTo(Embeddings.MAX_BATCH);
            for (Object o : requests) {
                Map<String, Object> one = Json.asObject(o);
                assertThat(one.get("model")).isEqualTo("models/text-embedding-004");
                assertThat(one.get("outputDimensionality")).isEqualTo(3L);
                seen.add(Json.str(Json.asObject(Json.list(Json.obj(one, "content"), "parts").get(0)), "text"));
            }
        }
        assertThat(seen).as("every input exactly once, in input order").hasSize(250).startsWith("text 0", "text 1").endsWith("text 249");
        assertThat(req.estimatedTokens(2)).isEqualTo(50L * 2);
    }

    @Test
    void readsUsageAndRefusesMismatchedAnswers() {
        byte[] withUsage = "{\"embeddings\":[{\"values\":[1,2.5]}],\"usageMetadata\":{\"promptTokenCount\":7}}".getBytes(StandardCharsets.UTF_8);
        Embeddings.BatchResult r = Embeddings.parseBatch(withUsage, 1);
        assertThat(r.promptTokens()).isEqualTo(7);
        assertThat(r.vectors().get(0)).containsExactly(1f, 2.5f);
        assertThatThrownBy(() -> Embeddings.parseBatch(withUsage, 2)).isInstanceOf(JsonException.class)
                .hasMessageContaining("1 embeddings for 2");
        assertThatThrownBy(() -> Embeddings.parseBatch("{\"embeddings\":[{\"values\":[\"x\"]}]}".getBytes(StandardCharsets.UTF_8), 1))
                .isInstanceOf(JsonException.class);
        assertThatThrownBy(() -> Embeddings.parseBatch("[]".getBytes(StandardCharsets.UTF_8), 0)).isInstanceOf(JsonException.class);
    }
}
