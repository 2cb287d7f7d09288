package gemgate.core.gemini;

import java.util.List;
import java.util.Map;

/**
 * The parts of a Gemini answer the proxy understands. Unknown part kinds are dropped when parsing. Every part may carry
 * Gemini's opaque {@code thoughtSignature} (null when absent); Gemini 3 wants it back on the function call it came with.
 */
public sealed interface GeminiPart {

    /** True when the part carries something for the client (an empty text part holding only a thoughtSignature does not). */
    boolean hasContent();

    /** The part's thoughtSignature, or null. */
    String thoughtSignature();

    /** Text; {@code thought} marks a thought summary, which belongs in reasoning_content, never in content. */
    record Text(String text, boolean thought, String thoughtSignature) implements GeminiPart {
        public Text(String text, boolean thought) {
            this(text, thought, null);
        }

        public boolean hasContent() {
            return !text.isEmpty();
        }
    }

    /**
     * A function call. Usually complete: {@code name} and {@code args} (empty when absent), {@code willContinue} false,
     * no {@code partialArgs}. With Vertex's streamFunctionCallArguments a call arrives in pieces: a piece with the name
     * and {@code willContinue}, nameless pieces with {@code partialArgs}, and a last piece without {@code willContinue}
     * (often an empty {@code functionCall: {}}). {@code name} is null on the nameless pieces.
     */
    record FunctionCall(String name, Map<String, Object> args, List<PartialArg> partialArgs, boolean willContinue,
                        String thoughtSignature) implements GeminiPart {
        public FunctionCall {
            partialArgs = List.copyOf(partialArgs);
        }

        /** A complete call. */
        public FunctionCall(String name, Map<String, Object> args) {
            this(name, args, List.of(), false, null);
        }

        /** True for a whole call in one part (the normal case); false for a streamed piece. */
        public boolean isComplete() {
            return name != null && !willContinue && partialArgs.isEmpty();
        }

        public boolean hasContent() {
            return name != null || !partialArgs.isEmpty();
        }
    }

    /**
     * One streamed argument value: {@code jsonPath} (RFC 9535, e.g. {@code $.location}) and its value (String, Double,
     * Boolean, or null for NULL_VALUE). A string with {@code willContinue} continues in the next PartialArg for the
     * same path.
     */
    record PartialArg(String jsonPath, Object value, boolean willContinue) {}

    record InlineData(String mimeType, String data, String thoughtSignature) implements GeminiPart {
        public boolean hasContent() {
            return true;
        }
    }

    record ExecutableCode(String language, String code, String thoughtSignature) implements GeminiPart {
        public boolean hasContent() {
            return true;
        }
    }

    record CodeExecutionResult(String outcome, String output, String thoughtSignature) implements GeminiPart {
        public boolean hasContent() {
            return true;
        }
    }
}
