package gemgate.core.gemini;

import java.util.Map;

/** The parts of a Gemini answer the proxy understands. Unknown part kinds are dropped when parsing. */
public sealed interface GeminiPart {

    /** True when the part carries something for the client (an empty text part holding only a thoughtSignature does not). */
    boolean hasContent();

    /** Text; {@code thought} marks a thought summary, which belongs in reasoning_content, never in content. */
    record Text(String text, boolean thought) implements GeminiPart {
        public boolean hasContent() {
            return !text.isEmpty();
        }
    }

    /** A complete function call; {@code args} is the arguments object (empty when absent). */
    record FunctionCall(String name, Map<String, Object> args) implements GeminiPart {
        public boolean hasContent() {
            return true;
        }
    }

    record InlineData(String mimeType, String data) implements GeminiPart {
        public boolean hasContent() {
            return true;
        }
    }

    record ExecutableCode(String language, String code) implements GeminiPart {
        public boolean hasContent() {
            return true;
        }
    }

    record CodeExecutionResult(String outcome, String output) implements GeminiPart {
        public boolean hasContent() {
            return true;
        }
    }
}
