package gemgate.core.translate;

import gemgate.core.gemini.GeminiCandidate;
import gemgate.core.gemini.GeminiResponse;
import gemgate.core.gemini.GeminiUsage;
import gemgate.core.json.Json;
import gemgate.core.translate.TranslateOptions.ThoughtDisplay;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Gemini answer to OpenAI chat.completion (and, for fake streaming, to the equivalent chunk events). One choice per
 * candidate (see {@link ChoiceTranslator} for parts, thoughts, tool calls, sources and notes); logprobsResult becomes
 * logprobs.content; a blocked prompt becomes one choice with a sentence saying so and finish_reason content_filter,
 * never an empty reply.
 */
public final class GeminiToChat {
    private GeminiToChat() {}

    /**
     * A complete OpenAI chat.completion JSON body. Thoughts are shown as {@code options.thoughtDisplay()} says; tool
     * call ids come from {@link ToolCallIds#newId} and carry the call's thoughtSignature.
     */
    public static byte[] completion(GeminiResponse resp, String id, long createdEpochSeconds, String model,
                                    TranslateOptions options) {
        return completion(resp, id, createdEpochSeconds, model, options.thoughtDisplay(), ToolCallIds::newId);
    }

    static byte[] completion(GeminiResponse resp, String id, long createdEpochSeconds, String model,
                             ThoughtDisplay display, Function<String, String> newToolCallId) {
        List<Object> choices = new ArrayList<>();
        List<GeminiCandidate> cands = new ArrayList<>(resp.candidates());
        cands.sort(Comparator.comparingInt(GeminiCandidate::index));
        if (cands.isEmpty()) {
            String text = resp.blockReason() == null ? ""
                    : FinishReasons.blockedPrompt(resp.blockReason(), resp.blockReasonMessage());
            choices.add(choice(0, message(text, "", List.of()), null, resp.blockReason() == null ? "stop" : "content_filter"));
        }
        for (GeminiCandidate c : cands) {
            ChoiceTranslator t = new ChoiceTranslator(display, newToolCallId);
            ChoiceTranslator.Step body = t.accept(c);
            ChoiceTranslator.Step end = t.finish();
            List<Object> calls = new ArrayList<>();
            for (ChoiceTranslator.Step s : List.of(body, end)) {
                for (Map<String, Object> call : s.toolCalls()) {
                    Map<String, Object> noIndex = Json.object();
                    noIndex.putAll(call);
                    noIndex.remove("index"); // only stream deltas carry an index
                    calls.add(noIndex);
                }
            }
            String content = body.content() + end.content();
            Object logprobs = body.logprobs() == null ? null : Json.object("content", body.logprobs(), "refusal", null);
            choices.add(choice(c.index(), message(calls.isEmpty() || !content.isEmpty() ? content : null, body.reasoning(), calls),
                    logprobs, FinishReasons.openAi(c.finishReason(), !calls.isEmpty())));
        }
        Map<String, Object> body = Json.object("id", id, "object", "chat.completion", "created", createdEpochSeconds,
                "model", model, "choices", choices, "usage", usageTree(resp.usage()));
        return Json.write(body);
    }

    /**
     * For fake streaming: the whole answer as OpenAI chunk events, each one complete SSE event: the first content
     * chunk (with role), the closing content (sources, notes) when there is any, the finish chunk, the usage chunk
     * when includeUsage, and {@code data: [DONE]}.
     */
    public static List<byte[]> streamEvents(GeminiResponse resp, String id, long createdEpochSeconds, String model,
                                            boolean includeUsage, TranslateOptions options) {
        return streamEvents(resp, id, createdEpochSeconds, model, includeUsage, options.thoughtDisplay(), ToolCallIds::newId);
    }

    static List<byte[]> streamEvents(GeminiResponse resp, String id, long createdEpochSeconds, String model,
                                     boolean includeUsage, ThoughtDisplay display, Function<String, String> newToolCallId) {
        List<byte[]> events = new ArrayList<>();
        ChunkStream s = new ChunkStream(id, createdEpochSeconds, model, includeUsage, display, newToolCallId);
        s.accept(resp, events::add);
        s.finish(events::add);
        return events;
    }

    /** OpenAI usage: reasoning (thought) tokens count as completion tokens, as OpenAI counts them. */
    static Map<String, Object> usageTree(GeminiUsage u) {
        Map<String, Object> m = Json.object("prompt_tokens", u.prompt(), "completion_tokens", u.completionTokens(),
                "total_tokens", u.totalTokens());
        if (u.cached() >= 0) {
            m.put("prompt_tokens_details", Json.object("cached_tokens", u.cached()));
        }
        m.put("completion_tokens_details", Json.object("reasoning_tokens", u.thoughts()));
        return m;
    }

    private static Map<String, Object> message(String content, String reasoning, List<Object> calls) {
        Map<String, Object> m = Json.object("role", "assistant", "content", content);
        if (!reasoning.isEmpty()) {
            m.put("reasoning_content", reasoning);
        }
        if (!calls.isEmpty()) {
            m.put("tool_calls", calls);
        }
        return m;
    }

    private static Map<String, Object> choice(int index, Map<String, Object> message, Object logprobs, String finishReason) {
        return Json.object("index", (long) index, "message", message, "logprobs", logprobs, "finish_reason", finishReason);
    }
}
