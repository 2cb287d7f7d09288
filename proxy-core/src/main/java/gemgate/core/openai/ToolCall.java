package gemgate.core.openai;

/** An assistant message's earlier function call: {@code arguments} is the JSON text the model produced. */
public record ToolCall(String id, String name, String arguments) {
    public ToolCall {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a tool call needs a function name");
        }
    }
}
