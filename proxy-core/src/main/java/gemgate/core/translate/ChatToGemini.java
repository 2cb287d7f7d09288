package gemgate.core.translate;

import gemgate.core.error.ApiError;
import gemgate.core.error.ApiException;
import gemgate.core.json.Json;
import gemgate.core.json.JsonException;
import gemgate.core.openai.ChatMessage;
import gemgate.core.openai.ChatRequest;
import gemgate.core.openai.ContentPart;
import gemgate.core.openai.ToolCall;
import gemgate.core.openai.ToolDefinition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * OpenAI chat request to Gemini generateContent body. Leading system/developer messages become systemInstruction;
 * later ones stay where they are as user text (SillyTavern's author's notes depend on their position). Consecutive
 * turns with the same Gemini role are merged, because Gemini wants alternating turns.
 */
public final class ChatToGemini {
    private static final Pattern MODEL_SEGMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final List<String> HARM_CATEGORIES = List.of("HARM_CATEGORY_HARASSMENT", "HARM_CATEGORY_HATE_SPEECH",
            "HARM_CATEGORY_SEXUALLY_EXPLICIT", "HARM_CATEGORY_DANGEROUS_CONTENT", "HARM_CATEGORY_CIVIC_INTEGRITY");

    private ChatToGemini() {}

    /** "models/gemini-2.5-flash" to "gemini-2.5-flash": the path segment used upstream. Anything that could escape the
     *  path segment is a 400 naming 'model'. */
    public static String upstreamModel(String clientModel) {
        String m = clientModel == null ? "" : clientModel.trim();
        if (m.startsWith("models/")) {
            m = m.substring("models/".length());
        }
        if (!MODEL_SEGMENT.matcher(m).matches() || m.length() > 200) {
            throw new ApiException(ApiError.badRequest("'model' must be a Gemini model name such as gemini-2.5-flash; got '"
                    + abbreviate(clientModel) + "'", "model"));
        }
        return m;
    }

    /** The generateContent / streamGenerateContent request body (UTF-8 JSON). */
    public static byte[] generateContentBody(ChatRequest req, TranslateOptions opts) {
        return Json.write(generateContentTree(req, opts));
    }

    /**
     * The body when the request names http(s) media URLs ({@link ChatRequest#remoteMediaUrls()}): {@code fetched}
     * holds what the server fetched for each URL. A URL missing from it is a 400 saying remote media is off.
     */
    public static byte[] generateContentBody(ChatRequest req, TranslateOptions opts, Map<String, RemoteMedia> fetched) {
        return Json.write(generateContentTree(req, opts, fetched));
    }

    /** The same body as a tree, for callers that add fields (and for tests). */
    public static Map<String, Object> generateContentTree(ChatRequest req, TranslateOptions opts) {
        return generateContentTree(req, opts, Map.of());
    }

    static Map<String, Object> generateContentTree(ChatRequest req, TranslateOptions opts, Map<String, RemoteMedia> fetched) {
        List<ChatMessage> msgs = req.messages();
        List<Object> systemParts = new ArrayList<>();
        int i = 0;
        for (; i < msgs.size() && msgs.get(i).role().isSystem(); i++) {
            for (Object p : textOnlyParts(msgs.get(i), i)) {
                systemParts.add(p);
            }
        }
        Map<String, String> toolNames = new HashMap<>();
        List<Object> contents = new ArrayList<>();
        for (; i < msgs.size(); i++) {
            ChatMessage m = msgs.get(i);
            String role;
            List<Object> parts;
            switch (m.role()) {
                case SYSTEM, DEVELOPER -> {
                    role = "user";
                    parts = textOnlyParts(m, i);
                }
                case USER -> {
                    role = "user";
                    parts = parts(m, fetched, i);
                }
                case ASSISTANT -> {
                    role = "model";
                    parts = parts(m, fetched, i);
                    for (int k = 0; k < m.toolCalls().size(); k++) {
                        ToolCall tc = m.toolCalls().get(k);
                        if (tc.id() != null) {
                            toolNames.put(tc.id(), tc.name());
                        }
                        // TODO(function calling): Gemini 3 wants the thoughtSignature of each functionCall echoed back;
                        // OpenAI clients do not keep it, so multi-turn tool use on Gemini 3 may need a stand-in signature.
                        parts.add(Json.object("functionCall", Json.object("name", tc.name(),
                                "args", arguments(tc.arguments(), "messages[" + i + "].tool_calls[" + k + "].function.arguments"))));
                    }
                }
                case TOOL -> {
                    role = "user";
                    String name = m.toolCallId() == null ? null : toolNames.get(m.toolCallId());
                    if (name == null) {
                        name = m.name();
                    }
                    if (name == null) {
                        throw new ApiException(ApiError.badRequest("'messages[" + i + "].tool_call_id' does not match the id of "
                                + "any earlier assistant tool call", "messages[" + i + "].tool_call_id"));
                    }
                    parts = new ArrayList<>();
                    parts.add(Json.object("functionResponse", Json.object("name", name,
                            "response", Json.object("content", m.text()))));
                }
                default -> throw new IllegalStateException("unhandled role " + m.role());
            }
            if (parts.isEmpty()) {
                continue; // Gemini rejects empty text parts and empty turns
            }
            Map<String, Object> last = contents.isEmpty() ? null : Json.asObject(contents.get(contents.size() - 1));
            if (last != null && role.equals(last.get("role"))) {
                Json.list(last, "parts").addAll(parts);
            } else {
                contents.add(Json.object("role", role, "parts", parts));
            }
        }
        if (contents.isEmpty()) {
            throw new ApiException(ApiError.badRequest("messages must contain at least one non-empty user or assistant message",
                    "messages"));
        }
        Map<String, Object> body = Json.object("contents", contents);
        if (!systemParts.isEmpty()) {
            body.put("systemInstruction", Json.object("parts", systemParts));
        }
        if (!req.tools().isEmpty()) {
            List<Object> decls = new ArrayList<>();
            for (ToolDefinition t : req.tools()) {
                Map<String, Object> d = Json.object("name", t.name());
                if (t.description() != null) {
                    d.put("description", t.description());
                }
                if (t.parameters() != null) {
                    // parametersJsonSchema takes full JSON Schema (additionalProperties, $ref, ...), which OpenAI
                    // clients send; the older 'parameters' field rejects those keywords.
                    d.put("parametersJsonSchema", t.parameters());
                }
                decls.add(d);
            }
            body.put("tools", List.of(Json.object("functionDeclarations", decls)));
            Map<String, Object> toolConfig = toolConfig(req.toolChoice());
            if (toolConfig != null) {
                body.put("toolConfig", toolConfig);
            }
        }
        if (opts.relaxSafety()) {
            String threshold = thresholdFor(req.model());
            List<Object> settings = new ArrayList<>();
            for (String c : HARM_CATEGORIES) {
                settings.add(Json.object("category", c, "threshold", threshold));
            }
            body.put("safetySettings", settings);
        }
        Map<String, Object> gen = generationConfig(req);
        if (!gen.isEmpty()) {
            body.put("generationConfig", gen);
        }
        return body;
    }

    /** OFF where the model supports it (2.5 and 3.x), else BLOCK_NONE, as hajimi does. */
    static String thresholdFor(String model) {
        String m = model.toLowerCase(Locale.ROOT);
        return m.contains("gemini-2.5") || m.contains("gemini-3") ? "OFF" : "BLOCK_NONE";
    }

    private static Map<String, Object> generationConfig(ChatRequest req) {
        Map<String, Object> g = Json.object();
        putIfPresent(g, "temperature", req.temperature());
        putIfPresent(g, "topP", req.topP());
        putIfPresent(g, "topK", req.topK());
        putIfPresent(g, "maxOutputTokens", req.maxTokens());
        if (!req.stop().isEmpty()) {
            g.put("stopSequences", req.stop());
        }
        putIfPresent(g, "seed", req.seed());
        // SillyTavern always sends 0 penalties and several Gemini models reject the fields outright.
        if (nonZero(req.presencePenalty())) {
            g.put("presencePenalty", req.presencePenalty());
        }
        if (nonZero(req.frequencyPenalty())) {
            g.put("frequencyPenalty", req.frequencyPenalty());
        }
        if (req.n() > 1) {
            g.put("candidateCount", (long) req.n());
        }
        return g;
    }

    private static Map<String, Object> toolConfig(Object choice) {
        if (choice instanceof String s) {
            String mode = switch (s) {
                case "none" -> "NONE";
                case "required" -> "ANY";
                case "auto" -> "AUTO";
                default -> throw new ApiException(ApiError.badRequest(
                        "'tool_choice' must be none, auto, required or a function; got '" + abbreviate(s) + "'", "tool_choice"));
            };
            return Json.object("functionCallingConfig", Json.object("mode", mode));
        }
        if (choice instanceof Map) {
            String name = Json.str(Json.obj(Json.asObject(choice), "function"), "name");
            if (name == null || name.isEmpty()) {
                throw new ApiException(ApiError.badRequest("'tool_choice.function.name' is required", "tool_choice.function.name"));
            }
            return Json.object("functionCallingConfig", Json.object("mode", "ANY", "allowedFunctionNames", List.of(name)));
        }
        return null;
    }

    private static List<Object> parts(ChatMessage m, Map<String, RemoteMedia> fetched, int index) {
        List<Object> out = new ArrayList<>();
        for (int j = 0; j < m.content().size(); j++) {
            ContentPart p = m.content().get(j);
            if (p instanceof ContentPart.Text t) {
                if (!t.text().isEmpty()) {
                    out.add(Json.object("text", t.text()));
                }
            } else if (p instanceof ContentPart.Image img) {
                out.add(Json.object("inlineData", Json.object("mimeType", img.mimeType(), "data", img.base64Data())));
            } else if (p instanceof ContentPart.RemoteImage r) {
                RemoteMedia media = fetched.get(r.url());
                if (media == null) {
                    throw new ApiException(ApiError.badRequest("image URLs are not fetched; send the image as a data: URI "
                            + "(or set FETCH_REMOTE_MEDIA=true on the proxy)", "messages[" + index + "].content[" + j + "].image_url"));
                }
                out.add(Json.object("inlineData", Json.object("mimeType", media.mimeType(),
                        "data", java.util.Base64.getEncoder().encodeToString(media.data()))));
            }
        }
        return out;
    }

    /** System text goes to systemInstruction or a user turn; an image there is almost surely a client bug. */
    private static List<Object> textOnlyParts(ChatMessage m, int index) {
        for (int j = 0; j < m.content().size(); j++) {
            if (!(m.content().get(j) instanceof ContentPart.Text)) {
                throw new ApiException(ApiError.badRequest("system and developer messages may contain only text",
                        "messages[" + index + "].content[" + j + "]"));
            }
        }
        return parts(m, Map.of(), index);
    }

    private static Object arguments(String json, String param) {
        if (json == null || json.isBlank()) {
            return Json.object();
        }
        try {
            Object v = Json.parse(json);
            if (v instanceof Map) {
                return v;
            }
        } catch (JsonException e) {
            // fall through to the error below
        }
        throw new ApiException(ApiError.badRequest("'" + param + "' must be a JSON object encoded as a string", param));
    }

    private static void putIfPresent(Map<String, Object> m, String key, Object v) {
        if (v != null) {
            m.put(key, v);
        }
    }

    private static boolean nonZero(Number n) {
        return n != null && n.doubleValue() != 0.0;
    }

    private static String abbreviate(String s) {
        if (s == null) {
            return "";
        }
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }
}
