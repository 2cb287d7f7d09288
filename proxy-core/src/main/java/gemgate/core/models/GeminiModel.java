package gemgate.core.models;

import java.util.List;

/** One entry of Gemini's models.list; {@code id} is the name without "models/". */
public record GeminiModel(String id, String displayName, List<String> supportedGenerationMethods, long inputTokenLimit,
                          long outputTokenLimit) {
    public GeminiModel {
        if (id == null) {
            throw new IllegalArgumentException("id is required");
        }
        supportedGenerationMethods = supportedGenerationMethods == null ? List.of() : List.copyOf(supportedGenerationMethods);
    }

    /** Usable through chat completions. */
    public boolean chatCapable() {
        return supportedGenerationMethods.contains("generateContent");
    }
}
