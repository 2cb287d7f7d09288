package gemgate.core.translate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gemgate.core.error.ApiError;
import gemgate.core.error.ApiException;
import gemgate.core.json.Json;
import gemgate.core.openai.ChatRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ChatToGeminiTest {

    private static Map<String, Object> translate(String json) {
        return ChatToGemini.generateContentTree(ChatRequest.parse(json.getBytes(StandardCharsets.UTF_8)), TranslateOptions.defaults());
    }

    private static ApiError error(String json) {
        try {
            translate(json);
        } catch (ApiException e) {
            return e.error();
        }
        throw new AssertionError("expected a 400 for " + json);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sillytavern-default", "sillytavern-mid-chat-system", "images-with-detail", "tools-roundtrip"})
    void requestsMatchGoldenBodies(String name) {
        ChatRequest req = ChatRequest.parse(Golden.bytes("requests/" + name + ".json"));
        Golden.check(name + ".gemini.json", Golden.pretty(ChatToGemini.generateContentBody(req, TranslateOptions.defaults())));
    }

    @Test
    @SuppressWarnings("unchecked")
    void sillyTavernDefaultHoistsLeadingSystemAndKeepsGreeting() {
        ChatRequest req = ChatRequest.parse(Golden.bytes("requests/sillytavern-default.json"));
        assertThat(req.model()).isEqualTo("gemini-2.5-flash");
        assertThat(req.stream()).as("SillyTavern streams by default").isTrue();
        assertThat(req.includeUsage()).isFalse();
        assertThat(req.n()).isEqualTo(1);
        Map<String, Object> body = ChatToGemini.generateContentTree(req, TranslateOptions.defaults());
        assertThat(Json.list(Json.obj(body, "systemInstruction"), "parts")).as("the 4 leading system messages, one part each")
                .hasSize(4);
        List<Object> contents = Json.list(body, "contents");
        assertThat(contents).extracting(c -> ((Map<String, Object>) c).get("role"))
                .as("the assistant greeting stays as the first (model) turn").containsExactly("model", "user");
        Map<String, Object> gen = Json.obj(body, "generationConfig");
        assertThat(gen).as("zero penalties are dropped; logit_bias is ignored")
                .doesNotContainKeys("presencePenalty", "frequencyPenalty", "logitBias")
                .containsEntry("maxOutputTokens", 300L).containsEntry("temperature", 1L).containsEntry("topP", 1L);
        assertThat(body).as("no thinkingConfig is sent yet").doesNotContainKey("thinkingConfig");
        assertThat(Json.list(body, "safetySettings")).as("gemini-2.5 gets OFF for all five categories").hasSize(5)
                .allSatisfy(s -> assertThat((Map<String, Object>) s).containsEntry("threshold", "OFF"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void midChatSystemStaysInPlaceAsUserText() {
        Map<String, Object> body = translate(Golden.text("requests/sillytavern-mid-chat-system.json"));
        List<Object> contents = Json.list(body, "contents");
        assertThat(contents).extracting(c -> ((Map<String, Object>) c).get("role"))
                .as("author's note merges into the user turn around it; roles alternate").containsExactly("model", "user", "model", "user");
        assertThat(Json.list(Json.asObject(contents.get(3)), "parts")).extracting(p -> ((Map<String, Object>) p).get("text"))
                .as("mid-chat system text keeps its position; the empty one is skipped")
                .containsExactly("[Author's note: keep replies short]", "Tell me a story.", "Post-history instructions: stay in character.");
        Map<String, Object> gen = Json.obj(body, "generationConfig");
        assertThat(gen).containsEntry("presencePenalty", 0.5).doesNotContainKey("frequencyPenalty")
                .containsEntry("topK", 40L).containsEntry("seed", 7L).containsEntry("candidateCount", 2L)
                .containsEntry("stopSequences", List.of("\nUser:"));
        assertThat(Json.list(body, "safetySettings")).as("older models get BLOCK_NONE")
                .allSatisfy(s -> assertThat((Map<String, Object>) s).containsEntry("threshold", "BLOCK_NONE"));
    }

    @Test
    void imagesBecomeInlineDataWhateverTheirDetail() {
        ChatRequest req = ChatRequest.parse(Golden.bytes("requests/images-with-detail.json"));
        assertThat(req.includeUsage()).isTrue();
        String body = Json.writeString(ChatToGemini.generateContentTree(req, TranslateOptions.defaults()));
        assertThat(body).contains("{\"inlineData\":{\"mimeType\":\"image/png\",\"data\":\"iVBORw0K")
                .contains("{\"inlineData\":{\"mimeType\":\"image/jpeg\",\"data\":\"/9j/4AAQSkZJRg==\"}}")
                .as("detail has no Gemini equivalent and is not forwarded").doesNotContain("detail");
    }

    @Test
    void relaxSafetyOffSendsNoSafetySettings() {
        ChatRequest req = ChatRequest.parse("{\"model\":\"gemini-2.5-pro\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"
                .getBytes(StandardCharsets.UTF_8));
        assertThat(ChatToGemini.generateContentTree(req, new TranslateOptions(false))).doesNotContainKey("safetySettings")
                .as("no sampling fields means no generationConfig").doesNotContainKey("generationConfig");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"temperature\":\"hot\"} | temperature",
            "{\"model\":\"m\",\"messages\":\"x\"} | messages",
            "{\"model\":\"m\",\"messages\":[]} | messages",
            "{\"model\":\"m\"} | messages",
            "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]} | model",
            "{\"model\":\"\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]} | model",
            "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"stream\":\"yes\"} | stream",
            "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":1.5} | max_tokens",
            "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"top_p\":[1]} | top_p",
            "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"n\":0} | n",
            "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"stop\":[1]} | stop",
            "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"stream_options\":{\"include_usage\":1}} | stream_options.include_usage",
            "{\"model\":\"m\",\"messages\":[{\"role\":\"wizard\",\"content\":\"x\"}]} | messages[0].role",
            "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":5}]} | messages[0].content",
            "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_audio\"}]}]} | messages[0].content[0].type",
            "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"a\"},{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://x/y.png\"}}]}]} | messages[0].content[1].image_url",
            "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"\"},{\"role\":\"assistant\",\"content\":\"\"}]} | messages",
            "{\"model\":\"m\",\"messages\":[{\"role\":\"system\",\"content\":\"only system\"}]} | messages",
    })
    void wrongTypesAreBadRequestsNamingTheField(String json, String param) {
        ApiError e = error(json);
        assertThat(e.status()).as("a bad request body is the client's fault").isEqualTo(400);
        assertThat(e.param()).as("the error names the offending field").isEqualTo(param);
    }

    @Test
    void httpImageUrlsAreNotFetched() {
        ApiError e = error("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":\"http://x\"}]}]}");
        assertThat(e.message()).isEqualTo("image URLs are not fetched; send the image as a data: URI (or set FETCH_REMOTE_MEDIA=true on the proxy)");
    }

    @Test
    void emptyConversationMessage() {
        assertThat(error("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"\"}]}").message())
                .isEqualTo("messages must contain at least one non-empty user or assistant message");
    }

    @Test
    void malformedJsonIsInvalidJson() {
        assertThatThrownBy(() -> ChatRequest.parse("{\"model\":".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(ApiException.class)
                .satisfies(e -> assertThat(((ApiException) e).error().code()).isEqualTo("invalid_json"));
        assertThatThrownBy(() -> ChatRequest.parse("[1]".getBytes(StandardCharsets.UTF_8)))
                .as("a JSON array is not a request object").isInstanceOf(ApiException.class);
    }

    @Test
    void unknownAndIgnoredFieldsAreAccepted() {
        Map<String, Object> body = translate("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\",\"name\":\"Bob\"}],"
                + "\"logit_bias\":{\"50256\":-100},\"user\":\"u\",\"parallel_tool_calls\":true,\"service_tier\":\"auto\","
                + "\"metadata\":{},\"store\":true,\"logprobs\":true,\"whatever\":[null],\"temperature\":null}");
        assertThat(Json.writeString(body)).isEqualTo("{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"x\"}]}],"
                + "\"safetySettings\":[{\"category\":\"HARM_CATEGORY_HARASSMENT\",\"threshold\":\"BLOCK_NONE\"},"
                + "{\"category\":\"HARM_CATEGORY_HATE_SPEECH\",\"threshold\":\"BLOCK_NONE\"},"
                + "{\"category\":\"HARM_CATEGORY_SEXUALLY_EXPLICIT\",\"threshold\":\"BLOCK_NONE\"},"
                + "{\"category\":\"HARM_CATEGORY_DANGEROUS_CONTENT\",\"threshold\":\"BLOCK_NONE\"},"
                + "{\"category\":\"HARM_CATEGORY_CIVIC_INTEGRITY\",\"threshold\":\"BLOCK_NONE\"}]}");
    }

    @Test
    void maxCompletionTokensWinsAndIntegralFloatsAreIntegers() {
        Map<String, Object> gen = Json.obj(translate("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
                + "\"max_tokens\":10,\"max_completion_tokens\":20.0,\"stop\":\"END\"}"), "generationConfig");
        assertThat(gen).containsEntry("maxOutputTokens", 20L).containsEntry("stopSequences", List.of("END"));
    }

    @Test
    void toolCallsAndResultsBecomeFunctionParts() {
        String body = Json.writeString(translate(Golden.text("requests/tools-roundtrip.json")));
        assertThat(body).contains("{\"role\":\"model\",\"parts\":[{\"functionCall\":{\"name\":\"get_weather\",\"args\":{\"city\":\"Paris\"}}}]}")
                .contains("{\"role\":\"user\",\"parts\":[{\"functionResponse\":{\"name\":\"get_weather\",\"response\":{\"content\":\"18 C, cloudy\"}}}]}")
                .contains("\"toolConfig\":{\"functionCallingConfig\":{\"mode\":\"AUTO\"}}")
                .contains("\"parametersJsonSchema\":{\"type\":\"object\"");
        assertThat(error("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"},{\"role\":\"tool\",\"tool_call_id\":\"nope\",\"content\":\"r\"}]}").param())
                .as("a tool result must answer an earlier call").isEqualTo("messages[1].tool_call_id");
    }

    @ParameterizedTest
    @CsvSource({"models/gemini-2.5-flash,gemini-2.5-flash", "gemini-1.5-pro-002,gemini-1.5-pro-002", "gemma-3-27b-it,gemma-3-27b-it"})
    void upstreamModelStripsPrefix(String client, String upstream) {
        assertThat(ChatToGemini.upstreamModel(client)).isEqualTo(upstream);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "models/", "../v1/files", "gemini?key=x", "a b", "gemini-2.5-flash:generateContent"})
    void upstreamModelRefusesPathTricks(String client) {
        assertThatThrownBy(() -> ChatToGemini.upstreamModel(client)).as("the model becomes a URL path segment")
                .isInstanceOf(ApiException.class);
    }
}
