package gemgate.core.openai;

import java.util.Map;

/**
 * {@code response_format}: {@code json_object} (schema null) or {@code json_schema} with the client's schema tree.
 * {@code text} is represented by no ResponseFormat at all. {@code strict} is ignored: Gemini always follows the schema.
 */
public record ResponseFormat(Type type, Map<String, Object> schema) {
    public enum Type { JSON_OBJECT, JSON_SCHEMA }
}
