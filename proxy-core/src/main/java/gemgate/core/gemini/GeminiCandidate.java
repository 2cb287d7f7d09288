package gemgate.core.gemini;

import java.util.List;

/** One candidate: its index, its parts in order, and its finishReason (null when not finished yet). */
public record GeminiCandidate(int index, List<GeminiPart> parts, String finishReason) {
    public GeminiCandidate {
        parts = List.copyOf(parts);
    }

    public boolean hasContent() {
        for (GeminiPart p : parts) {
            if (p.hasContent()) {
                return true;
            }
        }
        return false;
    }
}
