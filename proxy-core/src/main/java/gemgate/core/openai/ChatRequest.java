package gemgate.core.openai;

import gemgate.core.error.ApiError;
import gemgate.core.error.ApiException;
import gemgate.core.json.Json;
import gemgate.core.json.JsonException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A parsed and validated OpenAI {@code chat.completions} request. Only the fields the proxy uses are read; every other
 * field (logit_bias, user, metadata, store, service_tier, anything SillyTavern's "Include Body" adds) is ignored. A JSON
 * {@code null} counts as absent. A known field of the wrong type is a 400 that names the field.
 */
public final class ChatRequest {
    private final Map<String, Object> raw;
    private final String model;
    private final List<ChatMessage> messages;
    private final boolean stream;
    private final boolean includeUsage;
    private final int n;
    private final Number temperature;
    private final Number topP;
    private final Long topK;
    private final Long maxTokens;
    private final List<String> stop;
    private final Long seed;
    private final Number presencePenalty;
    private final Number frequencyPenalty;
    private final List<ToolDefinition> tools;
    private final Object toolChoice;

    private ChatRequest(Map<String, Object> raw) {
        this.raw = Collections.unmodifiableMap(raw);
        Object m = raw.get("model");
        if (!(m instanceof String s) || s.isBlank()) {
            throw bad("'model' is required and must be a non-empty string", "model");
        }
        this.model = s;
        this.messages = parseMessages(raw.get("messages"));
        this.stream = bool(raw, "stream");
        Object so = raw.get("stream_options");
        if (so != null && !(so instanceof Map)) {
            throw bad("'stream_options' must be an object", "stream_options");
        }
        this.includeUsage = bool(Json.asObject(so), "include_usage", "stream_options.include_usage");
        Long nv = integer(raw, "n");
        if (nv != null && (nv < 1 || nv > 128)) {
            throw bad("'n' must be between 1 and 128", "n");
        }
        this.n = nv == null ? 1 : nv.intValue();
        this.temperature = number(raw, "temperature");
        this.topP = number(raw, "top_p");
        this.topK = integer(raw, "top_k");
        Long mt = integer(raw, "max_tokens");
        Long mct = integer(raw, "max_completion_tokens");
        this.maxTokens = mct != null ? mct : mt;
        if (maxTokens != null && maxTokens < 1) {
            throw bad("'" + (mct != null ? "max_completion_tokens" : "max_tokens") + "' must be at least 1",
                    mct != null ? "max_completion_tokens" : "max_tokens");
        }
        this.stop = parseStop(raw.get("stop"));
        this.seed = integer(raw, "seed");
        this.presencePenalty = number(raw, "presence_penalty");
        this.frequencyPenalty = number(raw, "frequency_penalty");
        this.tools = parseTools(raw.get("tools"));
        Object tc = raw.get("tool_choice");
        if (tc != null && !(tc instanceof String) && !(tc instanceof Map)) {
            throw bad("'tool_choice' must be a string or an object", "tool_choice");
        }
        this.toolChoice = tc;
    }

    /** Parses and validates an OpenAI chat.completions body. Throws ApiException: invalidJson for malformed JSON,
     *  badRequest(message, param) naming the field for a missing or wrong-typed field. */
    public static ChatRequest parse(byte[] body) {
        Object tree;
        try {
            tree = Json.parse(body);
        } catch (JsonException e) {
            throw new ApiException(ApiError.invalidJson(e.getMessage()));
        }
        if (!(tree instanceof Map)) {
            throw new ApiException(ApiError.invalidJson("expected a JSON object"));
        }
        return new ChatRequest(Json.asObject(tree));
    }

    /** The model as the client sent it (non-empty). */
    public String model() {
        return model;
    }

    public List<ChatMessage> messages() {
        return messages;
    }

    public boolean stream() {
        return stream;
    }

    /** {@code stream_options.include_usage}. */
    public boolean includeUsage() {
        return includeUsage;
    }

    /** Number of choices, default 1. */
    public int n() {
        return n;
    }

    /** Null when absent; the same for the other sampling getters. */
    public Number temperature() {
        return temperature;
    }

    public Number topP() {
        return topP;
    }

    public Long topK() {
        return topK;
    }

    /** max_completion_tokens, else max_tokens, else null. */
    public Long maxTokens() {
        return maxTokens;
    }

    /** Stop sequences; empty when absent. */
    public List<String> stop() {
        return stop;
    }

    public Long seed() {
        return seed;
    }

    public Number presencePenalty() {
        return presencePenalty;
    }

    public Number frequencyPenalty() {
        return frequencyPenalty;
    }

    /** Function tools; empty when absent. */
    public List<ToolDefinition> tools() {
        return tools;
    }

    /** "none" | "auto" | "required" | {type:function, function:{name}} | null. */
    public Object toolChoice() {
        return toolChoice;
    }

    /** The whole request tree, for fields later features read (reasoning_effort, extra_body). Read only. */
    /** The http(s) URLs of media parts (image_url and the like that are not data URIs), in order, de-duplicated. */
    public List<String> remoteMediaUrls() {
        java.util.LinkedHashSet<String> urls = new java.util.LinkedHashSet<>();
        for (ChatMessage m : messages) {
            for (ContentPart p : m.content()) {
                if (p instanceof ContentPart.RemoteImage r) {
                    urls.add(r.url());
                }
            }
        }
        return List.copyOf(urls);
    }

    public Map<String, Object> raw() {
        return raw;
    }

    // ---- messages ----

    private static List<ChatMessage> parseMessages(Object v) {
        if (v == null) {
            throw bad("'messages' is required", "messages");
        }
        List<Object> list = Json.asList(v);
        if (list == null) {
            throw bad("'messages' must be an array", "messages");
        }
        if (list.isEmpty()) {
            throw bad("'messages' must contain at least one message", "messages");
        }
        List<ChatMessage> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            out.add(parseMessage(list.get(i), "messages[" + i + "]"));
        }
        return List.copyOf(out);
    }

    private static ChatMessage parseMessage(Object v, String path) {
        Map<String, Object> m = Json.asObject(v);
        if (m == null) {
            throw bad("'" + path + "' must be an object", path);
        }
        Object r = m.get("role");
        if (!(r instanceof String rs)) {
            throw bad("'" + path + ".role' is required and must be a string", path + ".role");
        }
        ChatMessage.Role role = switch (rs) {
            case "system" -> ChatMessage.Role.SYSTEM;
            case "developer" -> ChatMessage.Role.DEVELOPER;
            case "user" -> ChatMessage.Role.USER;
            case "assistant" -> ChatMessage.Role.ASSISTANT;
            case "tool" -> ChatMessage.Role.TOOL;
            default -> throw bad("'" + path + ".role' must be one of system, developer, user, assistant, tool; got '"
                    + rs + "'", path + ".role");
        };
        List<ContentPart> content = parseContent(m.get("content"), path + ".content");
        List<ToolCall> toolCalls = role == ChatMessage.Role.ASSISTANT ? parseToolCalls(m.get("tool_calls"), path + ".tool_calls") : List.of();
        String toolCallId = null;
        if (role == ChatMessage.Role.TOOL) {
            Object id = m.get("tool_call_id");
            if (id != null && !(id instanceof String)) {
                throw bad("'" + path + ".tool_call_id' must be a string", path + ".tool_call_id");
            }
            toolCallId = (String) id;
        }
        Object name = m.get("name");
        return new ChatMessage(role, content, toolCalls, toolCallId, name instanceof String s ? s : null);
    }

    private static List<ContentPart> parseContent(Object v, String path) {
        if (v == null) {
            return List.of();
        }
        if (v instanceof String s) {
            return List.of(new ContentPart.Text(s));
        }
        List<Object> parts = Json.asList(v);
        if (parts == null) {
            throw bad("'" + path + "' must be a string, an array of content parts or null", path);
        }
        List<ContentPart> out = new ArrayList<>(parts.size());
        for (int j = 0; j < parts.size(); j++) {
            out.add(parsePart(parts.get(j), path + "[" + j + "]"));
        }
        return out;
    }

    private static ContentPart parsePart(Object v, String path) {
        Map<String, Object> p = Json.asObject(v);
        if (p == null) {
            throw bad("'" + path + "' must be an object with a 'type'", path);
        }
        Object type = p.get("type");
        if ("text".equals(type)) {
            Object t = p.get("text");
            if (!(t instanceof String ts)) {
                throw bad("'" + path + ".text' must be a string", path + ".text");
            }
            return new ContentPart.Text(ts);
        }
        if ("image_url".equals(type)) {
            Object iu = p.get("image_url");
            String url;
            String detail = null;
            if (iu instanceof String s) {
                url = s;
            } else if (iu instanceof Map) {
                Map<String, Object> im = Json.asObject(iu);
                Object u = im.get("url");
                if (!(u instanceof String us)) {
                    throw bad("'" + path + ".image_url.url' must be a string", path + ".image_url.url");
                }
                url = us;
                detail = Json.str(im, "detail");
            } else {
                throw bad("'" + path + ".image_url' must be an object with a 'url' or a string", path + ".image_url");
            }
            return dataUri(url, detail, path + ".image_url");
        }
        throw bad("content part type " + (type instanceof String ? "'" + type + "'" : String.valueOf(type))
                + " at '" + path + "' is not supported; use 'text' or 'image_url'", path + ".type");
    }

    private static ContentPart dataUri(String url, String detail, String param) {
        String lower = url.length() > 8 ? url.substring(0, 8).toLowerCase(Locale.ROOT) : url.toLowerCase(Locale.ROOT);
        if (lower.startsWith("http://") || lower.startsWith("https://")) {
            return new ContentPart.RemoteImage(url, detail); // fetched by the server when allowed, else a 400 at translation
        }
        int comma = url.indexOf(',');
        if (!lower.startsWith("data:") || comma < 0) {
            throw bad("an image must be a data: URI (data:<mime>;base64,<data>)", param);
        }
        String meta = url.substring(5, comma);
        if (!meta.toLowerCase(Locale.ROOT).endsWith(";base64")) {
            throw bad("an image data: URI must be base64 encoded (data:<mime>;base64,<data>)", param);
        }
        String mime = meta.substring(0, meta.length() - 7).trim();
        if (mime.isEmpty() || mime.indexOf('/') < 0) {
            throw bad("an image data: URI must name its mime type, e.g. data:image/png;base64,...", param);
        }
        String data = url.substring(comma + 1);
        if (data.isEmpty()) {
            throw bad("the image data: URI carries no data", param);
        }
        return new ContentPart.Image(mime.toLowerCase(Locale.ROOT), data, detail);
    }

    private static List<ToolCall> parseToolCalls(Object v, String path) {
        if (v == null) {
            return List.of();
        }
        List<Object> list = Json.asList(v);
        if (list == null) {
            throw bad("'" + path + "' must be an array", path);
        }
        List<ToolCall> out = new ArrayList<>(list.size());
        for (int k = 0; k < list.size(); k++) {
            String p = path + "[" + k + "]";
            Map<String, Object> tc = Json.asObject(list.get(k));
            Map<String, Object> fn = Json.obj(tc, "function");
            if (fn == null || !(fn.get("name") instanceof String name) || name.isEmpty()) {
                throw bad("'" + p + ".function.name' is required", p + ".function.name");
            }
            Object args = fn.get("arguments");
            if (args != null && !(args instanceof String)) {
                throw bad("'" + p + ".function.arguments' must be a JSON string", p + ".function.arguments");
            }
            out.add(new ToolCall(Json.str(tc, "id"), name, (String) args));
        }
        return out;
    }

    private static List<ToolDefinition> parseTools(Object v) {
        if (v == null) {
            return List.of();
        }
        List<Object> list = Json.asList(v);
        if (list == null) {
            throw bad("'tools' must be an array", "tools");
        }
        List<ToolDefinition> out = new ArrayList<>();
        for (int k = 0; k < list.size(); k++) {
            String p = "tools[" + k + "]";
            Map<String, Object> t = Json.asObject(list.get(k));
            if (t == null) {
                throw bad("'" + p + "' must be an object", p);
            }
            if (!"function".equals(t.get("type"))) {
                continue; // other tool types (web search, ...) have no Gemini equivalent here
            }
            Map<String, Object> fn = Json.obj(t, "function");
            if (fn == null || !(fn.get("name") instanceof String name) || name.isEmpty()) {
                throw bad("'" + p + ".function.name' is required", p + ".function.name");
            }
            Object params = fn.get("parameters");
            if (params != null && !(params instanceof Map)) {
                throw bad("'" + p + ".function.parameters' must be an object", p + ".function.parameters");
            }
            out.add(new ToolDefinition(name, Json.str(fn, "description"), Json.asObject(params)));
        }
        return List.copyOf(out);
    }

    private static List<String> parseStop(Object v) {
        if (v == null) {
            return List.of();
        }
        if (v instanceof String s) {
            return s.isEmpty() ? List.of() : List.of(s);
        }
        List<Object> list = Json.asList(v);
        if (list == null) {
            throw bad("'stop' must be a string or an array of strings", "stop");
        }
        List<String> out = new ArrayList<>(list.size());
        for (Object o : list) {
            if (!(o instanceof String s)) {
                throw bad("'stop' must be a string or an array of strings", "stop");
            }
            if (!s.isEmpty()) {
                out.add(s);
            }
        }
        return List.copyOf(out);
    }

    // ---- scalar helpers ----

    private static boolean bool(Map<String, Object> m, String key) {
        return bool(m, key, key);
    }

    private static boolean bool(Map<String, Object> m, String key, String param) {
        Object v = m == null ? null : m.get(key);
        if (v == null) {
            return false;
        }
        if (!(v instanceof Boolean b)) {
            throw bad("'" + param + "' must be a boolean", param);
        }
        return b;
    }

    private static Number number(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (v == null) {
            return null;
        }
        if (!(v instanceof Number num)) {
            throw bad("'" + key + "' must be a number", key);
        }
        return num;
    }

    /** An integer field; 2.0 is accepted as 2, 1.5 is not. */
    private static Long integer(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (v == null) {
            return null;
        }
        if (v instanceof Long l) {
            return l;
        }
        if (v instanceof Double d && d == Math.rint(d) && Math.abs(d) < 9.0e15) {
            return d.longValue();
        }
        if (v instanceof BigInteger || v instanceof BigDecimal) {
            throw bad("'" + key + "' is out of range", key);
        }
        throw bad("'" + key + "' must be an integer", key);
    }

    private static ApiException bad(String message, String param) {
        return new ApiException(ApiError.badRequest(message, param));
    }
}
