package gemgate.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.ResponseFormatJsonSchema;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionAssistantMessageParam;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionToolChoiceOption;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import gemgate.core.json.Json;
import gemgate.server.emulator.Behavior;
import gemgate.server.emulator.RecordedRequest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/**
 * Function tools and structured output through the official OpenAI Java SDK. Written against the OpenAI contract;
 * the translation work for issue 4 (tools, response_format) lands separately.
 */
@Disabled("enabled by the lead after the translation work merges")
class OpenAiSdkToolsE2ETest {
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

    private static Map<String, Object> lastGenerateBody() {
        List<RecordedRequest> all = h.emulator.requests();
        for (int i = all.size() - 1; i >= 0; i--) {
            if (all.get(i).path().endsWith("enerateContent")) {
                return Json.parseObject(all.get(i).body());
            }
        }
        throw new AssertionError("no generate call reached the emulator");
    }

    private static ChatCompletionFunctionTool weatherTool() {
        return ChatCompletionFunctionTool.builder().function(FunctionDefinition.builder()
                .name("get_weather")
                .description("Current weather for a city")
                .parameters(FunctionParameters.builder()
                        .putAdditionalProperty("type", JsonValue.from("object"))
                        .putAdditionalProperty("properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
                        .putAdditionalProperty("required", JsonValue.from(List.of("city")))
                        .putAdditionalProperty("additionalProperties", JsonValue.from(false))
                        .build())
                .build()).build();
    }

    @Test
    void functionToolRoundTrip() {
        h.emulator.script("test-key-good", Behavior.ok().withText("It is sunny in Paris."));
        ChatCompletionMessageFunctionToolCall call = ChatCompletionMessageFunctionToolCall.builder()
                .id("call_weather_1")
                .function(ChatCompletionMessageFunctionToolCall.Function.builder()
                        .name("get_weather").arguments("{\"city\":\"Paris\"}").build())
                .build();
        ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("gemini-2.5-flash")
                .addTool(weatherTool())
                .toolChoice(ChatCompletionToolChoiceOption.Auto.AUTO)
                .addUserMessage("What's the weather in Paris?")
                .addMessage(ChatCompletionAssistantMessageParam.builder().addToolCall(call).build())
                .addMessage(ChatCompletionToolMessageParam.builder().toolCallId("call_weather_1").content("{\"sky\":\"sunny\"}").build())
                .build());
        assertThat(c.choices().get(0).message().content()).contains("sunny");

        Map<String, Object> sent = lastGenerateBody();
        String body = Json.writeString(sent);
        assertThat(body).as("tools become functionDeclarations").contains("functionDeclarations", "get_weather");
        assertThat(body).as("the schema is cleaned to what Gemini accepts").doesNotContain("additionalProperties");
        List<Object> contents = Json.list(sent, "contents");
        assertThat(contents).hasSize(3);
        assertThat(Json.writeString(contents.get(1))).as("the assistant tool call becomes a functionCall turn")
                .contains("\"functionCall\"", "Paris");
        assertThat(Json.writeString(contents.get(2))).as("the tool result becomes a functionResponse right after it")
                .contains("\"functionResponse\"", "get_weather", "sunny");
    }

    @Test
    void responseFormatJsonSchema() {
        h.emulator.script("test-key-good", Behavior.ok().withText("{\"name\":\"Ada\",\"age\":36}"));
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
        assertThat(Json.writeString(gen)).as("and passes the schema").contains("\"age\"", "integer");
    }
}
