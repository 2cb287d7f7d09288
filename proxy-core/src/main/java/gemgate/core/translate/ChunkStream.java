package gemgate.core.translate;

import gemgate.core.gemini.GeminiCandidate;
import gemgate.core.gemini.GeminiPart;
import gemgate.core.gemini.GeminiResponse;
import gemgate.core.gemini.GeminiUsage;
import gemgate.core.json.Json;
import gemgate.core.sse.Sse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Turns a sequence of Gemini responses (stream chunks, or one whole answer for fake streaming) into OpenAI chunk
 * events. The finish chunk is held back until {@link #finish}: Gemini may repeat finishReason on several chunks, and
 * OpenAI clients expect nothing after it. Output depends only on the responses given, never on timing.
 */
final class ChunkStream {
    private final String id;
    private final long created;
    private final String model;
    private final boolean includeUsage;
    private final Map<Integer, Choice> choices = new TreeMap<>();
    private GeminiUsage usage = GeminiUsage.NONE;
    private String blockReason;
    private boolean emittedAny;

    private static final class Choice {
        boolean roleSent;
        boolean hasContent;
        boolean sawToolCall;
        int toolCalls;
        String finishReason;
    }

    ChunkStream(String id, long created, String model, boolean includeUsage) {
        if (id == null || id.isEmpty() || model == null) {
            throw new IllegalArgumentException("id (non-empty) and model are required");
        }
        this.id = id;
        this.created = created;
        this.model = model;
        this.includeUsage = includeUsage;
    }

    void accept(GeminiResponse r, Consumer<byte[]> out) {
        if (r.hasUsage()) {
            usage = r.usage(); // cumulative on every chunk: the last one wins
        }
        if (r.blockReason() != null && blockReason == null) {
            blockReason = r.blockReason();
            Choice c = choice(0);
            if (!c.hasContent) {
                Map<String, Object> delta = delta(c);
                delta.put("content", FinishReasons.blockedPrompt(blockReason));
                c.hasContent = true;
                emit(out, 0, delta, null);
            }
        }
        for (GeminiCandidate cand : r.candidates()) {
            Choice c = choice(cand.index());
            Rendered rendered = Rendered.of(cand.parts());
            if (!rendered.isEmpty()) {
                Map<String, Object> delta = delta(c);
                if (!rendered.reasoning().isEmpty()) {
                    delta.put("reasoning_content", rendered.reasoning());
                }
                if (!rendered.content().isEmpty()) {
                    delta.put("content", rendered.content());
                }
                if (!rendered.calls().isEmpty()) {
                    List<Object> calls = new ArrayList<>();
                    for (GeminiPart.FunctionCall fc : rendered.calls()) {
                        int k = c.toolCalls++;
                        calls.add(Json.object("index", (long) k, "id", toolCallId(id, cand.index(), k), "type", "function",
                                "function", Json.object("name", fc.name(), "arguments", Json.writeString(fc.args()))));
                    }
                    delta.put("tool_calls", calls);
                    c.sawToolCall = true;
                }
                c.hasContent = true;
                emit(out, cand.index(), delta, null);
            }
            if (cand.finishReason() != null) {
                c.finishReason = cand.finishReason();
            }
        }
    }

    /** Emits the explanation for a contentless answer, the finish chunk per choice, the usage chunk and [DONE]. */
    void finish(Consumer<byte[]> out) {
        if (choices.isEmpty()) {
            choice(0);
        }
        for (Map.Entry<Integer, Choice> e : choices.entrySet()) {
            Choice c = e.getValue();
            String reason = c.finishReason;
            if (!c.hasContent) {
                String text = FinishReasons.explainNoContent(reason);
                if (text != null) {
                    Map<String, Object> delta = delta(c);
                    delta.put("content", text);
                    c.hasContent = true;
                    emit(out, e.getKey(), delta, null);
                }
            }
            String finish = blockReason != null && e.getKey() == 0 ? "content_filter" : FinishReasons.openAi(reason, c.sawToolCall);
            emit(out, e.getKey(), delta(c), finish);
        }
        if (includeUsage) {
            Map<String, Object> chunk = head();
            chunk.put("choices", List.of());
            chunk.put("usage", GeminiToChat.usageTree(usage));
            out.accept(Sse.data(Json.write(chunk)));
        }
        out.accept(Sse.DONE.clone());
        emittedAny = true;
    }

    boolean emittedAny() {
        return emittedAny;
    }

    /** No block, no content in any choice, and no finish reason that explains the silence. */
    boolean emptyAnswer() {
        if (blockReason != null) {
            return false;
        }
        for (Choice c : choices.values()) {
            if (c.hasContent || !GeminiResponse.isEmptyFinish(c.finishReason)) {
                return false;
            }
        }
        return true;
    }

    GeminiUsage usage() {
        return usage;
    }

    /** Deterministic, so output does not depend on input splits; unique because the completion id is. */
    static String toolCallId(String completionId, int choice, int k) {
        String base = completionId.startsWith("chatcmpl-") ? completionId.substring("chatcmpl-".length()) : completionId;
        return "call_" + base + "_" + choice + "_" + k;
    }

    private Choice choice(int index) {
        return choices.computeIfAbsent(index, i -> new Choice());
    }

    /** The first delta of a choice names the role; later ones carry only content. */
    private static Map<String, Object> delta(Choice c) {
        Map<String, Object> d = Json.object();
        if (!c.roleSent) {
            d.put("role", "assistant");
            c.roleSent = true;
        }
        return d;
    }

    private Map<String, Object> head() {
        return Json.object("id", id, "object", "chat.completion.chunk", "created", created, "model", model);
    }

    private void emit(Consumer<byte[]> out, int index, Map<String, Object> delta, String finishReason) {
        Map<String, Object> chunk = head();
        Map<String, Object> choice = Json.object("index", (long) index, "delta", delta, "logprobs", null,
                "finish_reason", finishReason);
        chunk.put("choices", List.of(choice));
        if (includeUsage) {
            chunk.put("usage", null);
        }
        emittedAny = true;
        out.accept(Sse.data(Json.write(chunk)));
    }
}
