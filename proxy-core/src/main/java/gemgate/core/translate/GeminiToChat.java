package gemgate.core.translate;

import gemgate.core.gemini.GeminiCandidate;
import gemgate.core.gemini.GeminiPart;
import gemgate.core.gemini.GeminiResponse;
import gemgate.core.gemini.GeminiUsage;
import gemgate.core.json.Json;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Gemini answer to OpenAI chat.completion (and, for fake streaming, to the equivalent chunk events). One choice per
 * candidate; thought text goes to reasoning_content, never into content; a blocked prompt becomes one choice with a
 * sentence saying so and finish_reason content_filter, never an empty reply.
 */
public final class GeminiToChat {
    private GeminiToChat() {}

    /** A complete OpenAI chat.completion JSON body. */
    public static byte[] completion(GeminiResponse resp, String id, long createdEpochSeconds, String model) {
        List<Object> choices = new ArrayList<>();
        List<GeminiCandidate> cands = new ArrayList<>(resp.candidates());
        cands.sort(Comparator.comparingInt(GeminiCandidate::index));
        if (cands.isEmpty()) {
            String text = resp.blockReason() == null ? "" : FinishReasons.blockedPrompt(resp.blockReason());
            choices.add(choice(0, message(text, "", List.of()), resp.blockReason() == null ? "stop" : "content_filter"));
        }
        for (GeminiCandidate c : cands) {
            Rendered r = Rendered.of(c.parts());
            List<Object> calls = new ArrayList<>();
            for (int k = 0; k < r.calls().size(); k++) {
                GeminiPart.FunctionCall fc = r.calls().get(k);
                calls.add(Json.object("id", ChunkStream.toolCallId(id, c.index(), k), "type", "function",
                        "function", Json.object("name", fc.name(), "arguments", Json.writeString(fc.args()))));
            }
            String content = r.content();
            if (content.isEmpty() && calls.isEmpty()) {
                String explain = FinishReasons.explainNoContent(c.finishReason());
                if (explain != null && r.reasoning().isEmpty()) {
                    content = explain;
                }
            }
            choices.add(choice(c.index(), message(calls.isEmpty() || !content.isEmpty() ? content : null, r.reasoning(), calls),
                    FinishReasons.openAi(c.finishReason(), !calls.isEmpty())));
        }
        Map<String, Object> body = Json.object("id", id, "object", "chat.completion", "created", createdEpochSeconds,
                "model", model, "choices", choices, "usage", usageTree(resp.usage()));
        return Json.write(body);
    }

    /**
     * For fake streaming: the whole answer as OpenAI chunk events, each one complete SSE event: the first content
     * chunk (with role), the finish chunk, the usage chunk when includeUsage, and {@code data: [DONE]}.
     */
    public static List<byte[]> streamEvents(GeminiResponse resp, String id, long createdEpochSeconds, String model,
                                            boolean includeUsage) {
        List<byte[]> events = new ArrayList<>();
        ChunkStream s = new ChunkStream(id, createdEpochSeconds, model, includeUsage);
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

    private static Map<String, Object> choice(int index, Map<String, Object> message, String finishReason) {
        return Json.object("index", (long) index, "message", message, "logprobs", null, "finish_reason", finishReason);
    }
}
