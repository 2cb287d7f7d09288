package gemgate.core.openai;

import java.util.Map;

/** A {@code tools[]} entry of type function: {@code parameters} is the client's JSON Schema tree, or null. */
public record ToolDefinition(String name, String description, Map<String, Object> parameters) {
    public ToolDefinition {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a tool needs a function name");
        }
    }
}
