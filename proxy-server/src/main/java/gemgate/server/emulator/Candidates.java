package gemgate.server.emulator;

import gemgate.core.json.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The parts of an answer beyond plain text, filled into the recorded {@link Samples}: function calls (with Gemini 3's
 * thoughtSignature), Google Search grounding, and several candidates for {@code candidateCount} > 1. Pure.
 */
final class Candidates {
    private final Samples samples;

    Candidates(Samples samples) {
        this.samples = samples;
    }

    /**
     * The behaviour's functionCall parts, in order. The first carries a thoughtSignature when the behaviour sets one,
     * or, on a Gemini 3 model, the recorded one: Google signs the first call of every step there (and only the first
     * of parallel calls).
     */
    List<Object> callParts(Behavior b, String model) {
        String signature = b.thoughtSignature != null ? b.thoughtSignature
                : RequestChecks.isGemini3(model) ? samples.toolCallSignature : null;
        List<Object> parts = new ArrayList<>(b.calls.size());
        for (int i = 0; i < b.calls.size(); i++) {
            Behavior.Call c = b.calls.get(i);
            Map<String, Object> part = Json.object("functionCall",
                    Json.object("name", c.name(), "args", WireJson.copy(c.args())));
            if (i == 0 && signature != null) {
                part.put("thoughtSignature", signature);
            }
            parts.add(part);
        }
        return parts;
    }

    /** Output tokens for the calls: about one per four characters of their JSON. */
    static int callTokens(Behavior b) {
        int chars = 0;
        for (Behavior.Call c : b.calls) {
            chars += c.name().length() + Json.writeString(c.args()).length();
        }
        return Answers.tokens(chars);
    }

    /**
     * A streamed function-call answer as recorded (vercel google-tool-call-gemini3.chunks.txt): the thought summary
     * when there is one, then one event per call (no finishReason), then an event with an empty text part and the
     * finishReason. modelVersion and responseId are set by the caller.
     */
    List<Map<String, Object>> callEvents(Behavior b, String model, int promptTokens) {
        List<Map<String, Object>> events = new ArrayList<>();
        Map<String, Object> callTemplate = samples.toolCallEvents.get(0);
        Map<String, Object> endTemplate = samples.toolCallEvents.get(samples.toolCallEvents.size() - 1);
        int thoughts = b.thought == null ? 0 : Answers.tokens(b.thought.length());
        if (b.thought != null) {
            Map<String, Object> e = WireJson.copy(callTemplate);
            Samples.firstCandidateContent(e).put("parts", List.of(Json.object("text", b.thought, "thought", true)));
            e.put("usageMetadata", Answers.usage(promptTokens, 0, thoughts, false));
            events.add(e);
        }
        int out = callTokens(b);
        for (Object part : callParts(b, model)) {
            Map<String, Object> e = WireJson.copy(callTemplate);
            Samples.firstCandidateContent(e).put("parts", List.of(part));
            e.put("usageMetadata", Answers.usage(promptTokens, out, thoughts, false));
            events.add(e);
        }
        Map<String, Object> end = WireJson.copy(endTemplate);
        Samples.firstCandidateContent(end).put("parts", List.of(Json.object("text", "")));
        end.put("usageMetadata", Answers.usage(promptTokens, out, thoughts, false));
        events.add(end);
        return events;
    }

    String recordedGroundedText() {
        return Json.str(Json.asObject(Json.list(Samples.firstCandidateContent(samples.grounded), "parts").get(0)), "text");
    }

    /**
     * Adds (or, without the googleSearch tool, removes) the recorded groundingMetadata on {@code cand}. Its
     * groundingSupports point into the recorded text, so they go when the answer text is another.
     */
    void ground(Map<String, Object> cand, Answers.Prompt p, String text) {
        if (!p.googleSearch()) {
            cand.remove("groundingMetadata");
            return;
        }
        Map<String, Object> recorded = Json.obj(Json.asObject(Json.list(samples.grounded, "candidates").get(0)),
                "groundingMetadata");
        Map<String, Object> meta = WireJson.copy(recorded);
        if (!text.equals(recordedGroundedText())) {
            meta.remove("groundingSupports");
        }
        cand.put("groundingMetadata", meta);
    }

    /** With the googleSearch tool, usage also counts the search results read (toolUsePromptTokenCount, recorded). */
    Map<String, Object> searchUsage(Map<String, Object> usage, Answers.Prompt p) {
        if (!p.googleSearch()) {
            return usage;
        }
        Object toolTokens = samples.searchUsage.get("toolUsePromptTokenCount");
        usage.put("toolUsePromptTokenCount", toolTokens);
        usage.put("toolUsePromptTokensDetails", WireJson.copy(samples.searchUsage.get("toolUsePromptTokensDetails")));
        usage.put("totalTokenCount", ((Long) usage.get("totalTokenCount")) + (Long) toolTokens);
        return usage;
    }

    /**
     * For {@code count} > 1: candidate 0 gets an index and is copied as candidates 1 to count-1, whose last answer
     * text part gets {@code " #n"} appended (n = index + 1) when {@code suffix}, so clients can tell them apart.
     */
    static void multiply(Map<String, Object> response, int count, boolean suffix) {
        List<Object> cands = Json.list(response, "candidates");
        if (count <= 1 || cands == null || cands.isEmpty()) {
            return;
        }
        Map<String, Object> first = Json.asObject(cands.get(0));
        first.put("index", 0L);
        List<Object> all = new ArrayList<>(count);
        all.add(first);
        for (int i = 1; i < count; i++) {
            Map<String, Object> c = WireJson.copy(first);
            c.put("index", (long) i);
            Map<String, Object> textPart = suffix ? lastAnswerText(c) : null;
            if (textPart != null) {
                textPart.put("text", Json.str(textPart, "text") + " #" + (i + 1));
            }
            all.add(c);
        }
        response.put("candidates", all);
    }

    /** The index of the last event whose first candidate has answer text, or -1. */
    static int lastAnswerTextEvent(List<Map<String, Object>> events) {
        for (int i = events.size() - 1; i >= 0; i--) {
            List<Object> cands = Json.list(events.get(i), "candidates");
            if (cands != null && !cands.isEmpty() && lastAnswerText(Json.asObject(cands.get(0))) != null) {
                return i;
            }
        }
        return -1;
    }

    /** The last part with non-empty text that is not a thought, or null. */
    private static Map<String, Object> lastAnswerText(Map<String, Object> cand) {
        List<Object> parts = Json.list(Json.obj(cand, "content"), "parts");
        for (int i = parts == null ? -1 : parts.size() - 1; i >= 0; i--) {
            Map<String, Object> part = Json.asObject(parts.get(i));
            String t = Json.str(part, "text");
            if (t != null && !t.isEmpty() && !Boolean.TRUE.equals(part.get("thought"))) {
                return part;
            }
        }
        return null;
    }
}
