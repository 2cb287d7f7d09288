package gemgate.core.translate;

import gemgate.core.gemini.GeminiCandidate;
import gemgate.core.gemini.GeminiPart;
import gemgate.core.json.Json;
import gemgate.core.translate.TranslateOptions.ThoughtDisplay;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * One choice's translation state, shared by whole answers and streams: turns a candidate's parts (the whole answer, or
 * one stream chunk at a time) into OpenAI pieces, and {@link #finish()} adds what only the end can say.
 *
 * <ul>
 *   <li>Thoughts go to reasoning_content, into content inside {@code <think>} tags (opened at the first thought, closed
 *       at the first output that is not a thought or at the end), or nowhere, per {@link ThoughtDisplay}.</li>
 *   <li>Function calls become tool calls with the next index and an id from {@code newId}, which embeds the call's
 *       thoughtSignature, or else that of an earlier non-call part of the same answer (Gemini 3 puts it on the first
 *       part of a turn). Streamed pieces of a call are collected and sent as one call when it is complete.</li>
 *   <li>Grounding sources are collected (de-duplicated by uri: Gemini repeats them on several chunks) and listed at the
 *       end; so is the sentence explaining a stop the client would otherwise not understand.</li>
 * </ul>
 * Output depends only on the candidates given, never on how a stream was split. Not thread-safe.
 */
final class ChoiceTranslator {
    static final String THINK_OPEN = "<think>\n";
    static final String THINK_CLOSE = "\n</think>\n\n";

    /** What one step produced; {@code logprobs} is null when the candidate carried none. */
    record Step(String reasoning, String content, List<Map<String, Object>> toolCalls, List<Object> logprobs) {
        boolean hasDelta() {
            return !reasoning.isEmpty() || !content.isEmpty() || !toolCalls.isEmpty();
        }
    }

    private final ThoughtDisplay display;
    private final Function<String, String> newId;
    private int toolCalls;
    private boolean answered;
    private boolean sawContent;
    private boolean contentShown;
    private boolean thinkOpen;
    private String pendingSignature;
    private StreamedCall partial;
    private String finishReason;
    private String finishMessage;
    private final Map<String, String> sources = new LinkedHashMap<>();
    private final Set<String> queries = new LinkedHashSet<>();

    ChoiceTranslator(ThoughtDisplay display, Function<String, String> newId) {
        this.display = display;
        this.newId = newId;
    }

    /** Translates one candidate (a whole answer, or one stream chunk of this choice). */
    Step accept(GeminiCandidate cand) {
        StringBuilder reasoning = new StringBuilder();
        StringBuilder content = new StringBuilder();
        List<Map<String, Object>> calls = new ArrayList<>();
        for (GeminiPart p : cand.parts()) {
            if (p.hasContent()) {
                sawContent = true;
            }
            if (p instanceof GeminiPart.FunctionCall fc) {
                call(fc, content, calls);
                continue;
            }
            if (p.thoughtSignature() != null) {
                pendingSignature = p.thoughtSignature();
            }
            if (p instanceof GeminiPart.Text t) {
                if (t.text().isEmpty()) {
                    continue; // a part that only holds a signature: nothing to show
                }
                if (t.thought()) {
                    thought(t.text(), reasoning, content);
                } else {
                    answer(t.text(), content);
                }
            } else if (p instanceof GeminiPart.InlineData d) {
                answer("\n\n![image](data:" + d.mimeType() + ";base64," + d.data() + ")\n\n", content);
            } else if (p instanceof GeminiPart.ExecutableCode c) {
                String lang = c.language() == null ? "" : c.language().toLowerCase(Locale.ROOT);
                answer("\n```" + (lang.equals("language_unspecified") ? "" : lang) + "\n" + endLine(c.code()) + "```\n", content);
            } else if (p instanceof GeminiPart.CodeExecutionResult r) {
                String outcome = r.outcome() == null || r.outcome().equals("OUTCOME_OK") ? ""
                        : "(" + r.outcome().toLowerCase(Locale.ROOT).replace("outcome_", "").replace('_', ' ') + ")\n";
                answer("\n" + outcome + "```\n" + endLine(r.output()) + "```\n", content);
            }
        }
        for (GeminiCandidate.Source s : cand.sources()) {
            sources.putIfAbsent(s.uri(), s.title());
        }
        queries.addAll(cand.searchQueries());
        if (cand.finishReason() != null) {
            finishReason = cand.finishReason();
            finishMessage = cand.finishMessage();
        }
        return new Step(reasoning.toString(), content.toString(), calls, logprobs(cand.logprobs()));
    }

    /**
     * The end of this choice: a call still being streamed, the closing think tag, the sentence for a stop that needs
     * one (or for an answer with nothing in it), and the grounding sources.
     */
    Step finish() {
        StringBuilder content = new StringBuilder();
        List<Map<String, Object>> calls = new ArrayList<>();
        completePartial(content, calls);
        closeThink(content);
        String note = answered ? FinishReasons.explainCutOff(finishReason, finishMessage)
                : FinishReasons.explainNoContent(finishReason, finishMessage);
        if (note != null) {
            show(note, content);
        }
        String sourceList = sourceList();
        if (!sourceList.isEmpty()) {
            show((contentShown ? "\n\n" : "") + sourceList, content);
        }
        return new Step("", content.toString(), calls, null);
    }

    /** Something real arrived for this choice (thoughts and tool calls included, whatever the display). */
    boolean hasContent() {
        return sawContent;
    }

    /** Visible content was already sent, so a later sentence (e.g. a block notice) is not needed. */
    boolean contentShown() {
        return contentShown;
    }

    /** Marks content shown by the caller (the prompt-block sentence). */
    void markShown() {
        contentShown = true;
        answered = true;
        sawContent = true;
    }

    int toolCallCount() {
        return toolCalls;
    }

    String finishReason() {
        return finishReason;
    }

    private void thought(String text, StringBuilder reasoning, StringBuilder content) {
        switch (display) {
            case REASONING_CONTENT -> reasoning.append(text);
            case THINK_TAGS -> {
                if (!thinkOpen) {
                    show(THINK_OPEN, content);
                    thinkOpen = true;
                }
                show(text, content);
            }
            case HIDDEN -> { }
        }
    }

    private void answer(String text, StringBuilder content) {
        closeThink(content);
        show(text, content);
        answered = true;
    }

    private void show(String text, StringBuilder content) {
        content.append(text);
        contentShown = true;
    }

    private void closeThink(StringBuilder content) {
        if (thinkOpen) {
            content.append(THINK_CLOSE);
            thinkOpen = false;
        }
    }

    private void call(GeminiPart.FunctionCall fc, StringBuilder content, List<Map<String, Object>> calls) {
        if (fc.name() != null) {
            completePartial(content, calls);
            if (fc.isComplete()) {
                emitCall(fc.name(), fc.args(), fc.thoughtSignature(), content, calls);
                return;
            }
            partial = new StreamedCall(fc.name(), fc.args(), fc.thoughtSignature());
        } else if (partial == null) {
            return; // a piece of a call whose name never came: nothing to attach it to
        } else if (partial.signature == null) {
            partial.signature = fc.thoughtSignature();
        }
        for (GeminiPart.PartialArg a : fc.partialArgs()) {
            partial.apply(a);
        }
        if (!fc.willContinue()) {
            completePartial(content, calls);
        }
    }

    private void completePartial(StringBuilder content, List<Map<String, Object>> calls) {
        if (partial != null) {
            StreamedCall c = partial;
            partial = null;
            emitCall(c.name, c.args, c.signature, content, calls);
        }
    }

    private void emitCall(String name, Map<String, Object> args, String signature, StringBuilder content,
                          List<Map<String, Object>> calls) {
        closeThink(content);
        String sig = signature;
        if (sig == null) {
            sig = pendingSignature;
        }
        pendingSignature = null; // one signature per turn: parallel calls after the first go without
        calls.add(Json.object("index", (long) toolCalls++, "id", newId.apply(sig), "type", "function",
                "function", Json.object("name", name, "arguments", Json.writeString(args))));
        answered = true;
    }

    /** "Sources:" with a numbered Markdown link per source, then the searches Gemini ran; "" when there are none. */
    private String sourceList() {
        StringBuilder sb = new StringBuilder();
        if (!sources.isEmpty()) {
            sb.append("Sources:");
            int n = 1;
            for (Map.Entry<String, String> e : sources.entrySet()) {
                String title = e.getValue() == null ? e.getKey() : e.getValue();
                sb.append('\n').append(n++).append(". [").append(escapeLinkText(title)).append("](")
                        .append(e.getKey().replace(" ", "%20").replace(")", "%29")).append(')');
            }
        }
        if (!queries.isEmpty()) {
            sb.append(sb.length() == 0 ? "" : "\n\n").append("Searched for: ").append(String.join("; ", queries));
        }
        return sb.toString();
    }

    /** The text with exactly one line end, so a closing fence follows it without a blank line. */
    private static String endLine(String s) {
        return s.endsWith("\n") ? s : s + "\n";
    }

    private static String escapeLinkText(String s) {
        return s.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]").replace("\n", " ");
    }

    /** OpenAI's logprobs.content entries, or null when Gemini sent no logprobsResult. */
    private static List<Object> logprobs(List<GeminiCandidate.TokenLogprob> lps) {
        if (lps == null) {
            return null;
        }
        List<Object> out = new ArrayList<>(lps.size());
        for (GeminiCandidate.TokenLogprob t : lps) {
            List<Object> top = new ArrayList<>(t.top().size());
            for (GeminiCandidate.TokenLogprob a : t.top()) {
                top.add(Json.object("token", a.token(), "logprob", a.logprob(), "bytes", bytes(a.token())));
            }
            out.add(Json.object("token", t.token(), "logprob", t.logprob(), "bytes", bytes(t.token()), "top_logprobs", top));
        }
        return out;
    }

    private static List<Object> bytes(String token) {
        byte[] b = token.getBytes(StandardCharsets.UTF_8);
        List<Object> out = new ArrayList<>(b.length);
        for (byte x : b) {
            out.add((long) (x & 0xff));
        }
        return out;
    }
}
