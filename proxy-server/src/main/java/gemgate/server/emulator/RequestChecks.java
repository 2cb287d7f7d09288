package gemgate.server.emulator;

import gemgate.core.json.Json;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The generate requests real Gemini refuses with a 400 although they are well-formed JSON, so a proxy regression shows
 * up as the failure a user would see. Google's wording is kept (quoted from reports of the real API):
 * <ul>
 *   <li>a thinkingConfig for a model that does not think (gemini-2.0-flash; hajimi #304, googleapis/js-genai#681);</li>
 *   <li>a function response turn that does not follow a function call turn, or answers a different number of calls;
 *       a function call turn that does not follow a user or function response turn;</li>
 *   <li>on Gemini 3, a step of the current turn whose first functionCall part has no thoughtSignature (documented in
 *       ai.google.dev/gemini-api/docs/thought-signatures; Google's sentinel {@code skip_thought_signature_validator}
 *       counts as a signature, as any non-empty value does here).</li>
 * </ul>
 * Both camelCase and snake_case field names are read, as Google's JSON parser accepts both.
 */
final class RequestChecks {
    static final String THINKING_UNSUPPORTED = "Unable to submit request because thinking is not supported by this model. "
            + "Learn more: https://cloud.google.com/vertex-ai/generative-ai/docs/model-reference/gemini";
    static final String RESPONSE_AFTER_CALL = "Please ensure that function response turn comes immediately after a "
            + "function call turn.";
    static final String RESPONSE_COUNT = "Please ensure that the number of function response parts is equal to the "
            + "number of function call parts of the function call turn.";
    static final String CALL_AFTER_USER = "Please ensure that function call turn comes immediately after a user turn or "
            + "after a function response turn.";
    private static final Pattern GEMINI_MAJOR = Pattern.compile("gemini-(\\d+)(?:\\.\\d+)?-.*");
    private static final Pattern OLD_NON_THINKING = Pattern.compile("gemini-(1\\.\\d+|2\\.0)-.*");

    private RequestChecks() {}

    /** Gemini 3 or later, by name: these enforce thought signatures on function calls. */
    static boolean isGemini3(String model) {
        Matcher m = GEMINI_MAJOR.matcher(model == null ? "" : model);
        return m.matches() && Integer.parseInt(m.group(1)) >= 3;
    }

    /**
     * Whether the model takes a thinkingConfig: the model list's {@code thinking} flag when the model is listed, else
     * everything but Gemini 1.x and 2.0 models that do not say "thinking" in their name.
     */
    static boolean thinks(String model, Map<String, Object> listed) {
        if (listed != null) {
            return Boolean.TRUE.equals(listed.get("thinking"));
        }
        return !OLD_NON_THINKING.matcher(model).matches() || model.contains("thinking");
    }

    /** The 400 body Google would answer this generate request with, or null when Google would take it. */
    static Map<String, Object> rejection(String model, Map<String, Object> listed, Map<String, Object> body) {
        if (body == null) {
            return null;
        }
        Map<String, Object> gen = field(body, "generationConfig", "generation_config");
        if (gen != null && field(gen, "thinkingConfig", "thinking_config") != null && !thinks(model, listed)) {
            return invalid(THINKING_UNSUPPORTED);
        }
        List<Object> contents = Json.list(body, "contents");
        if (contents == null) {
            return null;
        }
        int turnStart = -1;
        for (int i = 0; i < contents.size(); i++) {
            Map<String, Object> c = Json.asObject(contents.get(i));
            Map<String, Object> prev = i == 0 ? null : Json.asObject(contents.get(i - 1));
            int calls = count(c, "functionCall", "function_call");
            int responses = count(c, "functionResponse", "function_response");
            if (responses > 0) {
                int prevCalls = isModel(prev) ? count(prev, "functionCall", "function_call") : 0;
                if (prevCalls == 0) {
                    return invalid(RESPONSE_AFTER_CALL);
                }
                if (prevCalls != responses) {
                    return invalid(RESPONSE_COUNT);
                }
            }
            if (calls > 0 && isModel(c) && (prev == null || isModel(prev))) {
                return invalid(CALL_AFTER_USER);
            }
            if (!isModel(c) && hasStandardContent(c)) {
                turnStart = i;
            }
        }
        if (isGemini3(model)) {
            for (int i = turnStart + 1; i < contents.size(); i++) {
                Map<String, Object> c = Json.asObject(contents.get(i));
                Map<String, Object> call = isModel(c) ? firstCall(c) : null;
                if (call != null && !signed(call)) {
                    Map<String, Object> fc = field(call, "functionCall", "function_call");
                    return invalid("Function call is missing a thought_signature in functionCall parts. This is required "
                            + "for tools to work correctly, and missing thought_signature may lead to degraded model "
                            + "performance. Additional data, function call `default_api:" + Json.str(fc, "name")
                            + "` , position " + (i + 1) + ". Please refer to "
                            + "https://ai.google.dev/gemini-api/docs/thought-signatures for more details.");
                }
            }
        }
        return null;
    }

    static Map<String, Object> field(Map<String, Object> m, String camel, String snake) {
        Map<String, Object> v = Json.obj(m, camel);
        return v != null ? v : Json.obj(m, snake);
    }

    private static Map<String, Object> invalid(String message) {
        return Answers.error(400, "INVALID_ARGUMENT", message);
    }

    private static boolean isModel(Map<String, Object> content) {
        return content != null && "model".equals(Json.str(content, "role"));
    }

    private static List<Object> parts(Map<String, Object> content) {
        List<Object> p = Json.list(content, "parts");
        return p == null ? List.of() : p;
    }

    private static int count(Map<String, Object> content, String camel, String snake) {
        int n = 0;
        for (Object p : parts(content)) {
            if (field(Json.asObject(p), camel, snake) != null) {
                n++;
            }
        }
        return n;
    }

    /** A user-side part that is not a function response (text, media, ...): it starts a new turn. */
    private static boolean hasStandardContent(Map<String, Object> content) {
        for (Object p : parts(content)) {
            Map<String, Object> part = Json.asObject(p);
            if (part != null && field(part, "functionResponse", "function_response") == null) {
                return true;
            }
        }
        return false;
    }

    private static Map<String, Object> firstCall(Map<String, Object> content) {
        for (Object p : parts(content)) {
            Map<String, Object> part = Json.asObject(p);
            if (part != null && field(part, "functionCall", "function_call") != null) {
                return part;
            }
        }
        return null;
    }

    private static boolean signed(Map<String, Object> part) {
        Object s = part.containsKey("thoughtSignature") ? part.get("thoughtSignature") : part.get("thought_signature");
        return s instanceof String str && !str.isEmpty();
    }
}
