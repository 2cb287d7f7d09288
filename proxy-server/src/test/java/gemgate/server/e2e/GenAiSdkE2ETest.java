package gemgate.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.genai.Client;
import com.google.genai.ResponseStream;
import com.google.genai.types.Content;
import com.google.genai.types.CountTokensResponse;
import com.google.genai.types.EmbedContentResponse;
import com.google.genai.types.FunctionCall;
import com.google.genai.types.FunctionDeclaration;
import com.google.genai.types.GenerateContentConfig;
import com.google.genai.types.GenerateContentResponse;
import com.google.genai.types.HttpOptions;
import com.google.genai.types.ListModelsConfig;
import com.google.genai.types.Model;
import com.google.genai.types.Part;
import com.google.genai.types.Tool;
import gemgate.core.json.Json;
import gemgate.server.emulator.Behavior;
import gemgate.server.emulator.RecordedRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Google's own Java GenAI SDK pointed at the proxy (base URL changed, the proxy password as its API key), with the
 * Gemini emulator behind: what a user of the official SDK gets, through key rotation and pass-through.
 */
class GenAiSdkE2ETest {

    static Client client(Harness h, String apiVersion) {
        return Client.builder()
                .vertexAI(false)
                .apiKey(Harness.PASSWORD)
                .httpOptions(HttpOptions.builder().baseUrl(h.url("/")).apiVersion(apiVersion).timeout(60_000).build())
                .build();
    }

    @Test
    void generateContentAndItsStreamInBothStreamingModes() {
        for (String fake : new String[] {"false", "true"}) {
            try (Harness h = Harness.start("GEMINI_API_KEYS", "k-quota,k-ok", "FAKE_STREAMING", fake, "FAKE_STREAMING_INTERVAL", "0.2")) {
                h.emulator.script("k-quota", Behavior.quotaExceeded("30s", false));
                h.emulator.script("k-ok", Behavior.ok().withText("hello from gemini via gemgate").withChunks(3, Duration.ZERO)
                        .withDelay(Duration.ofMillis(500)));
                Client c = client(h, "v1beta");

                GenerateContentResponse r = c.models.generateContent("gemini-2.5-flash", "say hello", null);
                assertThat(r.text()).as("fake=%s: the first key's 429 is invisible to the SDK", fake)
                        .isEqualTo("hello from gemini via gemgate");
                assertThat(r.usageMetadata()).isPresent();

                StringBuilder streamed = new StringBuilder();
                int chunks = 0;
                try (ResponseStream<GenerateContentResponse> s = c.models.generateContentStream("gemini-2.5-flash", "say hello", null)) {
                    for (GenerateContentResponse chunk : s) {
                        chunks++;
                        if (chunk.text() != null) {
                            streamed.append(chunk.text());
                        }
                    }
                }
                assertThat(streamed.toString()).as("fake=%s: the SDK reads the stream, keepalives included", fake)
                        .isEqualTo("hello from gemini via gemgate");
                assertThat(chunks).as("fake=%s", fake).isEqualTo(fake.equals("true") ? 1 : 3);
                assertThat(h.emulator.generateCalls("k-quota")).isEqualTo(1);
                for (RecordedRequest rr : h.emulator.requests()) {
                    assertThat(rr.apiKeyHeader()).as("only pool keys reach Gemini").isIn("k-quota", "k-ok");
                    assertThat(rr.apiKeyQuery()).isNull();
                }
            }
        }
    }

    @Test
    void countTokensEmbeddingsAndModels() {
        try (Harness h = Harness.start("BLOCKED_MODELS", "gemini-2.5-pro")) {
            Client c = client(h, "v1beta");

            CountTokensResponse ct = c.models.countTokens("gemini-2.5-flash", "how many tokens is this?", null);
            assertThat(ct.totalTokens()).isPresent();
            assertThat(ct.totalTokens().get()).isPositive();

            EmbedContentResponse e = c.models.embedContent("gemini-embedding-001", "embed me", null);
            assertThat(e.embeddings()).isPresent();
            assertThat(e.embeddings().get()).hasSize(1);
            assertThat(e.embeddings().get().get(0).values().orElseThrow()).isNotEmpty();

            Model m = c.models.get("gemini-2.5-flash", null);
            assertThat(m.name()).hasValue("models/gemini-2.5-flash");
            assertThat(m.inputTokenLimit()).isPresent();

            List<String> names = new ArrayList<>();
            for (Model each : c.models.list(ListModelsConfig.builder().pageSize(4).build())) {
                names.add(each.name().orElseThrow());
            }
            assertThat(names).as("the SDK's pager follows our page tokens through the whole list")
                    .contains("models/gemini-2.5-flash", "models/gemini-3-flash-preview")
                    .doesNotContain("models/gemini-2.5-pro").doesNotHaveDuplicates();
            assertThat(names.size()).isGreaterThan(4);

            assertThatThrownBy(() -> c.models.get("gemini-2.5-pro", null))
                    .as("a blocked model does not exist for clients; the SDK reads our Google-shaped 404")
                    .hasMessageContaining("404");
        }
    }

    @Test
    void v1ApiVersionWorksOnTheSharedModelsRoute() {
        try (Harness h = Harness.start()) {
            Client c = client(h, "v1");
            assertThat(c.models.generateContent("gemini-2.5-flash", "hi", null).text()).isNotBlank();
            Model m = c.models.get("gemini-2.5-flash", null);
            assertThat(m.name()).as("GET /v1/models/{m} from the SDK is answered in Google's format").hasValue("models/gemini-2.5-flash");
            List<String> names = new ArrayList<>();
            c.models.list(ListModelsConfig.builder().build()).forEach(x -> names.add(x.name().orElseThrow()));
            assertThat(names).contains("models/gemini-2.5-flash");
        }
    }

    @Test
    void errorsReachTheSdkAsGoogleErrors() {
        try (Harness h = Harness.start("GEMINI_API_KEYS", "k1")) {
            h.emulator.script("k1", Behavior.badRequest("Invalid value at 'contents[0]'"));
            Client c = client(h, "v1beta");
            assertThatThrownBy(() -> c.models.generateContent("gemini-2.5-flash", "x", null))
                    .hasMessageContaining("400").hasMessageContaining("Invalid value at 'contents[0]'");
        }
    }

    @Test
    void functionCallingRoundTripThroughTheNativeRouteKeepsTheSignature() {
        // The SDK holds thoughtSignature as bytes and writes it back as base64: use canonical base64 to compare.
        String signature = Base64.getEncoder().encodeToString("a Gemini 3 thought signature".getBytes());
        Map<String, Object> schema = Map.of("type", "object", "properties",
                Map.of("city", Map.of("type", "string", "default", "Paris")), "required", List.of("city"));
        try (Harness h = Harness.start()) {
            h.emulator.script("test-key-good", Behavior.sequence(
                    Behavior.functionCall("get_weather", "{\"city\":\"Paris\"}").withThoughtSignature(signature),
                    Behavior.ok().withText("Sunny in Paris.")));
            Client c = client(h, "v1beta");
            GenerateContentConfig cfg = GenerateContentConfig.builder().tools(Tool.builder().functionDeclarations(
                    FunctionDeclaration.builder().name("get_weather").description("Weather for a city")
                            .parametersJsonSchema(schema).build()).build()).build();
            Content user = Content.builder().role("user").parts(Part.fromText("Weather in Paris?")).build();

            GenerateContentResponse first = c.models.generateContent("gemini-3-flash-preview", List.of(user), cfg);
            assertThat(first.functionCalls()).hasSize(1);
            FunctionCall fc = first.functionCalls().get(0);
            assertThat(fc.name()).hasValue("get_weather");
            assertThat(fc.args().orElseThrow()).containsEntry("city", "Paris");

            Content modelTurn = first.candidates().orElseThrow().get(0).content().orElseThrow();
            Content result = Content.builder().role("user")
                    .parts(Part.fromFunctionResponse("get_weather", Map.of("temp_c", 21))).build();
            GenerateContentResponse second = c.models.generateContent("gemini-3-flash-preview", List.of(user, modelTurn, result), cfg);
            assertThat(second.text()).as("Gemini 3 took the replayed call (the emulator refuses it unsigned)")
                    .isEqualTo("Sunny in Paris.");

            Map<String, Object> sent = OpenAiSdkToolsE2ETest.lastGenerateBody(h);
            List<Object> contents = Json.list(sent, "contents");
            assertThat(contents).hasSize(3);
            Map<String, Object> call = Json.asObject(Json.list(Json.asObject(contents.get(1)), "parts").get(0));
            assertThat(call).as("the SDK's functionCall part reaches Gemini with its signature")
                    .containsEntry("thoughtSignature", signature).containsKey("functionCall");
            Map<String, Object> response = Json.asObject(Json.list(Json.asObject(contents.get(2)), "parts").get(0));
            assertThat(Json.obj(response, "functionResponse")).containsEntry("name", "get_weather");
            Map<String, Object> decl = Json.asObject(Json.list(Json.asObject(Json.list(sent, "tools").get(0)),
                    "functionDeclarations").get(0));
            assertThat(Json.obj(decl, "parametersJsonSchema")).as("native bodies pass through unchanged: no schema cleaning")
                    .isEqualTo(Map.of("type", "object", "properties", Map.of("city", Map.of("type", "string", "default", "Paris")),
                            "required", List.of("city")));
        }
    }
}
