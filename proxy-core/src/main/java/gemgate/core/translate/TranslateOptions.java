package gemgate.core.translate;

import java.util.Map;
import java.util.Objects;

/**
 * Per-deployment translation switches, built from settings at start and again whenever runtime settings change.
 *
 * @param relaxSafety        DISABLE_SAFETY_FILTERING: send every harm category with the most permissive threshold
 * @param safetyThresholds   per-category overrides (HARM_CATEGORY_x -> BLOCK_NONE/OFF/...), applied after relaxSafety
 * @param enableThinking     ENABLE_THINKING: send a thinking config to models that think (never to those that don't)
 * @param thoughtDisplay     how Gemini's thoughts reach the client
 * @param searchMode         SEARCH_MODE: {@code <model>-search} variants exist and send Google Search grounding
 * @param searchPrompt       SEARCH_PROMPT: text added for -search requests ("" = none)
 * @param randomString       RANDOM_STRING: hajimi's random "disguise" user turns (off by default here)
 * @param randomStringLength RANDOM_STRING_LENGTH, >= 1
 */
public record TranslateOptions(
        boolean relaxSafety,
        Map<String, String> safetyThresholds,
        boolean enableThinking,
        ThoughtDisplay thoughtDisplay,
        boolean searchMode,
        String searchPrompt,
        boolean randomString,
        int randomStringLength) {

    /** How thoughts are shown: OpenAI-style {@code reasoning_content}, inline {@code <think>} tags, or not at all. */
    public enum ThoughtDisplay { REASONING_CONTENT, THINK_TAGS, HIDDEN }

    public TranslateOptions {
        safetyThresholds = Map.copyOf(Objects.requireNonNull(safetyThresholds, "safetyThresholds"));
        Objects.requireNonNull(thoughtDisplay, "thoughtDisplay");
        Objects.requireNonNull(searchPrompt, "searchPrompt");
        if (randomStringLength < 1) {
            throw new IllegalArgumentException("randomStringLength must be >= 1, got " + randomStringLength);
        }
    }

    /** Only the safety switch given; everything else at its default. */
    public TranslateOptions(boolean relaxSafety) {
        this(relaxSafety, Map.of(), true, ThoughtDisplay.REASONING_CONTENT, false, "", false, 5);
    }

    public static TranslateOptions defaults() {
        return new TranslateOptions(true);
    }
}
