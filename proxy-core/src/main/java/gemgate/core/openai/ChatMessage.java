package gemgate.core.openai;

import java.util.List;

/**
 * One validated entry of {@code messages}. {@code content} holds the parts in order (a string content is one text
 * part; null content is an empty list). {@code toolCalls} only on assistant messages, {@code toolCallId} only on tool
 * messages; {@code name} is accepted and not used.
 */
public record ChatMessage(Role role, List<ContentPart> content, List<ToolCall> toolCalls, String toolCallId, String name) {

    public enum Role {
        SYSTEM, DEVELOPER, USER, ASSISTANT, TOOL;

        public boolean isSystem() {
            return this == SYSTEM || this == DEVELOPER;
        }
    }

    public ChatMessage {
        if (role == null) {
            throw new IllegalArgumentException("role is required");
        }
        content = List.copyOf(content);
        toolCalls = List.copyOf(toolCalls);
    }

    /** The concatenated text parts (images left out). */
    public String text() {
        StringBuilder sb = new StringBuilder();
        for (ContentPart p : content) {
            if (p instanceof ContentPart.Text t) {
                sb.append(t.text());
            }
        }
        return sb.toString();
    }
}
