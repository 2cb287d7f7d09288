package gemgate.core.translate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gemgate.core.error.ApiException;
import gemgate.core.json.Json;
import gemgate.core.translate.TranslateOptions.ThoughtDisplay;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class StreamTranslatorTest {
    private static final int MAX = 1 << 20;

    /** A recorded stream as Gemini sends it; vercel *.chunks.txt lines are framed as "data: ...\r\n\r\n". */
    static byte[] upstream(String fixture) {
        if (!fixture.endsWith(".chunks.txt")) {
            return Golden.bytes(fixture);
        }
        StringBuilder sb = new StringBuilder();
        for (String line : Golden.text(fixture).split("\n")) {
            if (!line.isBlank()) {
                sb.append("data: ").append(line).append("\r\n\r\n");
            }
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static StreamTranslator translator(boolean includeUsage) {
        return translator(includeUsage, ThoughtDisplay.REASONING_CONTENT);
    }

    private static StreamTranslator translator(boolean includeUsage, ThoughtDisplay display) {
        return new StreamTranslator(GeminiToChatTest.ID, GeminiToChatTest.CREATED, GeminiToChatTest.MODEL, includeUsage, MAX,
                display, new TestIds());
    }

    /** Feeds the input in the given pieces and returns everything emitted, plus the translator for its state. */
    static Result run(byte[] in, int... cuts) {
        return run(ThoughtDisplay.REASONING_CONTENT, in, cuts);
    }

    static Result run(ThoughtDisplay display, byte[] in, int... cuts) {
        StreamTranslator t = translator(true, display);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<byte[]> events = new ArrayList<>();
        int prev = 0;
        for (int cut : cuts) {
            t.feed(in, prev, cut - prev, events::add);
            prev = cut;
        }
        t.feed(in, prev, in.length - prev, events::add);
        t.finish(events::add);
        for (byte[] e : events) {
            out.writeBytes(e);
        }
        return new Result(t, events, out.toString(StandardCharsets.UTF_8));
    }

    record Result(StreamTranslator t, List<byte[]> events, String text) {}

    @ParameterizedTest
    @ValueSource(strings = {"googleai/streaming-success-basic-reply-short.txt", "googleai/streaming-success-basic-reply-long.txt",
            "googleai/streaming-success-thinking-reply-thought-summary.txt",
            "googleai/streaming-success-thinking-function-call-thought-summary-signature.txt",
            "googleai/streaming-success-empty-parts.txt", "googleai/streaming-success-no-content-parts.txt",
            "googleai/streaming-failure-prompt-blocked-safety.txt", "googleai/streaming-failure-recitation-no-content.txt",
            "vertexai/streaming-success-utf8.txt", "vertexai/streaming-failure-error-mid-stream.txt",
            "vertexai/streaming-failure-empty-content.txt", "vertexai/streaming-success-function-call-short.txt",
            "vercel/google-reasoning.chunks.txt", "vercel/google-text.chunks.txt", "vercel/google-tool-call.chunks.txt",
            "vercel/issue-18073-empty-text-thought-signature.chunks.txt", "vercel/google-tool-call-gemini3.chunks.txt",
            "vercel/google-stream-tool-call-arguments.chunks.txt", "vercel/google-stream-no-args-tool-call.chunks.txt",
            "vercel/google-reasoning-gemini3.chunks.txt", "vercel/issue-19822-google-search-live.chunks.txt",
            "vercel/gemma-4-output-usage.chunks.txt", "googleai/streaming-success-url-context.txt",
            "googleai/streaming-success-code-execution.txt"})
    void outputMatchesGoldenAndIgnoresHowInputIsSplit(String fixture) {
        byte[] in = upstream(fixture);
        Result whole = splitInvariant(ThoughtDisplay.REASONING_CONTENT, in);
        Golden.check(fixture.substring(fixture.indexOf('/') + 1) + ".sse", whole.text());
        assertWellFormed(whole);
    }

    @ParameterizedTest
    @CsvSource({"googleai/streaming-success-thinking-reply-thought-summary.txt, THINK_TAGS",
            "googleai/streaming-success-thinking-reply-thought-summary.txt, HIDDEN",
            "vercel/gemma-4-output-usage.chunks.txt, THINK_TAGS", "vercel/gemma-4-output-usage.chunks.txt, HIDDEN",
            "vercel/google-stream-no-args-tool-call.chunks.txt, THINK_TAGS"})
    void thoughtDisplayModesMatchGoldenAndIgnoreSplits(String fixture, ThoughtDisplay display) {
        byte[] in = upstream(fixture);
        Result whole = splitInvariant(display, in);
        Golden.check(fixture.substring(fixture.indexOf('/') + 1) + "." + display.name().toLowerCase(java.util.Locale.ROOT)
                + ".sse", whole.text());
        assertWellFormed(whole);
        assertThat(whole.text()).as("only REASONING_CONTENT mode uses the reasoning_content field").doesNotContain("reasoning_content");
    }

    /** Runs the input whole, split at every point, and byte by byte; asserts all outputs are identical. */
    static Result splitInvariant(ThoughtDisplay display, byte[] in) {
        Result whole = run(display, in);
        for (int cut = 0; cut <= in.length; cut++) {
            assertThat(run(display, in, cut).text()).as("output must be byte-identical when input is split at %d", cut)
                    .isEqualTo(whole.text());
        }
        int[] every = new int[in.length];
        for (int i = 0; i < in.length; i++) {
            every[i] = i;
        }
        assertThat(run(display, in, every).text()).as("byte-by-byte feeding gives the same output").isEqualTo(whole.text());
        return whole;
    }

    /** The rules every OpenAI stream we send must keep, whatever Gemini sent. */
    static void assertWellFormed(Result r) {
        if (r.t().upstreamError() != null) {
            return;
        }
        List<String> events = r.events().stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList();
        assertThat(events.get(events.size() - 1)).as("[DONE] comes last, once").isEqualTo("data: [DONE]\n\n");
        assertThat(r.text().split("data: \\[DONE]", -1)).hasSize(2);
        boolean roleSeen = false;
        boolean finishSeen = false;
        for (int i = 0; i < events.size() - 1; i++) {
            String e = events.get(i);
            assertThat(e).as("one complete data event, never empty").startsWith("data: {").endsWith("}\n\n");
            Map<String, Object> chunk = Json.asObject(Json.parse(e.substring(6).trim()));
            assertThat(chunk).containsEntry("id", "chatcmpl-test").containsEntry("object", "chat.completion.chunk")
                    .containsEntry("created", 1_700_000_000L).containsEntry("model", "gemini-2.5-flash").containsKey("usage");
            List<Object> choices = Json.list(chunk, "choices");
            if (choices.isEmpty()) {
                assertThat(i).as("the usage chunk comes right before [DONE]").isEqualTo(events.size() - 2);
                assertThat(Json.obj(chunk, "usage")).containsKeys("prompt_tokens", "completion_tokens", "total_tokens");
                continue;
            }
            assertThat(finishSeen).as("nothing follows the finish chunk but usage and [DONE]").isFalse();
            Map<String, Object> choice = Json.asObject(choices.get(0));
            Map<String, Object> delta = Json.obj(choice, "delta");
            assertThat(choice).containsKeys("logprobs", "finish_reason");
            assertThat(delta.containsKey("role")).as("role comes with the first delta only").isEqualTo(!roleSeen);
            roleSeen = true;
            if (choice.get("finish_reason") != null) {
                finishSeen = true;
            } else {
                assertThat(delta.keySet()).as("a content delta carries something").isNotEmpty();
                assertThat(delta.get("content")).as("no empty content delta").isNotEqualTo("");
            }
        }
        assertThat(finishSeen).as("every stream ends with a finish chunk").isTrue();
    }

    @Test
    void utf8SplitAcrossFeedsSurvives() {
        Result r = run(upstream("vertexai/streaming-success-utf8.txt"));
        assertThat(r.text()).contains("秋风瑟瑟").doesNotContain("\uFFFD");
    }

    @Test
    void thoughtsStreamAsReasoningAndSignatureOnlyChunkEmitsNoEmptyDelta() {
        Result r = run(upstream("vercel/issue-18073-empty-text-thought-signature.chunks.txt"));
        assertThat(r.events()).as("content chunk, finish chunk, usage chunk, [DONE]; nothing for the signature-only part").hasSize(4);
        Result thinking = run(upstream("googleai/streaming-success-thinking-reply-thought-summary.txt"));
        assertThat(thinking.text()).contains("\"reasoning_content\":");
        assertThat(thinking.t().completionTokens()).as("thought tokens count as completion tokens")
                .isGreaterThan(0);
    }

    @Test
    void toolCallsCarryIndexAndFinishWithToolCalls() {
        Result r = run(upstream("vercel/google-tool-call.chunks.txt"));
        assertThat(r.text()).contains("\"tool_calls\":[{\"index\":0,\"id\":\"call_0000000000000001_ts_")
                .contains("\"type\":\"function\",\"function\":"
                + "{\"name\":\"weather\",\"arguments\":\"{\\\"location\\\":\\\"San Francisco\\\"}\"}}]")
                .contains("\"finish_reason\":\"tool_calls\"");
    }

    @Test
    void blockedPromptStreamsASentenceAndContentFilter() {
        Result r = run(upstream("googleai/streaming-failure-prompt-blocked-safety.txt"));
        assertThat(r.text()).contains("\"delta\":{\"role\":\"assistant\",\"content\":\"Gemini blocked this prompt (reason: SAFETY).\"}")
                .contains("\"finish_reason\":\"content_filter\"");
        assertThat(r.t().emptyAnswer()).isFalse();
    }

    @Test
    void emptyStreamIsDetectableBeforeAnythingIsEmitted() {
        StreamTranslator t = translator(false);
        List<byte[]> out = new ArrayList<>();
        byte[] in = upstream("vertexai/streaming-failure-empty-content.txt");
        t.feed(in, 0, in.length, out::add);
        assertThat(t.emittedAny()).as("nothing real arrived, so nothing went out and the attempt can be retried").isFalse();
        assertThat(out).isEmpty();
        assertThat(t.emptyAnswer()).isTrue();
        byte[] sig = upstream("vercel/issue-18073-empty-text-thought-signature.chunks.txt");
        String onlyLast = new String(sig, StandardCharsets.UTF_8);
        byte[] last = onlyLast.substring(onlyLast.indexOf("data: ", 5)).getBytes(StandardCharsets.UTF_8);
        StreamTranslator t2 = translator(false);
        t2.feed(last, 0, last.length, out::add);
        assertThat(t2.emittedAny()).as("an empty text part holding a signature is nothing real").isFalse();
        assertThat(t2.emptyAnswer()).isTrue();
    }

    @Test
    void bareJsonErrorAfterEventsIsReportedAndNotFinished() {
        Result r = run(upstream("vertexai/streaming-failure-error-mid-stream.txt"));
        assertThat(r.t().upstreamError()).as("the appended error body is detected").isNotNull();
        assertThat(r.t().upstreamError().message()).contains("The operation was cancelled.");
        assertThat(r.text()).as("no [DONE] after an upstream error: the caller sends its error event").doesNotContain("[DONE]")
                .contains("First ").contains("Second ");
    }

    @Test
    void errorObjectAsDataPayloadIsReported() {
        StreamTranslator t = translator(true);
        List<byte[]> out = new ArrayList<>();
        byte[] in = "data: {\"error\":{\"code\":429,\"message\":\"Resource exhausted\",\"status\":\"RESOURCE_EXHAUSTED\"}}\r\n\r\n"
                .getBytes(StandardCharsets.UTF_8);
        t.feed(in, 0, in.length, out::add);
        t.finish(out::add);
        assertThat(t.upstreamError()).isNotNull();
        assertThat(t.upstreamError().message()).contains("Resource exhausted");
        assertThat(out).isEmpty();
    }

    @Test
    void oversizeEventThrows() {
        StreamTranslator t = new StreamTranslator("chatcmpl-x", 1, "m", false, 64, TranslateOptions.defaults());
        byte[] in = ("data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"" + "x".repeat(100) + "\"}]}}]}\n\n")
                .getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> t.feed(in, 0, in.length, e -> { })).isInstanceOf(ApiException.class);
    }

    @Test
    void tokenCountsComeFromTheLastUsageMetadata() {
        StreamTranslator t = run(upstream("googleai/streaming-success-basic-reply-short.txt")).t();
        assertThat(t.totalTokens()).isEqualTo(t.promptTokens() + t.completionTokens());
        assertThat(t.promptTokens()).isEqualTo(7);
    }
}
