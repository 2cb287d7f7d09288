package gemgate.core.translate;

import static org.assertj.core.api.Assertions.assertThat;

import gemgate.core.error.ApiError;
import gemgate.core.error.ApiException;
import gemgate.core.json.Json;
import gemgate.core.models.ModelVariant;
import gemgate.core.openai.ChatRequest;
import gemgate.core.translate.TranslateOptions.ThoughtDisplay;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Issue 4's request mappings: tools and signatures, thinking per model, variants, structured output, media, safety. */
class ChatToGeminiFeaturesTest {
    private static final TranslateOptions SEARCH_AND_RANDOM = new TranslateOptions(true, Map.of(), true,
            ThoughtDisplay.REASONING_CONTENT, true, "(search the web)", true, 5);

    private static ChatRequest req(String json) {
        return ChatRequest.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private static Map<String, Object> tree(String json, TranslateOptions opts) {
        return ChatToGemini.generateContentTree(req(json), opts, Map.of(), new Random(7));
    }

    private static ApiError error(String json, TranslateOptions opts) {
        try {
            tree(json, opts);
        } catch (ApiException e) {
            return e.error();
        }
        throw new AssertionError("expected an error for " + json);
    }

    private static String user(String model, String extra) {
        return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]" + extra + "}";
    }

    private static Map<String, Object> thinking(String model, String extra, TranslateOptions opts) {
        return Json.obj(Json.obj(tree(user(model, extra), opts), "generationConfig"), "thinkingConfig");
    }

    @ParameterizedTest
    @CsvSource({
            "tools-gemini3-signature, defaults",
            "parallel-calls-gemini-2.0, defaults",
            "reasoning-minimal-gemini-3.7-flash, defaults",
            "structured-output-json-schema, defaults",
            "multimodal-files, defaults",
            "search-variant, search-and-random",
    })
    void requestsMatchGoldenBodies(String name, String options) {
        TranslateOptions opts = options.equals("defaults") ? TranslateOptions.defaults() : SEARCH_AND_RANDOM;
        Map<String, Object> body = ChatToGemini.generateContentTree(ChatRequest.parse(Golden.bytes("requests/" + name + ".json")),
                opts, Map.of(), new Random(7));
        Golden.check(name + ".gemini.json", Golden.pretty(Json.write(body)));
    }

    // ---- tools ----

    @Test
    void signatureCarriedInTheIdIsRestoredOnTheCallPart() {
        String id = ToolCallIds.newId("EmcKZQERTTIPo46Wo+/RPqv4ho6a==");
        Map<String, Object> body = tree("{\"model\":\"gemini-3-flash-preview\",\"messages\":[{\"role\":\"user\",\"content\":\"go\"},"
                + "{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"" + id + "\",\"type\":\"function\",\"function\":{\"name\":\"f\","
                + "\"arguments\":\"{}\"}},{\"id\":\"" + ToolCallIds.newId(null) + "\",\"type\":\"function\",\"function\":{\"name\":\"g\","
                + "\"arguments\":\"{\\\"a\\\":1}\"}}]},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"" + id + "\",\"content\":\"one\"},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"" + "x" + "\",\"name\":\"g\",\"content\":\"[1,2]\"}],"
                + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}},{\"type\":\"function\",\"function\":{\"name\":\"g\"}}]}",
                TranslateOptions.defaults());
        List<Object> contents = Json.list(body, "contents");
        List<Object> callParts = Json.list(Json.asObject(contents.get(1)), "parts");
        assertThat(Json.asObject(callParts.get(0))).as("the signature the response side embedded comes back verbatim")
                .containsEntry("thoughtSignature", "EmcKZQERTTIPo46Wo+/RPqv4ho6a==");
        assertThat(Json.asObject(callParts.get(1))).as("later parallel calls carry no signature, as Gemini sends them")
                .doesNotContainKey("thoughtSignature");
        assertThat(contents).as("call turn, then one turn holding both responses").hasSize(3);
        assertThat(Json.list(Json.asObject(contents.get(2)), "parts")).hasSize(2);
        assertThat(Json.writeString(contents.get(2))).as("a non-object result is wrapped; an unknown id falls back to the name")
                .contains("{\"name\":\"g\",\"response\":{\"result\":\"[1,2]\"}}");
    }

    @Test
    void gemini25CallsWithoutSignatureGetNone() {
        String body = Json.writeString(tree("{\"model\":\"gemini-2.5-flash\",\"messages\":[{\"role\":\"user\",\"content\":\"go\"},"
                + "{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"ok\"},{\"role\":\"user\",\"content\":\"and?\"}]}",
                TranslateOptions.defaults()));
        assertThat(body).as("the stand-in is for Gemini 3 only").doesNotContain("thoughtSignature")
                .as("user text after the function responses gets its own turn")
                .contains("{\"role\":\"user\",\"parts\":[{\"functionResponse\":{\"name\":\"f\",\"response\":{\"result\":\"ok\"}}}]},"
                        + "{\"role\":\"user\",\"parts\":[{\"text\":\"and?\"}]}");
    }

    @Test
    void legacyFunctionsAndFunctionCallAreAccepted() {
        Map<String, Object> body = tree("{\"model\":\"gemini-2.5-flash\",\"messages\":[{\"role\":\"user\",\"content\":\"go\"},"
                + "{\"role\":\"assistant\",\"content\":null,\"function_call\":{\"name\":\"f\",\"arguments\":\"{\\\"x\\\":1}\"}},"
                + "{\"role\":\"function\",\"name\":\"f\",\"content\":\"{\\\"y\\\":2}\"}],"
                + "\"functions\":[{\"name\":\"f\",\"parameters\":{\"type\":\"object\",\"properties\":{\"x\":{\"type\":\"integer\"}}}}],"
                + "\"function_call\":{\"name\":\"f\"}}", TranslateOptions.defaults());
        assertThat(Json.writeString(body)).contains("{\"functionCall\":{\"name\":\"f\",\"args\":{\"x\":1}}}")
                .as("a JSON object result is sent as the object").contains("{\"functionResponse\":{\"name\":\"f\",\"response\":{\"y\":2}}}")
                .contains("\"toolConfig\":{\"functionCallingConfig\":{\"mode\":\"ANY\",\"allowedFunctionNames\":[\"f\"]}}");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "none | {\"mode\":\"NONE\"}",
            "auto | {\"mode\":\"AUTO\"}",
            "required | {\"mode\":\"ANY\"}",
    })
    void toolChoiceModes(String choice, String expected) {
        Map<String, Object> body = tree(user("gemini-2.5-flash", ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}],"
                + "\"tool_choice\":\"" + choice + "\""), TranslateOptions.defaults());
        assertThat(Json.writeString(Json.obj(Json.obj(body, "toolConfig"), "functionCallingConfig"))).isEqualTo(expected);
        assertThat(Json.writeString(body)).as("a function without parameters declares none").contains("{\"functionDeclarations\":[{\"name\":\"f\"}]}");
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
            ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}],\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"nope\"}}| tool_choice",
            ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}],\"tool_choice\":\"sometimes\"| tool_choice",
            ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"bad name!\"}}]| tools[0].function.name",
            ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":{\"type\":\"object\",\"properties\":{\"a\":{\"$ref\":\"#/$defs/Missing\"}}}}}]| tools[0].function.parameters",
            ",\"reasoning_effort\":\"extreme\"| reasoning_effort",
            ",\"reasoning_effort\":3| reasoning_effort",
            ",\"extra_body\":{\"google\":{\"thinking_config\":{\"thinking_budget\":\"lots\"}}}| extra_body.google.thinking_config.thinking_budget",
            ",\"extra_body\":{\"google\":{\"thinking_config\":{\"thinking_level\":\"ultra\"}}}| extra_body.google.thinking_config.thinking_level",
            ",\"extra_body\":{\"google\":{\"thinking_config\":{\"include_thoughts\":\"yes\"}}}| extra_body.google.thinking_config.include_thoughts",
            ",\"extra_body\":\"x\"| extra_body",
            ",\"thinking_budget\":-5| thinking_budget",
            ",\"response_format\":{\"type\":\"xml\"}| response_format.type",
            ",\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"schema\":[1]}}| response_format.json_schema.schema",
            ",\"response_format\":\"json\"| response_format",
            ",\"logprobs\":\"yes\"| logprobs",
            ",\"top_logprobs\":21| top_logprobs",
            ",\"n\":9| n",
            ",\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\"]| stop",
    })
    void wrongValuesAreBadRequestsNamingTheField(String extra, String param) {
        ApiError e = error(user("gemini-2.5-flash", extra), TranslateOptions.defaults());
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.param()).as("the 400 names the offending field").isEqualTo(param);
    }

    @Test
    void invalidToolCallArgumentsNameTheField() {
        ApiError e = error("{\"model\":\"gemini-2.5-flash\",\"messages\":[{\"role\":\"user\",\"content\":\"go\"},"
                + "{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{oops\"}}]}]}",
                TranslateOptions.defaults());
        assertThat(e.param()).isEqualTo("messages[1].tool_calls[0].function.arguments");
    }

    // ---- thinking ----

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
            "gemini-2.5-flash | ,\"reasoning_effort\":\"none\" | {\"thinkingBudget\":0}",
            "gemini-2.5-flash | ,\"reasoning_effort\":\"low\" | {\"thinkingBudget\":1024,\"includeThoughts\":true}",
            "gemini-2.5-flash | ,\"reasoning_effort\":\"xhigh\" | {\"thinkingBudget\":24576,\"includeThoughts\":true}",
            "gemini-2.5-flash | ,\"reasoning_effort\":\"max\" | {\"thinkingBudget\":24576,\"includeThoughts\":true}",
            "gemini-2.5-pro | ,\"reasoning_effort\":\"none\" | {\"thinkingBudget\":128,\"includeThoughts\":true}",
            "gemini-2.5-pro | ,\"thinking_budget\":99999 | {\"thinkingBudget\":32768,\"includeThoughts\":true}",
            "gemini-2.5-flash | ,\"thinking_budget\":99999 | {\"thinkingBudget\":24576,\"includeThoughts\":true}",
            "gemini-2.5-flash-lite | ,\"reasoning_effort\":\"minimal\" | {\"thinkingBudget\":512,\"includeThoughts\":true}",
            "gemini-2.5-flash-lite | ,\"google\":{\"thinking_config\":{\"thinking_budget\":100}} | {\"thinkingBudget\":512,\"includeThoughts\":true}",
            "gemini-2.5-flash | ,\"extra_body\":{\"google\":{\"thinking_config\":{\"thinking_budget\":-1}}} | {\"thinkingBudget\":-1,\"includeThoughts\":true}",
            "gemini-3-pro-preview | ,\"reasoning_effort\":\"medium\" | {\"thinkingLevel\":\"HIGH\",\"includeThoughts\":true}",
            "gemini-3-pro-preview | ,\"reasoning_effort\":\"none\" | {\"thinkingLevel\":\"LOW\",\"includeThoughts\":true}",
            "gemini-3.1-pro-preview | ,\"reasoning_effort\":\"medium\" | {\"thinkingLevel\":\"MEDIUM\",\"includeThoughts\":true}",
            "gemini-3.1-pro-preview | ,\"reasoning_effort\":\"minimal\" | {\"thinkingLevel\":\"LOW\",\"includeThoughts\":true}",
            "gemini-3-flash-preview | ,\"reasoning_effort\":\"minimal\" | {\"thinkingLevel\":\"MINIMAL\",\"includeThoughts\":true}",
            "gemini-3.7-flash | ,\"reasoning_effort\":\"none\" | {\"thinkingLevel\":\"LOW\",\"includeThoughts\":true}",
            "gemini-3.7-flash | ,\"thinking_budget\":5000 | {\"thinkingLevel\":\"MEDIUM\",\"includeThoughts\":true}",
            "gemini-2.5-flash-thinking | | {\"thinkingBudget\":-1,\"includeThoughts\":true}",
            "gemini-2.5-flash-nothinking | ,\"reasoning_effort\":\"high\" | {\"thinkingBudget\":0}",
            "gemini-2.5-pro-nothinking | | {\"thinkingBudget\":128,\"includeThoughts\":true}",
            "gemini-3-pro-preview-thinking | | {\"thinkingLevel\":\"HIGH\",\"includeThoughts\":true}",
            "gemini-3-flash-preview-nothinking | | {\"thinkingLevel\":\"MINIMAL\",\"includeThoughts\":true}",
            "gemini-2.5-flash | ,\"extra_body\":{\"google\":{\"thinking_config\":{\"include_thoughts\":false}}} | null",
    })
    void thinkingIsClampedToWhatEachModelAllows(String model, String extra, String expected) {
        Map<String, Object> t = thinking(model, extra == null ? "" : extra, TranslateOptions.defaults());
        assertThat(t == null ? "null" : Json.writeString(t)).as("thinking config for %s", model).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"gemini-2.0-flash", "gemini-1.5-pro-002", "gemma-3-27b-it", "gemini-2.0-flash-thinking-exp-01-21",
            "gemini-2.5-flash-image", "gemini-2.5-flash-preview-tts", "learnlm-2.0-flash-experimental", "gemini-2.0-flash-nothinking"})
    void modelsThatDoNotThinkGetNoThinkingConfig(String model) {
        Map<String, Object> body = tree(user(model, ",\"reasoning_effort\":\"high\",\"thinking_budget\":1000"), TranslateOptions.defaults());
        assertThat(Json.writeString(body)).as("hajimi #304: thinkingConfig on %s is a 400", model).doesNotContain("thinking");
    }

    @Test
    void enableThinkingOffOrHiddenThoughts() {
        TranslateOptions off = new TranslateOptions(true, Map.of(), false, ThoughtDisplay.REASONING_CONTENT, false, "", false, 5);
        assertThat(Json.writeString(tree(user("gemini-2.5-flash-thinking", ",\"reasoning_effort\":\"high\""), off)))
                .as("ENABLE_THINKING=false: never a thinking config").doesNotContain("thinking");
        TranslateOptions hidden = new TranslateOptions(true, Map.of(), true, ThoughtDisplay.HIDDEN, false, "", false, 5);
        assertThat(thinking("gemini-2.5-flash", ",\"reasoning_effort\":\"low\"", hidden)).as("hidden thoughts are not requested")
                .isEqualTo(Map.of("thinkingBudget", 1024L));
        assertThat(thinking("gemini-2.5-flash", "", hidden)).isNull();
    }

    // ---- variants and search ----

    @Test
    void upstreamModelStripsVariantSuffixes() {
        assertThat(ChatToGemini.upstreamModel("models/gemini-2.5-flash-search-nothinking")).isEqualTo("gemini-2.5-flash");
        assertThat(ChatToGemini.upstreamModel("gemini-2.5-pro-thinking")).isEqualTo("gemini-2.5-pro");
        assertThat(ModelVariant.parse("gemini-2.5-flash-nothinking-search"))
                .isEqualTo(new ModelVariant("gemini-2.5-flash", ModelVariant.Force.OFF, true));
    }

    @Test
    void searchVariantNeedsSearchMode() {
        ApiError e = error(user("gemini-2.5-flash-search", ""), TranslateOptions.defaults());
        assertThat(e.status()).as("without SEARCH_MODE a -search model does not exist").isEqualTo(404);
        assertThat(e.message()).contains("SEARCH_MODE");
    }

    @Test
    void searchWithFunctionToolsIsRefusedBeforeGemini3AndCombinedAfter() {
        String tools = ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}]";
        ApiError e = error(user("gemini-2.5-flash-search", tools), SEARCH_AND_RANDOM);
        assertThat(e.param()).isEqualTo("tools");
        assertThat(e.message()).contains("Google Search grounding").contains("cannot be combined");
        Map<String, Object> body = tree(user("gemini-3-flash-preview-search", tools), SEARCH_AND_RANDOM);
        assertThat(Json.writeString(Json.list(body, "tools"))).isEqualTo("[{\"functionDeclarations\":[{\"name\":\"f\"}],\"googleSearch\":{}}]");
        assertThat(Json.obj(body, "toolConfig")).containsEntry("includeServerSideToolInvocations", true);
    }

    // ---- random strings ----

    @Test
    @SuppressWarnings("unchecked")
    void randomStringsNeverSplitACallFromItsResponse() {
        String json = "{\"model\":\"gemini-2.5-flash\",\"messages\":[{\"role\":\"system\",\"content\":\"sys\"},"
                + "{\"role\":\"user\",\"content\":\"go\"},"
                + "{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"ok\"}]}";
        Map<String, Object> body = tree(json, SEARCH_AND_RANDOM);
        List<Object> contents = Json.list(body, "contents");
        assertThat(contents).as("go, two random turns, call, responses").hasSize(5);
        for (int k = 0; k + 1 < contents.size(); k++) {
            if (Json.writeString(contents.get(k)).contains("functionCall")) {
                assertThat(Json.writeString(contents.get(k + 1))).as("the call turn is followed by its responses")
                        .contains("functionResponse");
            }
        }
        assertThat(Json.writeString(Json.obj(body, "systemInstruction"))).as("the system instruction is untouched")
                .isEqualTo("{\"parts\":[{\"text\":\"sys\"}]}");
        long randomTurns = contents.stream().map(c -> Json.writeString(c)).filter(c -> c.matches(
                "\\{\"role\":\"user\",\"parts\":\\[\\{\"text\":\"[A-Za-z0-9]{5}\"}]}")).count();
        assertThat(randomTurns).as("two random turns of RANDOM_STRING_LENGTH characters").isEqualTo(2);
        assertThat(Json.writeString(tree(json, TranslateOptions.defaults()))).as("off by default")
                .doesNotContainPattern("\"text\":\"[A-Za-z0-9]{5}\"");
    }

    // ---- media, safety ----

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/gif;base64,R0lGOD==\"}} | messages[0].content[0].image_url",
            "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,not base64!\"}} | messages[0].content[0].image_url",
            "{\"type\":\"image_url\",\"image_url\":{\"url\":\"ftp://x/y.png\"}} | messages[0].content[0].image_url",
            "{\"type\":\"input_audio\",\"input_audio\":{\"data\":\"UklG\",\"format\":\"m4a\"}} | messages[0].content[0].input_audio.format",
            "{\"type\":\"input_audio\",\"input_audio\":{\"data\":5,\"format\":\"wav\"}} | messages[0].content[0].input_audio.data",
            "{\"type\":\"file\",\"file\":{\"file_data\":\"data:application/msword;base64,AAAA\"}} | messages[0].content[0].file.file_data",
            "{\"type\":\"file\",\"file\":{\"file_id\":\"file-abc\"}} | messages[0].content[0].file.file_data",
            "{\"type\":\"file\",\"file\":{\"file_data\":\"AAAA\",\"filename\":\"x.docx\"}} | messages[0].content[0].file.file_data",
    })
    void unsupportedOrBrokenMediaIsRefused(String part, String param) {
        ApiError e = error("{\"model\":\"gemini-2.5-flash\",\"messages\":[{\"role\":\"user\",\"content\":[" + part + "]}]}",
                TranslateOptions.defaults());
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.param()).isEqualTo(param);
    }

    @Test
    void fetchedRemoteMediaIsInlined() {
        ChatRequest r = req("{\"model\":\"gemini-2.5-flash\",\"messages\":[{\"role\":\"user\",\"content\":["
                + "{\"type\":\"image_url\",\"image_url\":\"https://ex.com/a.png\"},{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://ex.com/a.png\"}},"
                + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"http://ex.com/b\"}}]}]}");
        assertThat(r.remoteMediaUrls()).as("in order, without duplicates").containsExactly("https://ex.com/a.png", "http://ex.com/b");
        Map<String, RemoteMedia> fetched = Map.of("https://ex.com/a.png", new RemoteMedia("image/png", new byte[] {1, 2, 3}),
                "http://ex.com/b", new RemoteMedia("image/jpeg; charset=binary", new byte[] {4}));
        assertThat(new String(ChatToGemini.generateContentBody(r, TranslateOptions.defaults(), fetched), StandardCharsets.UTF_8))
                .contains("{\"inlineData\":{\"mimeType\":\"image/png\",\"data\":\"AQID\"}}")
                .contains("{\"inlineData\":{\"mimeType\":\"image/jpeg\",\"data\":\"BA==\"}}");
        ApiException e = org.junit.jupiter.api.Assertions.assertThrows(ApiException.class, () -> ChatToGemini.generateContentBody(r,
                TranslateOptions.defaults(), Map.of("https://ex.com/a.png", new RemoteMedia("text/html", new byte[0]),
                        "http://ex.com/b", new RemoteMedia("image/png", new byte[0]))));
        assertThat(e.error().message()).as("a fetched page that is not media is named").contains("text/html");
    }

    @Test
    void safetyThresholdsOverrideAndOffBecomesBlockNoneOnOldModels() {
        TranslateOptions opts = new TranslateOptions(false, Map.of("HARM_CATEGORY_DANGEROUS_CONTENT", "OFF",
                "HARM_CATEGORY_HARASSMENT", "BLOCK_ONLY_HIGH"), true, ThoughtDisplay.REASONING_CONTENT, false, "", false, 5);
        assertThat(Json.writeString(Json.list(tree(user("gemini-2.0-flash", ""), opts), "safetySettings"))).isEqualTo(
                "[{\"category\":\"HARM_CATEGORY_DANGEROUS_CONTENT\",\"threshold\":\"BLOCK_NONE\"},"
                        + "{\"category\":\"HARM_CATEGORY_HARASSMENT\",\"threshold\":\"BLOCK_ONLY_HIGH\"}]");
        TranslateOptions relaxed = new TranslateOptions(true, Map.of("HARM_CATEGORY_HARASSMENT", "BLOCK_LOW_AND_ABOVE"), true,
                ThoughtDisplay.REASONING_CONTENT, false, "", false, 5);
        assertThat(Json.writeString(Json.list(tree(user("gemini-3-pro-preview", ""), relaxed), "safetySettings")))
                .contains("{\"category\":\"HARM_CATEGORY_HARASSMENT\",\"threshold\":\"BLOCK_LOW_AND_ABOVE\"}")
                .contains("{\"category\":\"HARM_CATEGORY_HATE_SPEECH\",\"threshold\":\"OFF\"}");
    }

    @Test
    void penaltiesGoOnlyToModelsThatTakeThem() {
        String extra = ",\"presence_penalty\":0.4,\"frequency_penalty\":0.2";
        assertThat(Json.obj(tree(user("gemini-2.5-flash", extra), TranslateOptions.defaults()), "generationConfig"))
                .as("recorded: 'Penalty is not enabled for models/gemini-2.5-flash'").doesNotContainKeys("presencePenalty", "frequencyPenalty");
        assertThat(Json.obj(tree(user("gemini-2.0-flash", extra), TranslateOptions.defaults()), "generationConfig"))
                .containsEntry("presencePenalty", 0.4).containsEntry("frequencyPenalty", 0.2);
    }

    @Test
    void jsonObjectModeSetsOnlyTheMimeType() {
        Map<String, Object> gen = Json.obj(tree(user("gemini-2.0-flash", ",\"response_format\":{\"type\":\"json_object\"},\"modalities\":[\"text\"],\"audio\":{}"),
                TranslateOptions.defaults()), "generationConfig");
        assertThat(gen).containsEntry("responseMimeType", "application/json").doesNotContainKey("responseJsonSchema");
    }
}
