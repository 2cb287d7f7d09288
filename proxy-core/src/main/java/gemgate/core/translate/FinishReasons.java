package gemgate.core.translate;

import java.util.Set;

/**
 * Gemini finishReason / blockReason to OpenAI finish_reason, and the sentences that make a stop the client would
 * otherwise not understand visible in the answer: a block, a filter, a token limit hit before any answer, a malformed
 * tool call.
 */
final class FinishReasons {
    /** Stops for content reasons: OpenAI's content_filter. */
    private static final Set<String> FILTERED = Set.of("SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII",
            "IMAGE_SAFETY", "IMAGE_PROHIBITED_CONTENT", "IMAGE_RECITATION", "IMAGE_OTHER", "LANGUAGE", "MODEL_ARMOR");
    /** Stops because a tool call went wrong; the answer ends with "stop" and a sentence saying what happened. */
    private static final Set<String> TOOL_TROUBLE = Set.of("MALFORMED_FUNCTION_CALL", "UNEXPECTED_TOOL_CALL",
            "TOO_MANY_TOOL_CALLS", "MISSING_THOUGHT_SIGNATURE", "MALFORMED_RESPONSE");

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

    static String blockedPrompt(String blockReason, String blockReasonMessage) {
        return "Gemini blocked this prompt (reason: " + blockReason
                + (blockReasonMessage == null || blockReasonMessage.isBlank() ? "" : ": " + blockReasonMessage.strip()) + ").";
    }

    /**
     * What to show instead of an answer that has no text and no tool call, or null when an empty answer needs no
     * explanation (a plain STOP/OTHER: the caller retries it as empty).
     */
    static String explainNoContent(String geminiFinish, String finishMessage) {
        if (geminiFinish == null) {
            return null;
        }
        if ("MAX_TOKENS".equals(geminiFinish)) {
            return "Gemini reached the output token limit before writing any answer (reason: MAX_TOKENS). "
                    + "Thinking tokens count against max_tokens; raise it.";
        }
        if (FILTERED.contains(geminiFinish)) {
            return "Gemini withheld this answer (reason: " + withMessage(geminiFinish, finishMessage) + ").";
        }
        if (TOOL_TROUBLE.contains(geminiFinish)) {
            return "Gemini tried to call a tool but the call was not usable, so there is no answer (reason: "
                    + withMessage(geminiFinish, finishMessage) + "). Retrying may help.";
        }
        if ("NO_IMAGE".equals(geminiFinish)) {
            return "Gemini did not produce the expected image (reason: " + withMessage(geminiFinish, finishMessage) + ").";
        }
        return null;
    }

    /**
     * The note appended to an answer that was cut off for a reason the client should see (a filter or a broken tool
     * call after some text), or null when the finish_reason says enough (STOP, MAX_TOKENS).
     */
    static String explainCutOff(String geminiFinish, String finishMessage) {
        if (geminiFinish == null) {
            return null;
        }
        if (FILTERED.contains(geminiFinish) || TOOL_TROUBLE.contains(geminiFinish)) {
            return "\n\n[Gemini stopped this answer early (reason: " + withMessage(geminiFinish, finishMessage) + ").]";
        }
        return null;
    }

    private static String withMessage(String reason, String message) {
        return message == null || message.isBlank() ? reason : reason + ": " + message.strip();
    }
}
