package gemgate.server.emulator;

import static gemgate.server.emulator.EmulatorClient.error;
import static gemgate.server.emulator.EmulatorClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

/**
 * Function calls, thought signatures, grounding, several candidates, and the requests the emulator refuses as Google
 * does (so proxy regressions surface as the user's 400).
 */
class GeminiEmulatorToolsTest {
    private static final String USER = "{\"role\":\"user\",\"parts\":[{\"text\":\"weather in Paris?\"}]}";
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

    private static HttpResponse<String> generate(String model, String key, String body) {
        return client.post("/v1beta/models/" + model + ":generateContent", key, body);
    }

    private static List<Map<String, Object>> sse(String model, String key, String body) {
        HttpResponse<String> res = client.post("/v1beta/models/" + model + ":streamGenerateContent?alt=sse", key, body);
        assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
        List<Map<String, Object>> out = new ArrayList<>();
        for (String line : res.body().split("\r\n")) {
            if (line.startsWith("data: ")) {
                out.add(Json.parseObject(line.substring(6).getBytes(StandardCharsets.UTF_8)));
            }
        }
        return out;
    }

    private static List<Object> parts(Map<String, Object> response) {
        return Json.list(Samples.firstCandidateContent(response), "parts");
    }

    private static Map<String, Object> part(Map<String, Object> response, int i) {
        return Json.asObject(parts(response).get(i));
    }

    private static String prompt() {
        return "{\"contents\":[" + USER + "]}";
    }

    @Test
    void functionCallOnGemini3CarriesTheRecordedSignatureAndFinishMessage() {
        emulator.script("k", Behavior.functionCall("get_weather", "{\"city\":\"Paris\"}"));
        Map<String, Object> r = json(generate("gemini-3-pro-preview", "k", prompt()));
        Map<String, Object> call = part(r, 0);
        assertThat(Json.obj(call, "functionCall")).containsEntry("name", "get_weather")
                .containsEntry("args", Map.of("city", "Paris"));
        assertThat(Json.str(call, "thoughtSignature")).as("Gemini 3 signs every function call step")
                .startsWith("Eqo+Cqc+");
        Map<String, Object> cand = Json.asObject(Json.list(r, "candidates").get(0));
        assertThat(cand).containsEntry("finishReason", "STOP").containsEntry("finishMessage", "Model generated function call(s).");

        Map<String, Object> old = json(generate("gemini-2.5-flash", "k", prompt()));
        assertThat(part(old, 0)).as("older models send no signature unless scripted").doesNotContainKey("thoughtSignature");
    }

    @Test
    void parallelCallsSignOnlyTheFirstAndScriptedSignaturesAndThoughtsApply() {
        emulator.script("k", Behavior.functionCall("a", "{}").andFunctionCall("b", "{\"x\":1}")
                .withThoughtSignature("c2lnLTE=").withThought("**Planning**"));
        Map<String, Object> r = json(generate("gemini-2.5-flash", "k", prompt()));
        assertThat(parts(r)).hasSize(3);
        assertThat(part(r, 0)).containsEntry("thought", true);
        assertThat(part(r, 1)).containsEntry("thoughtSignature", "c2lnLTE=");
        assertThat(part(r, 2)).as("parallel calls after the first carry no signature").doesNotContainKey("thoughtSignature");
        assertThat(Json.num(Json.obj(r, "usageMetadata"), "thoughtsTokenCount", 0)).isPositive();
        assertThatThrownBy(() -> Behavior.ok().andFunctionCall("x", "{}")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Behavior.functionCall("x", "[1]")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void streamedFunctionCallIsOneEventPerCallThenTheFinish() {
        emulator.script("k", Behavior.functionCall("a", "{\"q\":1}").andFunctionCall("b", "{}"));
        List<Map<String, Object>> events = sse("gemini-3-flash-preview", "k", prompt());
        assertThat(events).hasSize(3);
        assertThat(part(events.get(0), 0)).containsKey("functionCall").containsKey("thoughtSignature");
        assertThat(part(events.get(1), 0)).containsKey("functionCall").doesNotContainKey("thoughtSignature");
        assertThat(Json.asObject(Json.list(events.get(0), "candidates").get(0))).doesNotContainKey("finishReason");
        assertThat(part(events.get(2), 0)).as("as recorded: an empty text part with the finish").containsEntry("text", "");
        assertThat(Json.asObject(Json.list(events.get(2), "candidates").get(0))).containsEntry("finishReason", "STOP");
    }

    @Test
    void textAnswersCarryAScriptedSignatureOnTheLastPart() {
        emulator.script("k", Behavior.thinking().withThoughtSignature("dGhpbms="));
        Map<String, Object> r = json(generate("gemini-3-pro-preview", "k", prompt()));
        assertThat(part(r, 1)).containsEntry("thoughtSignature", "dGhpbms=");
        List<Map<String, Object>> events = sse("gemini-3-pro-preview", "k", prompt());
        Map<String, Object> last = events.get(events.size() - 1);
        assertThat(part(last, 0)).containsEntry("thoughtSignature", "dGhpbms=");
    }

    @Test
    void groundedOnlyWithTheSearchToolAndSupportsOnlyForTheRecordedText() {
        emulator.script("k", Behavior.grounded());
        String withSearch = "{\"contents\":[" + USER + "],\"tools\":[{\"googleSearch\":{}}]}";
        Map<String, Object> r = json(generate("gemini-2.5-flash", "k", withSearch));
        Map<String, Object> meta = Json.obj(Json.asObject(Json.list(r, "candidates").get(0)), "groundingMetadata");
        assertThat(Json.list(meta, "groundingChunks")).hasSize(3);
        assertThat(meta).containsKeys("groundingSupports", "webSearchQueries", "searchEntryPoint");
        assertThat(Json.num(Json.obj(r, "usageMetadata"), "toolUsePromptTokenCount", 0)).isPositive();

        Map<String, Object> plain = json(generate("gemini-2.5-flash", "k", prompt()));
        assertThat(Json.asObject(Json.list(plain, "candidates").get(0))).as("no tool, no grounding")
                .doesNotContainKey("groundingMetadata");

        emulator.script("t", Behavior.grounded().withText("Other text").withChunks(2, java.time.Duration.ZERO));
        List<Map<String, Object>> events = sse("gemini-2.5-flash", "t", withSearch);
        assertThat(events).hasSize(2);
        assertThat(Json.asObject(Json.list(events.get(0), "candidates").get(0))).doesNotContainKey("groundingMetadata");
        Map<String, Object> lastMeta = Json.obj(Json.asObject(Json.list(events.get(1), "candidates").get(0)), "groundingMetadata");
        assertThat(lastMeta).as("streams ground on the last event; supports point into the recorded text only")
                .containsKey("groundingChunks").doesNotContainKey("groundingSupports");
    }

    @Test
    void candidateCountGivesThatManyCandidatesTellingThemApart() {
        emulator.script("k", Behavior.ok().withText("hi"));
        String body = "{\"contents\":[" + USER + "],\"generationConfig\":{\"candidateCount\":3}}";
        List<Object> cands = Json.list(json(generate("gemini-2.5-flash", "k", body)), "candidates");
        assertThat(cands).hasSize(3);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Map<String, Object> c = Json.asObject(cands.get(i));
            assertThat(Json.num(c, "index", -1)).isEqualTo(i);
            texts.add(Json.str(Json.asObject(Json.list(Json.obj(c, "content"), "parts").get(0)), "text"));
        }
        assertThat(texts).containsExactly("hi", "hi #2", "hi #3");

        emulator.script("s", Behavior.ok().withText("abcdef").withChunks(2, java.time.Duration.ZERO));
        List<Map<String, Object>> events = sse("gemini-2.5-flash", "s", body.replace("3", "2"));
        StringBuilder second = new StringBuilder();
        for (Map<String, Object> e : events) {
            List<Object> cs = Json.list(e, "candidates");
            assertThat(cs).hasSize(2);
            second.append(Json.str(Json.asObject(Json.list(Json.obj(Json.asObject(cs.get(1)), "content"), "parts").get(0)), "text"));
        }
        assertThat(second.toString()).isEqualTo("abcdef #2");
    }

    @Test
    void thinkingConfigForANonThinkingModelIsRefusedAsGoogleDoes() {
        String body = "{\"contents\":[" + USER + "],\"generationConfig\":{\"thinkingConfig\":{\"thinkingBudget\":0}}}";
        HttpResponse<String> res = generate("gemini-2.0-flash", "k", body);
        assertThat(res.statusCode()).isEqualTo(400);
        assertThat(Json.str(error(res), "status")).isEqualTo("INVALID_ARGUMENT");
        assertThat(Json.str(error(res), "message")).contains("thinking is not supported by this model");
        assertThat(client.post("/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse", "k", body).statusCode())
                .isEqualTo(400);
        assertThat(generate("gemini-2.5-flash", "k", body).statusCode()).isEqualTo(200);
        assertThat(generate("gemini-2.0-flash", "k", prompt()).statusCode()).isEqualTo(200);
        String snake = "{\"contents\":[" + USER + "],\"generation_config\":{\"thinking_config\":{\"include_thoughts\":true}}}";
        assertThat(generate("gemini-2.0-flash-lite", "k", snake).statusCode()).isEqualTo(400);
    }

    private static String history(String callPart) {
        return "{\"contents\":[" + USER + ",{\"role\":\"model\",\"parts\":[" + callPart + "]},"
                + "{\"role\":\"user\",\"parts\":[{\"functionResponse\":{\"name\":\"get_weather\",\"response\":{\"t\":1}}}]}]}";
    }

    @Test
    void gemini3RefusesACurrentTurnCallWithoutSignature() {
        String unsigned = history("{\"functionCall\":{\"name\":\"get_weather\",\"args\":{}}}");
        HttpResponse<String> res = generate("gemini-3-pro-preview", "k", unsigned);
        assertThat(res.statusCode()).isEqualTo(400);
        assertThat(Json.str(error(res), "message"))
                .startsWith("Function call is missing a thought_signature in functionCall parts.")
                .contains("`default_api:get_weather` , position 2");

        assertThat(generate("gemini-2.5-flash", "k", unsigned).statusCode()).as("only Gemini 3 enforces signatures")
                .isEqualTo(200);
        assertThat(generate("gemini-3-pro-preview", "k",
                history("{\"functionCall\":{\"name\":\"get_weather\",\"args\":{}},\"thoughtSignature\":\"abc\"}")).statusCode())
                .isEqualTo(200);
        assertThat(generate("gemini-3-pro-preview", "k", history("{\"functionCall\":{\"name\":\"get_weather\",\"args\":{}},"
                + "\"thoughtSignature\":\"skip_thought_signature_validator\"}")).statusCode())
                .as("Google's documented sentinel is accepted").isEqualTo(200);

        String earlierTurn = unsigned.substring(0, unsigned.length() - 2) + ",{\"role\":\"model\",\"parts\":[{\"text\":\"Sunny.\"}]},"
                + "{\"role\":\"user\",\"parts\":[{\"text\":\"thanks\"}]}]}";
        assertThat(generate("gemini-3-pro-preview", "k", earlierTurn).statusCode())
                .as("only the current turn (since the last user text) is validated").isEqualTo(200);
    }

    @Test
    void functionTurnsMustFollowEachOther() {
        String orphan = "{\"contents\":[" + USER + ",{\"role\":\"user\",\"parts\":[{\"functionResponse\":"
                + "{\"name\":\"f\",\"response\":{}}}]}]}";
        assertThat(Json.str(error(generate("gemini-2.5-flash", "k", orphan)), "message"))
                .isEqualTo(RequestChecks.RESPONSE_AFTER_CALL);
        String twoCallsOneAnswer = history("{\"functionCall\":{\"name\":\"a\",\"args\":{}}},{\"functionCall\":{\"name\":\"b\",\"args\":{}}}");
        assertThat(Json.str(error(generate("gemini-2.5-flash", "k", twoCallsOneAnswer)), "message"))
                .isEqualTo(RequestChecks.RESPONSE_COUNT);
        String callFirst = "{\"contents\":[{\"role\":\"model\",\"parts\":[{\"functionCall\":{\"name\":\"a\",\"args\":{}}}]}]}";
        assertThat(Json.str(error(generate("gemini-2.5-flash", "k", callFirst)), "message"))
                .isEqualTo(RequestChecks.CALL_AFTER_USER);
    }
}
