package gemgate.core.translate;

import static gemgate.core.translate.ChatToGemini.abbreviate;

import gemgate.core.error.ApiError;
import gemgate.core.error.ApiException;
import gemgate.core.json.Json;
import gemgate.core.models.ModelTraits;
import gemgate.core.openai.ChatRequest;
import gemgate.core.openai.ToolDefinition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The tools part of {@link ChatToGemini}: OpenAI function tools to Gemini functionDeclarations (parameters cleaned into
 * parametersJsonSchema), tool_choice to functionCallingConfig, and the Google Search tool of the -search variants.
 */
final class ToolsTranslation {
    private ToolsTranslation() {}

    /**
     * Puts {@code tools} (function declarations, plus googleSearch for a -search model) and {@code toolConfig} into
     * {@code body}. Function tools and search together are a 400 on models that cannot combine them.
     */
    static void tools(ChatRequest req, String model, boolean search, Map<String, Object> body) {
        List<Object> decls = new ArrayList<>();
        List<ToolDefinition> defs = req.tools();
        for (int k = 0; k < defs.size(); k++) {
            ToolDefinition t = defs.get(k);
            Map<String, Object> d = Json.object("name", t.name());
            if (t.description() != null && !t.description().isEmpty()) {
                d.put("description", t.description());
            }
            if (t.parameters() != null) {
                // parametersJsonSchema takes JSON Schema (type arrays with "null", additionalProperties, anyOf), which is
                // what OpenAI clients send; the older 'parameters' (OpenAPI subset) rejects several of those keywords.
                String param = (req.raw().get("tools") != null ? "tools[" + k + "].function" : "functions[" + k + "]")
                        + ".parameters";
                Map<String, Object> schema = SchemaCleaner.clean(t.parameters(), param);
                if (!isEmptyObjectSchema(schema)) {
                    d.put("parametersJsonSchema", schema);
                }
            }
            decls.add(d);
        }
        if (search && !decls.isEmpty() && !ModelTraits.combinesSearchWithFunctions(model)) {
            throw new ApiException(ApiError.badRequest("Google Search grounding (the -search model) and function calling "
                    + "(tools) cannot be combined on " + model + "; use the model without -search to call functions, or "
                    + "send the request without tools. Gemini 3 models can do both.", "tools"));
        }
        if (decls.isEmpty() && !search) {
            return;
        }
        Map<String, Object> tool = Json.object();
        if (!decls.isEmpty()) {
            tool.put("functionDeclarations", decls);
        }
        if (search) {
            tool.put("googleSearch", Json.object());
        }
        body.put("tools", List.of(tool));
        Map<String, Object> toolConfig = Json.object();
        if (!decls.isEmpty()) {
            Map<String, Object> fcc = functionCallingConfig(req.toolChoice(), defs);
            if (fcc != null) {
                toolConfig.put("functionCallingConfig", fcc);
            }
            if (search) {
                // Gemini 3's built-in + custom tool combination must be switched on explicitly.
                toolConfig.put("includeServerSideToolInvocations", true);
            }
        }
        if (!toolConfig.isEmpty()) {
            body.put("toolConfig", toolConfig);
        }
    }

    private static boolean isEmptyObjectSchema(Map<String, Object> schema) {
        Object type = schema.get("type");
        Map<String, Object> props = Json.obj(schema, "properties");
        return (type == null || "object".equals(type)) && (props == null || props.isEmpty()) && !schema.containsKey("anyOf");
    }

    private static Map<String, Object> functionCallingConfig(Object choice, List<ToolDefinition> defs) {
        if (choice instanceof String s) {
            String mode = switch (s) {
                case "none" -> "NONE";
                case "required", "any" -> "ANY";
                case "auto" -> "AUTO";
                default -> throw new ApiException(ApiError.badRequest(
                        "'tool_choice' must be none, auto, required or a function; got '" + abbreviate(s) + "'", "tool_choice"));
            };
            return Json.object("mode", mode);
        }
        if (choice instanceof Map) {
            Map<String, Object> c = Json.asObject(choice);
            Object type = c.get("type");
            if (type != null && !"function".equals(type)) {
                throw new ApiException(ApiError.badRequest("'tool_choice.type' must be 'function'", "tool_choice.type"));
            }
            Map<String, Object> fn = Json.obj(c, "function");
            String name = fn != null ? Json.str(fn, "name") : Json.str(c, "name");
            if (name == null || name.isEmpty()) {
                throw new ApiException(ApiError.badRequest("'tool_choice.function.name' is required", "tool_choice.function.name"));
            }
            boolean declared = defs.stream().anyMatch(d -> d.name().equals(name));
            if (!declared) {
                throw new ApiException(ApiError.badRequest("'tool_choice' names the function '" + abbreviate(name)
                        + "', which is not among the declared tools", "tool_choice"));
            }
            return Json.object("mode", "ANY", "allowedFunctionNames", List.of(name));
        }
        return null;
    }
}
