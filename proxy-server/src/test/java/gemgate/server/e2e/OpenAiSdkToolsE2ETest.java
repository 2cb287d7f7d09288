package gemgate.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.ReasoningEffort;
import com.openai.models.ResponseFormatJsonObject;
import com.openai.models.ResponseFormatJsonSchema;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionAssistantMessageParam;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionContentPart;
import com.openai.models.chat.completions.ChatCompletionContentPartImage;
import com.openai.models.chat.completions.ChatCompletionContentPartText;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionMessage;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import com.openai.models.chat.completions.ChatCompletionNamedToolChoice;
import com.openai.models.chat.completions.ChatCompletionToolChoiceOption;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import gemgate.core.json.Json;
import gemgate.server.emulator.Behavior;
import gemgate.server.emulator.RecordedRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Function tools, thinking, structured output, several choices, search and images through the official OpenAI Java
 * SDK, as a user writes them. The emulator refuses what Google refuses (an unsigned Gemini 3 call, a thinkingConfig
 * for gemini-2.0-flash, misordered function turns), so each test also proves the upstream request was acceptable.
 */
class OpenAiSdkToolsE2ETest {
    /** Shaped like a real signature: base64 with '+' and '/', which must survive the trip through the tool call id. */
    static final String SIGNATURE = "EpEgCo4gAb4+9vvWwdN+NkNiCCwrqvFI8uf9IiD2A47Bm4Sga0kUTm4e/QuEnsZnNuSXJaINVVvc==";
    private static final String KEY = "test-key-good";
    private static Harness h;
    private static OpenAIClient client;

    @BeforeAll
    static void start() {
        h = Harness.start();
        client = OpenAiSdkE2ETest.sdk(h);
    }

    @AfterAll
    static void stop() {
        client.close();
        h.close();
    }

    @BeforeEach
    void forget() {
        h.emulator.reset();
    }

    static Map<String, Object> lastGenerateBody(Harness h) {
        List<RecordedRequest> all = h.emulator.requests();
        for (int i = all.size() - 1; i >= 0; i--) {
            if (all.get(i).path().endsWith("enerateContent")) {
                return Json.parseObject(all.get(i).body());
            }
        }
        throw new AssertionError("no generate call reached the emulator");
    }

    private static Map<String, Object> lastGenerateBody() {
        return lastGenerateBody(h);
    }

    private static Map<String, Object> part(Object content, int i) {
        return Json.asObject(Json.list(Json.asObject(content), "parts").get(i));
    }

    static ChatCompletionFunctionTool weatherTool() {
        return ChatCompletionFunctionTool.builder().function(FunctionDefinition.builder()
                .name("get_weather")
                .description("Current weather for a city")
                .parameters(FunctionParameters.builder()
                        .putAdditionalProperty("$schema", JsonValue.from("http://json-schema.org/draft-07/schema#"))
                        .putAdditionalProperty("type", JsonValue.from("object"))
                        .putAdditionalProperty("properties", JsonValue.from(Map.of("city",
                                Map.of("type", "string", "default", "Paris", "pattern", "^[A-Z]"))))
                        .putAdditionalProperty("required", JsonValue.from(List.of("city")))
                        .putAdditionalProperty("additionalProperties", JsonValue.from(false))
                        .build())
                .build()).build();
    }

    private static ChatCompletionCreateParams.Builder weatherQuestion(String model) {
        return ChatCompletionCreateParams.builder().model(model).addTool(weatherTool())
                .addUserMessage("What's the weather in Paris?");
    }

    private static ChatCompletionMessageFunctionToolCall onlyCall(ChatCompletionMessage m) {
        List<ChatCompletionMessageToolCall> calls = m.toolCalls().orElseThrow();
        assertThat(calls).hasSize(1);
        return calls.get(0).asFunction();
    }

    @Test
    void historyWithToolCallsBecomesFunctionCallThenFunctionResponse() {
        h.emulator.script(KEY, Behavior.ok().withText("It is sunny in Paris."));
        ChatCompletionMessageFunctionToolCall call = ChatCompletionMessageFunctionToolCall.builder()
                .id("call_weather_1")
                .function(ChatCompletionMessageFunctionToolCall.Function.builder()
                        .name("get_weather").arguments("{\"city\":\"Paris\"}").build())
                .build();
        ChatCompletion c = client.chat().completions().create(weatherQuestion("gemini-2.5-flash")
                .toolChoice(ChatCompletionToolChoiceOption.Auto.AUTO)
                .addMessage(ChatCompletionAssistantMessageParam.builder().addToolCall(call).build())
                .addMessage(ChatCompletionToolMessageParam.builder().toolCallId("call_weather_1").content("{\"sky\":\"sunny\"}").build())
                .build());
        assertThat(c.choices().get(0).message().content().orElseThrow()).contains("sunny");

        Map<String, Object> sent = lastGenerateBody();
        Map<String, Object> decl = Json.asObject(Json.list(Json.asObject(Json.list(sent, "tools").get(0)), "functionDeclarations").get(0));
        assertThat(decl).as("tools become functionDeclarations").containsEntry("name", "get_weather")
                .containsEntry("description", "Current weather for a city");
        Map<String, Object> schema = Json.obj(decl, "parametersJsonSchema");
        assertThat(schema).as("JSON Schema goes as parametersJsonSchema, which takes additionalProperties")
                .containsEntry("type", "object").containsEntry("required", List.of("city"))
                .containsEntry("additionalProperties", false).doesNotContainKey("$schema");
        assertThat(Json.obj(Json.obj(schema, "properties"), "city")).as("keywords Gemini rejects are cleaned away")
                .isEqualTo(Map.of("type", "string"));
        assertThat(Json.obj(Json.obj(sent, "toolConfig"), "functionCallingConfig")).containsEntry("mode", "AUTO");
        List<Object> contents = Json.list(sent, "contents");
        assertThat(contents).hasSize(3);
        assertThat(Json.obj(part(contents.get(1), 0), "functionCall")).as("the assistant tool call becomes a functionCall turn")
                .containsEntry("name", "get_weather").containsEntry("args", Map.of("city", "Paris"));
        assertThat(Json.asObject(contents.get(1))).containsEntry("role", "model");
        assertThat(part(contents.get(1), 0)).as("a 2.5 call the client made up gets no signature").doesNotContainKey("thoughtSignature");
        assertThat(Json.obj(part(contents.get(2), 0), "functionResponse")).as("the tool result is a functionResponse right after it")
                .containsEntry("name", "get_weather").containsEntry("response", Map.of("sky", "sunny"));
    }

    @Test
    void gemini3ToolRoundTripSendsTheSignatureBack() {
        h.emulator.script(KEY, Behavior.sequence(
                Behavior.functionCall("get_weather", "{\"city\":\"Paris\"}").withThoughtSignature(SIGNATURE),
                Behavior.ok().withText("Sunny, 21 degrees in Paris.")));
        ChatCompletion first = client.chat().completions().create(weatherQuestion("gemini-3-pro-preview").build());
        ChatCompletion.Choice choice = first.choices().get(0);
        assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        ChatCompletionMessageFunctionToolCall call = onlyCall(choice.message());
        assertThat(call.id()).as("tool calls have an id the client sends back").startsWith("call_");
        assertThat(call.function().name()).isEqualTo("get_weather");
        assertThat(Json.parseObject(call.function().arguments().getBytes())).containsEntry("city", "Paris");

        ChatCompletion second = client.chat().completions().create(weatherQuestion("gemini-3-pro-preview")
                .addMessage(choice.message())
                .addMessage(ChatCompletionToolMessageParam.builder().toolCallId(call.id()).content("{\"temp_c\":21}").build())
                .build());
        assertThat(second.choices().get(0).message().content()).hasValue("Sunny, 21 degrees in Paris.");

        List<Object> contents = Json.list(lastGenerateBody(), "contents");
        assertThat(contents).hasSize(3);
        assertThat(part(contents.get(1), 0)).as("Gemini 3 gets its own thoughtSignature back on the functionCall")
                .containsEntry("thoughtSignature", SIGNATURE).containsKey("functionCall");
        assertThat(Json.obj(part(contents.get(2), 0), "functionResponse")).as("and the tool result right after it")
                .containsEntry("name", "get_weather").containsEntry("response", Map.of("temp_c", 21L));
    }

    /** Real streaming (this class's proxy) and fake streaming (the default: one upstream call, sent as chunks). */
    private static void inBothStreamingModes(java.util.function.BiConsumer<Harness, OpenAIClient> test) {
        test.accept(h, client);
        try (Harness fake = Harness.start("FAKE_STREAMING", "true", "FAKE_STREAMING_INTERVAL", "0.2")) {
            OpenAIClient sdk = OpenAiSdkE2ETest.sdk(fake);
            try {
                test.accept(fake, sdk);
            } finally {
                sdk.close();
            }
        }
    }

    @Test
    void streamedParallelToolCallsAccumulateInTheSdkAndRoundTrip() {
        inBothStreamingModes(this::streamedParallelToolCalls);
    }

    private void streamedParallelToolCalls(Harness h, OpenAIClient client) {
        h.emulator.script(KEY, Behavior.sequence(
                Behavior.functionCall("get_weather", "{\"city\":\"Paris\"}").andFunctionCall("get_weather", "{\"city\":\"Tokyo\"}")
                        .withThoughtSignature(SIGNATURE),
                Behavior.ok().withText("Paris 21, Tokyo 18.").withChunks(2, Duration.ZERO)));
        ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
        List<Long> indexes = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(
                weatherQuestion("gemini-3-flash-preview").build())) {
            s.stream().forEach(chunk -> {
                acc.accumulate(chunk);
                chunk.choices().forEach(ch -> ch.delta().toolCalls().ifPresent(tcs -> tcs.forEach(tc -> indexes.add(tc.index()))));
            });
        }
        ChatCompletion streamed = acc.chatCompletion();
        assertThat(indexes).as("tool-call deltas carry OpenAI's index, one per call").containsExactly(0L, 1L);
        assertThat(streamed.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        List<ChatCompletionMessageToolCall> calls = streamed.choices().get(0).message().toolCalls().orElseThrow();
        assertThat(calls).hasSize(2);
        ChatCompletionMessageFunctionToolCall paris = calls.get(0).asFunction();
        ChatCompletionMessageFunctionToolCall tokyo = calls.get(1).asFunction();
        assertThat(Json.parseObject(paris.function().arguments().getBytes())).containsEntry("city", "Paris");
        assertThat(Json.parseObject(tokyo.function().arguments().getBytes())).containsEntry("city", "Tokyo");
        assertThat(paris.id()).isNotEqualTo(tokyo.id());

        StringBuilder answer = new StringBuilder();
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(
                weatherQuestion("gemini-3-flash-preview")
                        .addMessage(streamed.choices().get(0).message())
                        .addMessage(ChatCompletionToolMessageParam.builder().toolCallId(paris.id()).content("21").build())
                        .addMessage(ChatCompletionToolMessageParam.builder().toolCallId(tokyo.id()).content("18").build())
                        .build())) {
            s.stream().forEach(chunk -> chunk.choices().forEach(ch -> ch.delta().content().ifPresent(answer::append)));
        }
        assertThat(answer.toString()).isEqualTo("Paris 21, Tokyo 18.");
        List<Object> contents = Json.list(lastGenerateBody(h), "contents");
        assertThat(contents).hasSize(3);
        assertThat(part(contents.get(1), 0)).containsEntry("thoughtSignature", SIGNATURE);
        assertThat(Json.list(Json.asObject(contents.get(1)), "parts")).hasSize(2);
        assertThat(part(contents.get(1), 1)).as("parallel calls after the first went without a signature, and come back so")
                .doesNotContainKey("thoughtSignature");
        assertThat(Json.list(Json.asObject(contents.get(2)), "parts")).as("both results in the turn right after the calls")
                .hasSize(2);
        assertThat(Json.obj(part(contents.get(2), 1), "functionResponse")).containsEntry("response", Map.of("result", "18"));
    }

    @Test
    void toolChoiceRequiredAndNamed() {
        h.emulator.script(KEY, Behavior.functionCall("get_weather", "{\"city\":\"Oslo\"}"));
        ChatCompletion c = client.chat().completions().create(weatherQuestion("gemini-2.5-flash")
                .toolChoice(ChatCompletionToolChoiceOption.Auto.REQUIRED).build());
        assertThat(onlyCall(c.choices().get(0).message()).function().name()).isEqualTo("get_weather");
        assertThat(Json.obj(Json.obj(lastGenerateBody(), "toolConfig"), "functionCallingConfig"))
                .as("required is Gemini's ANY").isEqualTo(Map.of("mode", "ANY"));

        client.chat().completions().create(weatherQuestion("gemini-2.5-flash")
                .toolChoice(ChatCompletionNamedToolChoice.builder()
                        .function(ChatCompletionNamedToolChoice.Function.builder().name("get_weather").build()).build())
                .build());
        assertThat(Json.obj(Json.obj(lastGenerateBody(), "toolConfig"), "functionCallingConfig"))
                .isEqualTo(Map.of("mode", "ANY", "allowedFunctionNames", List.of("get_weather")));
    }

    @Test
    void responseFormatJsonSchemaAndJsonObject() {
        h.emulator.script(KEY, Behavior.ok().withText("{\"name\":\"Ada\",\"age\":36}"));
        ResponseFormatJsonSchema format = ResponseFormatJsonSchema.builder().jsonSchema(ResponseFormatJsonSchema.JsonSchema.builder()
                .name("person")
                .strict(true)
                .schema(ResponseFormatJsonSchema.JsonSchema.Schema.builder()
                        .putAdditionalProperty("type", JsonValue.from("object"))
                        .putAdditionalProperty("properties", JsonValue.from(Map.of(
                                "name", Map.of("type", "string"), "age", Map.of("type", "integer"))))
                        .putAdditionalProperty("required", JsonValue.from(List.of("name", "age")))
                        .putAdditionalProperty("additionalProperties", JsonValue.from(false))
                        .build())
                .build()).build();
        ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("gemini-2.5-flash").addUserMessage("Who wrote the first program?").responseFormat(format).build());
        Map<String, Object> parsed = Json.parseObject(c.choices().get(0).message().content().orElseThrow().getBytes());
        assertThat(parsed).containsEntry("name", "Ada");

        Map<String, Object> gen = Json.obj(lastGenerateBody(), "generationConfig");
        assertThat(gen).as("json_schema asks Gemini for JSON").containsEntry("responseMimeType", "application/json");
        Map<String, Object> schema = Json.obj(gen, "responseJsonSchema");
        assertThat(schema).as("and passes the schema as JSON Schema").containsEntry("required", List.of("name", "age"));
        assertThat(Json.obj(Json.obj(schema, "properties"), "age")).containsEntry("type", "integer");

        client.chat().completions().create(ChatCompletionCreateParams.builder().model("gemini-2.5-flash")
                .addUserMessage("JSON please").responseFormat(ResponseFormatJsonObject.builder().build()).build());
        Map<String, Object> objGen = Json.obj(lastGenerateBody(), "generationConfig");
        assertThat(objGen).containsEntry("responseMimeType", "application/json").doesNotContainKey("responseJsonSchema");
    }

    private static Map<String, Object> thinkingConfigFor(String model, ReasoningEffort effort) {
        ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder().model(model)
                .addUserMessage("think about it").reasoningEffort(effort).build());
        assertThat(c.choices()).hasSize(1);
        return Json.obj(Json.obj(lastGenerateBody(), "generationConfig"), "thinkingConfig");
    }

    @Test
    void reasoningEffortMapsPerModelFamily() {
        assertThat(thinkingConfigFor("gemini-2.5-flash", ReasoningEffort.LOW)).as("2.5 takes a token budget")
                .containsEntry("thinkingBudget", 1024L).doesNotContainKey("thinkingLevel");
        assertThat(thinkingConfigFor("gemini-2.5-flash", ReasoningEffort.NONE)).containsEntry("thinkingBudget", 0L);
        assertThat(thinkingConfigFor("gemini-2.5-flash", ReasoningEffort.MAX)).as("the SDK's efforts above high are high")
                .containsEntry("thinkingBudget", 24576L);
        assertThat(thinkingConfigFor("gemini-3-pro-preview", ReasoningEffort.HIGH)).as("3.x takes a level")
                .containsEntry("thinkingLevel", "HIGH").doesNotContainKey("thinkingBudget");
        assertThat(thinkingConfigFor("gemini-3-pro-preview", ReasoningEffort.MINIMAL))
                .as("3 Pro has no MINIMAL (Google 400s it): the lowest level it takes").containsEntry("thinkingLevel", "LOW");
        assertThat(thinkingConfigFor("gemini-2.0-flash", ReasoningEffort.HIGH))
                .as("a model that does not think gets no thinking config at all (hajimi #304)").isNull();
        assertThat(thinkingConfigFor("gemini-2.0-flash-thinking", ReasoningEffort.HIGH))
                .as("not even when the -thinking suffix asks for it").isNull();
    }

    @Test
    void reasoningContentReachesTheSdkAsAnExtraField() {
        h.emulator.script(KEY, Behavior.thinking().withThought("Weighing the options.").withText("Go left."));
        ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("gemini-2.5-flash").addUserMessage("left or right?").build());
        ChatCompletionMessage m = c.choices().get(0).message();
        assertThat(m.content()).hasValue("Go left.");
        assertThat(m._additionalProperties().get("reasoning_content").convert(String.class)).isEqualTo("Weighing the options.");
        assertThat(Json.obj(Json.obj(lastGenerateBody(), "generationConfig"), "thinkingConfig"))
                .as("thought summaries are asked for").containsEntry("includeThoughts", true);

        inBothStreamingModes((hh, sdk) -> {
            hh.emulator.script(KEY, Behavior.thinking().withThought("Weighing the options.").withText("Go left."));
            StringBuilder reasoning = new StringBuilder();
            StringBuilder content = new StringBuilder();
            try (StreamResponse<ChatCompletionChunk> s = sdk.chat().completions().createStreaming(ChatCompletionCreateParams.builder()
                    .model("gemini-2.5-flash").addUserMessage("left or right?").build())) {
                s.stream().forEach(chunk -> chunk.choices().forEach(ch -> {
                    JsonValue r = ch.delta()._additionalProperties().get("reasoning_content");
                    if (r != null) {
                        reasoning.append(r.convert(String.class));
                    }
                    ch.delta().content().ifPresent(content::append);
                }));
            }
            assertThat(reasoning.toString()).as("streamed thoughts come as reasoning_content deltas").isEqualTo("Weighing the options.");
            assertThat(content.toString()).isEqualTo("Go left.");
        });
    }

    @Test
    void nTwoGivesTwoChoices() {
        h.emulator.script(KEY, Behavior.ok().withText("Heads"));
        ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("gemini-2.5-flash").addUserMessage("flip a coin").n(2).build());
        assertThat(c.choices()).hasSize(2);
        assertThat(c.choices()).extracting(ChatCompletion.Choice::index).containsExactly(0L, 1L);
        assertThat(c.choices()).extracting(ch -> ch.message().content().orElse("")).containsExactly("Heads", "Heads #2");
        assertThat(Json.obj(lastGenerateBody(), "generationConfig")).containsEntry("candidateCount", 2L);

        inBothStreamingModes((hh, sdk) -> {
            hh.emulator.script(KEY, Behavior.ok().withText("Heads"));
            List<String> texts = new ArrayList<>(List.of("", ""));
            List<String> finishes = new ArrayList<>();
            try (StreamResponse<ChatCompletionChunk> s = sdk.chat().completions().createStreaming(ChatCompletionCreateParams.builder()
                    .model("gemini-2.5-flash").addUserMessage("flip a coin").n(2).build())) {
                s.stream().forEach(chunk -> chunk.choices().forEach(ch -> {
                    ch.delta().content().ifPresent(t -> texts.set((int) ch.index(), texts.get((int) ch.index()) + t));
                    ch.finishReason().ifPresent(f -> finishes.add(ch.index() + ":" + f.asString()));
                }));
            }
            assertThat(texts).as("streams keep the choices apart by index").containsExactly("Heads", "Heads #2");
            assertThat(finishes).as("each choice finishes once").containsExactlyInAnyOrder("0:stop", "1:stop");
        });
    }

    @Test
    void dataUriImageBecomesInlineData() {
        String png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
        ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder().model("gemini-2.5-flash")
                .addUserMessageOfArrayOfContentParts(List.of(
                        ChatCompletionContentPart.ofText(ChatCompletionContentPartText.builder().text("What is this?").build()),
                        ChatCompletionContentPart.ofImageUrl(ChatCompletionContentPartImage.builder()
                                .imageUrl(ChatCompletionContentPartImage.ImageUrl.builder().url("data:image/png;base64," + png).build())
                                .build())))
                .build());
        assertThat(c.choices().get(0).message().content()).isPresent();
        Object user = Json.list(lastGenerateBody(), "contents").get(0);
        assertThat(part(user, 0)).containsEntry("text", "What is this?");
        assertThat(Json.obj(part(user, 1), "inlineData")).as("the data URI is sent inline, bytes unchanged")
                .isEqualTo(Map.of("mimeType", "image/png", "data", png));
    }

    @Test
    void searchVariantSendsGoogleSearchAndListsTheSources() {
        try (Harness s = Harness.start("SEARCH_MODE", "true")) {
            OpenAIClient sdk = OpenAiSdkE2ETest.sdk(s);
            try {
                s.emulator.script(KEY, Behavior.grounded());
                ChatCompletion c = sdk.chat().completions().create(ChatCompletionCreateParams.builder()
                        .model("gemini-2.5-flash-search").addUserMessage("Weather and population of Tokyo?").build());
                String text = c.choices().get(0).message().content().orElseThrow();
                assertThat(text).as("the grounded answer, then its sources as readable links")
                        .startsWith("Right now, in Tokyo").contains("Sources:")
                        .contains("[worldpopulationreview.com](https://vertexaisearch.cloud.google.com/grounding-api-redirect/");
                Map<String, Object> sent = lastGenerateBody(s);
                assertThat(Json.list(sent, "tools")).as("the -search variant sends Google Search grounding")
                        .containsExactly(Map.of("googleSearch", Map.of()));
                assertThat(s.emulator.requests().get(s.emulator.requests().size() - 1).path())
                        .as("upstream gets the model without the suffix").endsWith("/models/gemini-2.5-flash:generateContent");

                StringBuilder streamed = new StringBuilder();
                try (StreamResponse<ChatCompletionChunk> st = sdk.chat().completions().createStreaming(ChatCompletionCreateParams.builder()
                        .model("gemini-2.5-flash-search").addUserMessage("Weather in Tokyo?").build())) {
                    st.stream().forEach(chunk -> chunk.choices().forEach(ch -> ch.delta().content().ifPresent(streamed::append)));
                }
                assertThat(streamed.toString()).contains("Sources:", "jagranjosh.com");
            } finally {
                sdk.close();
            }
        }
    }

    @Test
    void multiStepGemini3ToolUseWithRandomStringsStaysValid() {
        String sig2 = "U2Vjb25kU3RlcFNpZ25hdHVyZQ==";
        try (Harness r = Harness.start("RANDOM_STRING", "true")) {
            OpenAIClient sdk = OpenAiSdkE2ETest.sdk(r);
            try {
                r.emulator.script(KEY, Behavior.sequence(
                        Behavior.functionCall("get_weather", "{\"city\":\"Paris\"}").withThoughtSignature(SIGNATURE),
                        Behavior.functionCall("get_weather", "{\"city\":\"Lyon\"}").withThoughtSignature(sig2),
                        Behavior.ok().withText("Both sunny.")));
                ChatCompletionCreateParams.Builder conversation = weatherQuestion("gemini-3-pro-preview");
                for (String result : new String[] {"21", "23"}) {
                    ChatCompletionMessage m = sdk.chat().completions().create(conversation.build()).choices().get(0).message();
                    conversation.addMessage(m).addMessage(ChatCompletionToolMessageParam.builder()
                            .toolCallId(onlyCall(m).id()).content(result).build());
                }
                ChatCompletion last = sdk.chat().completions().create(conversation.build());
                assertThat(last.choices().get(0).message().content()).as("every step was accepted (signed, in order)")
                        .hasValue("Both sunny.");
                List<Object> contents = Json.list(lastGenerateBody(r), "contents");
                List<String> signatures = new ArrayList<>();
                for (int i = 0; i < contents.size(); i++) {
                    Map<String, Object> p0 = part(contents.get(i), 0);
                    if (p0.containsKey("functionCall")) {
                        signatures.add(Json.str(p0, "thoughtSignature"));
                        assertThat(part(contents.get(i + 1), 0)).as("random text never separates a call from its result")
                                .containsKey("functionResponse");
                    }
                }
                assertThat(signatures).as("each step's call carries its own signature").containsExactly(SIGNATURE, sig2);
                assertThat(contents).as("two random user turns were added").hasSize(7);
            } finally {
                sdk.close();
            }
        }
    }
}
