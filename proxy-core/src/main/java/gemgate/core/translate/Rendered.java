package gemgate.core.translate;

import gemgate.core.gemini.GeminiPart;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A run of Gemini parts as OpenAI sees them: visible text (answer text, generated images as Markdown data-URI images,
 * code execution as fenced blocks), thought-summary text, and function calls.
 */
record Rendered(String content, String reasoning, List<GeminiPart.FunctionCall> calls) {

    static Rendered of(List<GeminiPart> parts) {
        StringBuilder content = new StringBuilder();
        StringBuilder reasoning = new StringBuilder();
        List<GeminiPart.FunctionCall> calls = new ArrayList<>();
        for (GeminiPart p : parts) {
            if (p instanceof GeminiPart.Text t) {
                (t.thought() ? reasoning : content).append(t.text());
            } else if (p instanceof GeminiPart.FunctionCall fc) {
                calls.add(fc);
            } else if (p instanceof GeminiPart.InlineData d) {
                content.append("\n\n![image](data:").append(d.mimeType()).append(";base64,").append(d.data()).append(")\n\n");
            } else if (p instanceof GeminiPart.ExecutableCode c) {
                String lang = c.language() == null ? "" : c.language().toLowerCase(Locale.ROOT);
                content.append("\n```").append(lang.equals("language_unspecified") ? "" : lang).append('\n')
                        .append(c.code()).append("\n```\n");
            } else if (p instanceof GeminiPart.CodeExecutionResult r) {
                content.append("\n```\n").append(r.output()).append("\n```\n");
            }
        }
        return new Rendered(content.toString(), reasoning.toString(), calls);
    }

    boolean isEmpty() {
        return content.isEmpty() && reasoning.isEmpty() && calls.isEmpty();
    }
}
