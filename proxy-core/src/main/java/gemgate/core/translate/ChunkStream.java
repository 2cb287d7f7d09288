package gemgate.core.translate;

import gemgate.core.gemini.GeminiCandidate;
import gemgate.core.gemini.GeminiResponse;
import gemgate.core.gemini.GeminiUsage;
import gemgate.core.json.Json;
import gemgate.core.sse.Sse;
import gemgate.core.translate.TranslateOptions.ThoughtDisplay;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Turns a sequence of Gemini responses (stream chunks, or one whole answer for fake streaming) into OpenAI chunk
 * events, one choice per candidate index. The finish chunk is held back until {@link #finish}: Gemini may repeat
 * finishReason on several chunks, and OpenAI clients expect nothing after it. Output depends only on the responses
 * given, never on timing or on how the bytes were split (tool call ids aside, which are random by design).
 */
final class ChunkStream {
    private final String id;
    private final long created;
    private final String model;
    private final boolean includeUsage;
    private final ThoughtDisplay display;
    private final Function<String, String> newToolCallId;
    private final Map<Integer, Choice> choices = new TreeMap<>();
    private GeminiUsage usage = GeminiUsage.NONE;
    private String blockReason;
    private boolean emittedAny;

    private static final class Choice {
        final ChoiceTranslator t;
        boolean roleSent;
        /** logprobs of chunks that produced no delta, sent with the next event of this choice. */
        List<Object> pendingLogprobs;

        Choice(ChoiceTranslator t) {
            this.t = t;
        }
    }

    ChunkStream(String id, long created, String model, boolean includeUsage, ThoughtDisplay display,
                Function<String, String> newToolCallId) {
        if (id == null || id.isEmpty() || model == null || display == null || newToolCallId == null) {
            throw new IllegalArgumentException("id (non-empty), model, display and newToolCallId are required");
        }
        this.id = id;
        this.created = created;
        this.model = model;
        this.includeUsage = includeUsage;
        this.display = display;
        this.newToolCallId = newToolCallId;
    }

    void accept(GeminiResponse r, Consumer<byte[]> out) {
        if (r.hasUsage()) {
            usage = r.usage(); // cumulative on every chunk: the last one wins
        }
        if (r.blockReason() != null && blockReason == null) {
            blockReason = r.blockReason();
            Choice c = choice(0);
            if (!c.t.contentShown()) {
                Map<String, Object> delta = delta(c);
                delta.put("content", FinishReasons.blockedPrompt(blockReason, r.blockReasonMessage()));
                c.t.markShown();
                emit(out, 0, c, delta, null);
            }
        }
        for (GeminiCandidate cand : r.candidates()) {
            Choice c = choice(cand.index());
            ChoiceTranslator.Step step = c.t.accept(cand);
            if (step.logprobs() != null) {
                if (c.pendingLogprobs == null) {
                    c.pendingLogprobs = new ArrayList<>();
                }
                c.pendingLogprobs.addAll(step.logprobs());
            }
            if (step.hasDelta()) {
                emit(out, cand.index(), c, stepDelta(c, step), null);
            }
        }
    }

    /** Emits each choice's closing content, its finish chunk, then the usage chunk and [DONE]. */
    void finish(Consumer<byte[]> out) {
        if (choices.isEmpty()) {
            choice(0);
        }
        for (Map.Entry<Integer, Choice> e : choices.entrySet()) {
            Choice c = e.getValue();
            ChoiceTranslator.Step step = c.t.finish();
            if (step.hasDelta()) {
                emit(out, e.getKey(), c, stepDelta(c, step), null);
            }
            String finish = blockReason != null && e.getKey() == 0 ? "content_filter"
                    : FinishReasons.openAi(c.t.finishReason(), c.t.toolCallCount() > 0);
            emit(out, e.getKey(), c, delta(c), finish);
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
            if (c.t.hasContent() || !GeminiResponse.isEmptyFinish(c.t.finishReason())) {
                return false;
            }
        }
        return true;
    }

    GeminiUsage usage() {
        return usage;
    }

    private Choice choice(int index) {
        return choices.computeIfAbsent(index, i -> new Choice(new ChoiceTranslator(display, newToolCallId)));
    }

    private Map<String, Object> stepDelta(Choice c, ChoiceTranslator.Step step) {
        Map<String, Object> delta = delta(c);
        if (!step.reasoning().isEmpty()) {
            delta.put("reasoning_content", step.reasoning());
        }
        if (!step.content().isEmpty()) {
            delta.put("content", step.content());
        }
        if (!step.toolCalls().isEmpty()) {
            delta.put("tool_calls", new ArrayList<Object>(step.toolCalls()));
        }
        return delta;
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

    private void emit(Consumer<byte[]> out, int index, Choice c, Map<String, Object> delta, String finishReason) {
        Object logprobs = null;
        if (c.pendingLogprobs != null) {
            logprobs = Json.object("content", c.pendingLogprobs, "refusal", null);
            c.pendingLogprobs = null;
        }
        Map<String, Object> chunk = head();
        Map<String, Object> choice = Json.object("index", (long) index, "delta", delta, "logprobs", logprobs,
                "finish_reason", finishReason);
        chunk.put("choices", List.of(choice));
        if (includeUsage) {
            chunk.put("usage", null);
        }
        emittedAny = true;
        out.accept(Sse.data(Json.write(chunk)));
    }
}
