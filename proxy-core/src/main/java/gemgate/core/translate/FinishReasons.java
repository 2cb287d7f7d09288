package gemgate.core.translate;

import java.util.Set;

/** Gemini finishReason / blockReason to OpenAI finish_reason, and the sentence shown when an answer has no text. */
final class FinishReasons {
    private static final Set<String> FILTERED = Set.of("SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII",
            "IMAGE_SAFETY", "LANGUAGE");

    private FinishReasons() {}

    static String openAi(String geminiFinish, boolean sawToolCall) {
        if (sawToolCall) {
            return "tool_calls";
        }
        if (geminiFinish == null) {
            return "stop";
        }
        if ("MAX_TOKENS".equals(geminiFinish)) {
            return "length";
        }
        return FILTERED.contains(geminiFinish) ? "content_filter" : "stop";
    }

    static String blockedPrompt(String blockReason) {
        return "Gemini blocked this prompt (reason: " + blockReason + ").";
    }

    /** What to show instead of an empty answer, or null when an empty answer needs no explanation (the caller retries). */
    static String explainNoContent(String geminiFinish) {
        if (geminiFinish == null) {
            return null;
        }
        if ("MAX_TOKENS".equals(geminiFinish)) {
            return "Gemini reached the output token limit before writing any answer (reason: MAX_TOKENS). "
                    + "Thinking tokens count against max_tokens; raise it.";
        }
        if (FILTERED.contains(geminiFinish)) {
            return "Gemini withheld this answer (reason: " + geminiFinish + ").";
        }
        return null;
    }
}
