package gemgate.core.openai;

/**
 * Thinking as the client asked for it, before any model rules: from Google's {@code extra_body.google.thinking_config}
 * (also accepted as a top-level {@code google.thinking_config}) or hajimi's top-level {@code thinking_budget}. Each
 * field is null when not given. {@code level} is upper case (MINIMAL, LOW, MEDIUM, HIGH).
 */
public record ThinkingRequest(Long budget, String level, Boolean includeThoughts) {
    public boolean isEmpty() {
        return budget == null && level == null && includeThoughts == null;
    }
}
