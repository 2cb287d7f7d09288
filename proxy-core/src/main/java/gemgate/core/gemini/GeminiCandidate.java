package gemgate.core.gemini;

import java.util.List;

/**
 * One candidate: its index, its parts in order, its finishReason (null when not finished yet) and finishMessage, the
 * web sources of its grounding metadata (in order, may repeat across stream chunks), the search queries Gemini ran,
 * and its token log probabilities (null when Gemini sent none).
 */
public record GeminiCandidate(int index, List<GeminiPart> parts, String finishReason, String finishMessage,
                              List<Source> sources, List<String> searchQueries, List<TokenLogprob> logprobs) {
    public GeminiCandidate {
        parts = List.copyOf(parts);
        sources = List.copyOf(sources);
        searchQueries = List.copyOf(searchQueries);
        logprobs = logprobs == null ? null : List.copyOf(logprobs);
    }

    public GeminiCandidate(int index, List<GeminiPart> parts, String finishReason) {
        this(index, parts, finishReason, null, List.of(), List.of(), null);
    }

    /** A grounding source: groundingChunks[].web (or retrievedContext/maps) uri and title (title may be null). */
    public record Source(String uri, String title) {}

    /**
     * One decoding step of logprobsResult: the chosen token, its log probability, and the top alternatives at that
     * step (their own {@code top} lists are empty).
     */
    public record TokenLogprob(String token, double logprob, List<TokenLogprob> top) {
        public TokenLogprob {
            top = List.copyOf(top);
        }
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
