package gemgate.core.gemini;

/**
 * Gemini's usageMetadata. {@code thoughts} are not part of {@code candidates} upstream; OpenAI counts reasoning inside
 * completion tokens, so {@link #completionTokens()} adds them. {@code cached} is -1 when Gemini did not report it.
 */
public record GeminiUsage(long prompt, long candidates, long thoughts, long total, long cached) {
    public static final GeminiUsage NONE = new GeminiUsage(0, 0, 0, 0, -1);

    public long completionTokens() {
        return candidates + thoughts;
    }

    /** totalTokenCount, or the sum when Gemini left it out. */
    public long totalTokens() {
        return total > 0 ? total : prompt + candidates + thoughts;
    }
}
