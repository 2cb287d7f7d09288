package gemgate.core.translate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gemgate.core.error.ApiException;
import gemgate.core.gemini.GeminiResponse;
import gemgate.core.json.Json;
import gemgate.core.translate.TranslateOptions.ThoughtDisplay;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class GeminiToChatTest {
    static final String ID = "chatcmpl-test";
    static final long CREATED = 1_700_000_000L;
    static final String MODEL = "gemini-2.5-flash";

    static byte[] translate(GeminiResponse r, ThoughtDisplay display) {
        return GeminiToChat.completion(r, ID, CREATED, MODEL, display, new TestIds());
    }

    static byte[] translate(GeminiResponse r) {
        return translate(r, ThoughtDisplay.REASONING_CONTENT);
    }

    private static Map<String, Object> completion(String fixture) {
        return Json.asObject(Json.parse(translate(GeminiResponse.parse(Golden.bytes(fixture)))));
    }

    private static Map<String, Object> choice0(Map<String, Object> c) {
        return Json.asObject(Json.list(c, "choices").get(0));
    }

    @ParameterizedTest
    @ValueSource(strings = {"googleai/unary-success-basic-reply-short.json", "googleai/unary-success-basic-reply-long.json",
            "googleai/unary-success-thinking-reply-thought-summary.json",
            "googleai/unary-success-thinking-function-call-thought-summary-signature.json",
            "googleai/unary-success-code-execution.json", "googleai/unary-failure-finish-reason-safety.json",
            "googleai/unary-failure-only-prompt-feedback.json", "vertexai/unary-failure-empty-content.json",
            "vercel/issue-19758-prompt-block.json", "vercel/google-tool-call.json", "vercel/google-tool-call-gemini3.json",
            "vercel/google-reasoning.json", "vercel/google-reasoning-gemini3.json",
            "vercel/google-code-execution-multiple-results.json", "misc/generateContent-google-search-grounding-metadata.json",
            "misc/generateContent-parallel-function-calls-gemini-2.0-flash.json",
            "googleai/unary-success-google-search-grounding.json",
            "vertexai/unary-failure-prompt-blocked-safety-with-message.json",
            "vertexai/unary-success-function-call-parallel-calls.json",
            "vertexai/unary-success-function-call-mixed-content.json"})
    void completionsMatchGolden(String fixture) {
        GeminiResponse r = GeminiResponse.parse(Golden.bytes(fixture));
        Golden.check(fixture.substring(fixture.indexOf('/') + 1) + ".completion.json",
                Golden.pretty(translate(r)));
    }

    @Test
    void basicReplyHasContentStopAndUsage() {
        Map<String, Object> c = completion("googleai/unary-success-basic-reply-short.json");
        assertThat(c).containsEntry("id", ID).containsEntry("object", "chat.completion").containsEntry("created", CREATED)
                .as("model echoes what the client sent").containsEntry("model", MODEL);
        Map<String, Object> ch = choice0(c);
        assertThat(ch).containsEntry("finish_reason", "stop").containsEntry("index", 0L);
        assertThat(Json.str(Json.obj(ch, "message"), "content")).isNotBlank();
        Map<String, Object> usage = Json.obj(c, "usage");
        assertThat(usage.get("total_tokens")).isEqualTo((Long) usage.get("prompt_tokens") + (Long) usage.get("completion_tokens"));
    }

    @Test
    void thoughtsGoToReasoningNeverContent() {
        Map<String, Object> c = completion("googleai/unary-success-thinking-reply-thought-summary.json");
        Map<String, Object> msg = Json.obj(choice0(c), "message");
        assertThat(msg).as("only the answer is content").containsEntry("content", "Mountain View");
        assertThat(Json.str(msg, "reasoning_content")).startsWith("**Thinking About Google's Headquarters**");
        assertThat(Json.obj(c, "usage")).as("thoughts count as completion tokens and as reasoning tokens")
                .containsEntry("prompt_tokens", 14L).containsEntry("completion_tokens", 26L).containsEntry("total_tokens", 40L)
                .containsEntry("completion_tokens_details", Map.of("reasoning_tokens", 24L));
    }

    @Test
    void functionCallBecomesToolCalls() {
        String fixture = "googleai/unary-success-thinking-function-call-thought-summary-signature.json";
        Map<String, Object> ch = choice0(completion(fixture));
        assertThat(ch).containsEntry("finish_reason", "tool_calls");
        Map<String, Object> msg = Json.obj(ch, "message");
        assertThat(msg).as("content is null when the answer is only tool calls").containsEntry("content", null);
        List<Object> calls = Json.list(msg, "tool_calls");
        assertThat(calls).hasSize(1);
        Map<String, Object> call = Json.asObject(calls.get(0));
        assertThat(call).containsEntry("type", "function")
                .containsEntry("function", Json.object("name", "now", "arguments", "{}")).doesNotContainKey("index");
        String signature = Json.str(Json.asObject(Json.list(Json.obj(Json.asObject(Json.list(Json.parseObject(
                Golden.bytes(fixture)), "candidates").get(0)), "content"), "parts").get(1)), "thoughtSignature");
        assertThat(ToolCallIds.signatureOf(Json.str(call, "id"))).as("the call id carries the part's thoughtSignature")
                .isNotNull().isEqualTo(signature);
    }

    @Test
    void safetyFinishIsContentFilterAndNotEmpty() {
        GeminiResponse r = GeminiResponse.parse(Golden.bytes("googleai/unary-failure-finish-reason-safety.json"));
        assertThat(r.isEmpty()).as("a safety stop is an answer, not an empty one to retry").isFalse();
        assertThat(choice0(completion("googleai/unary-failure-finish-reason-safety.json"))).containsEntry("finish_reason", "content_filter");
    }

    @Test
    void blockedPromptIsAClearSentenceNeverEmpty() {
        GeminiResponse r = GeminiResponse.parse(Golden.bytes("vercel/issue-19758-prompt-block.json"));
        assertThat(r.blockReason()).isEqualTo("PROHIBITED_CONTENT");
        assertThat(r.isEmpty()).isFalse();
        Map<String, Object> ch = choice0(completion("vercel/issue-19758-prompt-block.json"));
        assertThat(ch).containsEntry("finish_reason", "content_filter");
        assertThat(Json.obj(ch, "message")).containsEntry("content", "Gemini blocked this prompt (reason: PROHIBITED_CONTENT).");
    }

    @Test
    void contentlessAnswersAreEmpty() {
        assertThat(GeminiResponse.parse(Golden.bytes("vertexai/unary-failure-empty-content.json")).isEmpty())
                .as("a candidate with content {} is empty").isTrue();
        assertThat(GeminiResponse.parse(Golden.bytes("googleai/unary-failure-only-prompt-feedback.json")).isEmpty())
                .as("no candidates and no block reason is empty").isTrue();
        assertThat(GeminiResponse.parse(bytes("{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"\",\"thoughtSignature\":\"x\"}]},\"finishReason\":\"STOP\"}]}")).isEmpty())
                .as("an empty text part holding a signature is no content").isTrue();
        assertThat(GeminiResponse.parse(bytes("{\"candidates\":[{\"content\":{\"parts\":[]},\"finishReason\":\"MAX_TOKENS\"}]}")).isEmpty())
                .as("MAX_TOKENS is not empty").isFalse();
        assertThat(GeminiResponse.parse(bytes("{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"hm\",\"thought\":true}]}}]}")).isEmpty())
                .as("thought text is content").isFalse();
    }

    @Test
    void maxTokensWithoutTextExplainsInsteadOfEmptyReply() {
        byte[] body = translate(GeminiResponse.parse(bytes(
                "{\"candidates\":[{\"content\":{\"role\":\"model\"},\"finishReason\":\"MAX_TOKENS\"}],"
                        + "\"usageMetadata\":{\"promptTokenCount\":5,\"totalTokenCount\":305,\"thoughtsTokenCount\":300}}")));
        Map<String, Object> ch = choice0(Json.asObject(Json.parse(body)));
        assertThat(ch).containsEntry("finish_reason", "length");
        assertThat(Json.str(Json.obj(ch, "message"), "content")).contains("MAX_TOKENS");
    }

    @Test
    void severalCandidatesAreSeveralChoicesWithCachedTokens() {
        byte[] body = translate(GeminiResponse.parse(bytes(
                "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"b\"}]},\"finishReason\":\"STOP\",\"index\":1},"
                        + "{\"content\":{\"parts\":[{\"text\":\"a\"}]},\"finishReason\":\"MAX_TOKENS\",\"index\":0}],"
                        + "\"usageMetadata\":{\"promptTokenCount\":5,\"candidatesTokenCount\":2,\"cachedContentTokenCount\":3}}")));
        Map<String, Object> c = Json.asObject(Json.parse(body));
        List<Object> choices = Json.list(c, "choices");
        assertThat(choices).hasSize(2);
        assertThat(Json.asObject(choices.get(0))).containsEntry("index", 0L).containsEntry("finish_reason", "length");
        assertThat(Json.obj(c, "usage")).as("total falls back to the sum").containsEntry("total_tokens", 7L)
                .containsEntry("prompt_tokens_details", Map.of("cached_tokens", 3L));
    }

    @Test
    void notAnObjectIsUpstreamFailure() {
        assertThatThrownBy(() -> GeminiResponse.parse(bytes("<html>"))).isInstanceOf(ApiException.class)
                .satisfies(e -> assertThat(((ApiException) e).error().status()).isEqualTo(502));
    }

    @Test
    void fakeStreamEventsAreProperChunks() {
        GeminiResponse r = GeminiResponse.parse(Golden.bytes("googleai/unary-success-thinking-reply-thought-summary.json"));
        List<byte[]> events = GeminiToChat.streamEvents(r, ID, CREATED, MODEL, true, ThoughtDisplay.REASONING_CONTENT, new TestIds());
        List<String> text = events.stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList();
        assertThat(text).as("content chunk, finish chunk, usage chunk, [DONE]").hasSize(4);
        assertThat(text).allSatisfy(e -> assertThat(e).as("every event is one complete data event").startsWith("data: ").endsWith("\n\n"));
        assertThat(text.get(0)).contains("\"delta\":{\"role\":\"assistant\",\"reasoning_content\":\"**Thinking")
                .contains("\"content\":\"Mountain View\"").contains("\"usage\":null");
        assertThat(text.get(1)).contains("\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"");
        assertThat(text.get(2)).contains("\"choices\":[]").contains("\"completion_tokens\":26");
        assertThat(text.get(3)).isEqualTo("data: [DONE]\n\n");
        Golden.check("unary-success-thinking-reply-thought-summary.json.fake.sse", String.join("", text));
        List<byte[]> noUsage = GeminiToChat.streamEvents(r, ID, CREATED, MODEL, false, ThoughtDisplay.REASONING_CONTENT, new TestIds());
        assertThat(noUsage).hasSize(3);
        assertThat(new String(noUsage.get(0), StandardCharsets.UTF_8)).doesNotContain("usage");
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
