package gemgate.core.openai;

import gemgate.core.error.ApiError;
import gemgate.core.error.ApiException;
import gemgate.core.gemini.MediaTypes;
import gemgate.core.json.Json;
import gemgate.core.json.JsonException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A parsed and validated OpenAI {@code chat.completions} request. Only the fields the proxy uses are read; every other
 * field (logit_bias, user, metadata, store, service_tier, anything SillyTavern's "Include Body" adds) is ignored. A JSON
 * {@code null} counts as absent. A known field of the wrong type is a 400 that names the field.
 */
public final class ChatRequest {
    private static final Pattern TOOL_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.:-]{0,63}");
    /** Gemini's largest candidateCount. */
    public static final int MAX_CHOICES = 8;
    /** Gemini's largest number of stop sequences. */
    public static final int MAX_STOP_SEQUENCES = 5;
    /** Gemini's largest top-logprobs count. */
    public static final int MAX_TOP_LOGPROBS = 20;
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
    private final String reasoningEffort;
    private final ThinkingRequest thinking;
    private final ResponseFormat responseFormat;
    private final boolean logprobs;
    private final Integer topLogprobs;
    private final List<String> remoteMediaUrls;

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
        if (nv != null && (nv < 1 || nv > MAX_CHOICES)) {
            throw bad("'n' must be between 1 and " + MAX_CHOICES + " (Gemini returns at most " + MAX_CHOICES
                    + " candidates)", "n");
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
        List<ToolDefinition> t = parseTools(raw.get("tools"), "tools", true);
        Object tc = raw.get("tool_choice");
        if (tc != null && !(tc instanceof String) && !(tc instanceof Map)) {
            throw bad("'tool_choice' must be a string or an object", "tool_choice");
        }
        if (t.isEmpty() && raw.get("functions") != null) {
            // The legacy form: functions[] and function_call ("none" | "auto" | {"name"}).
            t = parseTools(raw.get("functions"), "functions", false);
            Object fc = raw.get("function_call");
            if (tc == null && fc != null) {
                if (fc instanceof String) {
                    tc = fc;
                } else if (fc instanceof Map) {
                    tc = Json.object("type", "function", "function", fc);
                } else {
                    throw bad("'function_call' must be a string or an object", "function_call");
                }
            }
        }
        this.tools = t;
        this.toolChoice = tc;
        this.reasoningEffort = parseReasoningEffort(raw.get("reasoning_effort"));
        this.thinking = parseThinking(raw);
        this.responseFormat = parseResponseFormat(raw.get("response_format"));
        Object lp = raw.get("logprobs");
        Long top = integer(raw, "top_logprobs");
        if (top != null && (top < 0 || top > MAX_TOP_LOGPROBS)) {
            throw bad("'top_logprobs' must be between 0 and " + MAX_TOP_LOGPROBS, "top_logprobs");
        }
        if (lp == null || lp instanceof Boolean) {
            this.logprobs = Boolean.TRUE.equals(lp);
            this.topLogprobs = top == null ? null : top.intValue();
        } else {
            // Older clients (SillyTavern) send the completions-style count: logprobs: 5.
            Long count = integer(raw, "logprobs");
            if (count < 0) {
                throw bad("'logprobs' must be a boolean (or a count from 0 to " + MAX_TOP_LOGPROBS + ")", "logprobs");
            }
            this.logprobs = true;
            this.topLogprobs = (int) Math.min(count, MAX_TOP_LOGPROBS);
        }
        Set<String> urls = new LinkedHashSet<>();
        for (ChatMessage msg : messages) {
            for (ContentPart part : msg.content()) {
                if (part instanceof ContentPart.Remote r) {
                    urls.add(r.url());
                }
            }
        }
        this.remoteMediaUrls = List.copyOf(urls);
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

    /** {@code reasoning_effort} lower-cased (none, minimal, low, medium, high; xhigh and max read as high), or null. */
    public String reasoningEffort() {
        return reasoningEffort;
    }

    /** Explicit thinking settings (Google's thinking_config or hajimi's thinking_budget); empty when none. */
    public ThinkingRequest thinking() {
        return thinking;
    }

    /** {@code response_format} json_object / json_schema, or null for text or absent. */
    public ResponseFormat responseFormat() {
        return responseFormat;
    }

    /** {@code logprobs}: true (or a count) asks for token log probabilities. */
    public boolean logprobs() {
        return logprobs;
    }

    /** {@code top_logprobs} (0..20), or the legacy logprobs count; null when absent. */
    public Integer topLogprobs() {
        return topLogprobs;
    }

    /** The http(s) URLs of media parts (image_url and the like that are not data URIs), in order, de-duplicated. */
    public List<String> remoteMediaUrls() {
        return remoteMediaUrls;
    }

    /** The whole request tree, for fields later features read. Read only. */

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
            case "tool", "function" -> ChatMessage.Role.TOOL; // "function": the legacy result message, matched by name
            default -> throw bad("'" + path + ".role' must be one of system, developer, user, assistant, tool; got '"
                    + rs + "'", path + ".role");
        };
        List<ContentPart> content = parseContent(m.get("content"), path + ".content");
        List<ToolCall> toolCalls = role == ChatMessage.Role.ASSISTANT ? parseToolCalls(m.get("tool_calls"), path + ".tool_calls") : List.of();
        if (role == ChatMessage.Role.ASSISTANT && toolCalls.isEmpty() && m.get("function_call") != null) {
            Map<String, Object> fc = Json.asObject(m.get("function_call"));
            if (fc == null || !(fc.get("name") instanceof String fname) || fname.isEmpty()) {
                throw bad("'" + path + ".function_call.name' is required", path + ".function_call.name");
            }
            Object args = fc.get("arguments");
            if (args != null && !(args instanceof String)) {
                throw bad("'" + path + ".function_call.arguments' must be a JSON string", path + ".function_call.arguments");
            }
            toolCalls = List.of(new ToolCall(null, fname, (String) args));
        }
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
            String lower = url.length() > 8 ? url.substring(0, 8).toLowerCase(Locale.ROOT) : url.toLowerCase(Locale.ROOT);
            if (lower.startsWith("http://") || lower.startsWith("https://")) {
                return new ContentPart.Remote(url, detail);
            }
            DataUri d = dataUri(url, "an image", path + ".image_url");
            return new ContentPart.Image(d.mime(), d.data(), detail);
        }
        if ("input_audio".equals(type)) {
            Map<String, Object> a = Json.obj(p, "input_audio");
            String ap = path + ".input_audio";
            if (a == null) {
                throw bad("'" + ap + "' must be an object with 'data' (base64) and 'format'", ap);
            }
            if (!(a.get("data") instanceof String data)) {
                throw bad("'" + ap + ".data' must be a base64 string", ap + ".data");
            }
            if (!(a.get("format") instanceof String format)) {
                throw bad("'" + ap + ".format' must be a string such as wav or mp3", ap + ".format");
            }
            String mime = MediaTypes.forAudioFormat(format);
            if (mime == null) {
                throw bad("audio format '" + abbreviate(format) + "' is not supported by Gemini; use wav, mp3, aiff, aac, ogg "
                        + "or flac", ap + ".format");
            }
            checkBase64(data, ap + ".data");
            return new ContentPart.Media(mime, data, null);
        }
        if ("file".equals(type)) {
            Map<String, Object> f = Json.obj(p, "file");
            String fp = path + ".file";
            if (f == null) {
                throw bad("'" + fp + "' must be an object with 'file_data' (a data: URI) and 'filename'", fp);
            }
            Object fn = f.get("filename");
            if (fn != null && !(fn instanceof String)) {
                throw bad("'" + fp + ".filename' must be a string", fp + ".filename");
            }
            Object fd = f.get("file_data");
            if (fd == null) {
                throw bad(f.get("file_id") != null
                        ? "uploaded file ids are not supported by this proxy; send the file inline as 'file_data' (a data: URI)"
                        : "'" + fp + ".file_data' is required (data:<mime>;base64,<data>)", fp + ".file_data");
            }
            if (!(fd instanceof String fds)) {
                throw bad("'" + fp + ".file_data' must be a string (data:<mime>;base64,<data>)", fp + ".file_data");
            }
            if (fds.regionMatches(true, 0, "data:", 0, 5)) {
                DataUri d = dataUri(fds, "a file", fp + ".file_data");
                return new ContentPart.Media(d.mime(), d.data(), (String) fn);
            }
            // Bare base64: the file name's extension names the type.
            String mime = MediaTypes.forFileName((String) fn);
            if (mime == null) {
                throw bad("'" + fp + ".file_data' must be a data: URI naming its type (data:application/pdf;base64,...) "
                        + "unless 'filename' has a known extension", fp + ".file_data");
            }
            checkBase64(fds, fp + ".file_data");
            return new ContentPart.Media(mime, fds, (String) fn);
        }
        throw bad("content part type " + (type instanceof String ? "'" + type + "'" : String.valueOf(type))
                + " at '" + path + "' is not supported; use 'text', 'image_url', 'input_audio' or 'file'", path + ".type");
    }

    private record DataUri(String mime, String data) {}

    /** A {@code data:<mime>;base64,<data>} URI whose type Gemini accepts and whose data looks like base64. */
    private static DataUri dataUri(String url, String what, String param) {
        String lower = url.length() > 8 ? url.substring(0, 8).toLowerCase(Locale.ROOT) : url.toLowerCase(Locale.ROOT);
        int comma = url.indexOf(',');
        if (!lower.startsWith("data:") || comma < 0) {
            throw bad(what + " must be a data: URI (data:<mime>;base64,<data>) or an http(s) URL", param);
        }
        String meta = url.substring(5, comma);
        if (!meta.toLowerCase(Locale.ROOT).endsWith(";base64")) {
            throw bad(what + " data: URI must be base64 encoded (data:<mime>;base64,<data>)", param);
        }
        String mime = meta.substring(0, meta.length() - 7).trim();
        if (mime.isEmpty() || mime.indexOf('/') < 0) {
            throw bad(what + " data: URI must name its mime type, e.g. data:image/png;base64,...", param);
        }
        String canonical = MediaTypes.canonical(mime);
        if (canonical == null) {
            throw bad("the mime type '" + abbreviate(mime) + "' is not supported by Gemini; supported: " + MediaTypes.SUPPORTED,
                    param);
        }
        String data = url.substring(comma + 1);
        if (data.isEmpty()) {
            throw bad("the " + what.substring(what.indexOf(' ') + 1) + " data: URI carries no data", param);
        }
        checkBase64(data, param);
        return new DataUri(canonical, data);
    }

    private static void checkBase64(String data, String param) {
        if (!MediaTypes.looksLikeBase64(data)) {
            throw bad("'" + param + "' does not hold valid base64 data", param);
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
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

    /** tools[] ({@code wrapped}: {type:function, function:{...}}) or the legacy functions[] (the function itself). */
    private static List<ToolDefinition> parseTools(Object v, String field, boolean wrapped) {
        if (v == null) {
            return List.of();
        }
        List<Object> list = Json.asList(v);
        if (list == null) {
            throw bad("'" + field + "' must be an array", field);
        }
        List<ToolDefinition> out = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>();
        for (int k = 0; k < list.size(); k++) {
            String p = field + "[" + k + "]";
            Map<String, Object> t = Json.asObject(list.get(k));
            if (t == null) {
                throw bad("'" + p + "' must be an object", p);
            }
            Map<String, Object> fn = t;
            String fp = p;
            if (wrapped) {
                if (!"function".equals(t.get("type"))) {
                    continue; // other tool types (web search, ...) have no Gemini equivalent here
                }
                fn = Json.obj(t, "function");
                fp = p + ".function";
            }
            if (fn == null || !(fn.get("name") instanceof String name) || name.isEmpty()) {
                throw bad("'" + fp + ".name' is required", fp + ".name");
            }
            if (!TOOL_NAME.matcher(name).matches()) {
                throw bad("'" + fp + ".name' must be 1-64 characters of a-z, A-Z, 0-9, _ . : - and start with a letter or _ "
                        + "(Gemini's rule for function names); got '" + abbreviate(name) + "'", fp + ".name");
            }
            if (!names.add(name)) {
                throw bad("function '" + name + "' is declared twice in '" + field + "'", fp + ".name");
            }
            Object params = fn.get("parameters");
            if (params != null && !(params instanceof Map)) {
                throw bad("'" + fp + ".parameters' must be an object", fp + ".parameters");
            }
            Object desc = fn.get("description");
            if (desc != null && !(desc instanceof String)) {
                throw bad("'" + fp + ".description' must be a string", fp + ".description");
            }
            out.add(new ToolDefinition(name, (String) desc, Json.asObject(params)));
        }
        return List.copyOf(out);
    }

    private static String parseReasoningEffort(Object v) {
        if (v == null) {
            return null;
        }
        if (v instanceof String s) {
            String e = s.trim().toLowerCase(Locale.ROOT);
            switch (e) {
                case "none", "minimal", "low", "medium", "high" -> {
                    return e;
                }
                case "xhigh", "max" -> {
                    // OpenAI's efforts above high (the official SDKs offer both): the most Gemini thinks.
                    return "high";
                }
                default -> { }
            }
        }
        throw bad("'reasoning_effort' must be one of none, minimal, low, medium, high (xhigh and max read as high)", "reasoning_effort");
    }

    /** extra_body.google.thinking_config, else google.thinking_config, else hajimi's top-level thinking_budget. */
    private static ThinkingRequest parseThinking(Map<String, Object> raw) {
        String[][] places = {{"extra_body", "google", "thinking_config"}, {"google", "thinking_config"}};
        for (String[] place : places) {
            Object cur = raw;
            String path = "";
            for (String key : place) {
                path = path.isEmpty() ? key : path + "." + key;
                Object next = cur instanceof Map ? Json.asObject(cur).get(key) : null;
                if (next != null && !(next instanceof Map)) {
                    throw bad("'" + path + "' must be an object", path);
                }
                cur = next;
            }
            Map<String, Object> tc = Json.asObject(cur);
            if (tc != null) {
                Long budget = integer(tc, pick(tc, "thinking_budget", "thinkingBudget"), path);
                if (budget != null && budget < -1) {
                    throw bad("'" + path + ".thinking_budget' must be -1 (dynamic), 0 (off) or a token count", path + ".thinking_budget");
                }
                String level = null;
                String lk = pick(tc, "thinking_level", "thinkingLevel");
                Object lv = tc.get(lk);
                if (lv != null) {
                    String l = lv instanceof String ls ? ls.trim().toUpperCase(Locale.ROOT) : "";
                    if (!List.of("MINIMAL", "LOW", "MEDIUM", "HIGH").contains(l)) {
                        throw bad("'" + path + "." + lk + "' must be one of minimal, low, medium, high", path + "." + lk);
                    }
                    level = l;
                }
                String ik = pick(tc, "include_thoughts", "includeThoughts");
                Object inc = tc.get(ik);
                if (inc != null && !(inc instanceof Boolean)) {
                    throw bad("'" + path + "." + ik + "' must be a boolean", path + "." + ik);
                }
                return new ThinkingRequest(budget, level, (Boolean) inc);
            }
        }
        Long budget = integer(raw, "thinking_budget");
        if (budget != null && budget < -1) {
            throw bad("'thinking_budget' must be -1 (dynamic), 0 (off) or a token count", "thinking_budget");
        }
        return new ThinkingRequest(budget, null, null);
    }

    private static String pick(Map<String, Object> m, String snake, String camel) {
        return m.get(snake) == null && m.get(camel) != null ? camel : snake;
    }

    private static ResponseFormat parseResponseFormat(Object v) {
        if (v == null) {
            return null;
        }
        Map<String, Object> rf = Json.asObject(v);
        if (rf == null) {
            throw bad("'response_format' must be an object", "response_format");
        }
        Object type = rf.get("type");
        if ("text".equals(type)) {
            return null;
        }
        if ("json_object".equals(type)) {
            return new ResponseFormat(ResponseFormat.Type.JSON_OBJECT, null);
        }
        if ("json_schema".equals(type)) {
            Map<String, Object> js = Json.obj(rf, "json_schema");
            if (js == null) {
                throw bad("'response_format.json_schema' must be an object with a 'schema'", "response_format.json_schema");
            }
            Object schema = js.get("schema");
            if (schema != null && !(schema instanceof Map)) {
                throw bad("'response_format.json_schema.schema' must be an object", "response_format.json_schema.schema");
            }
            return schema == null ? new ResponseFormat(ResponseFormat.Type.JSON_OBJECT, null)
                    : new ResponseFormat(ResponseFormat.Type.JSON_SCHEMA, Json.asObject(schema));
        }
        throw bad("'response_format.type' must be text, json_object or json_schema", "response_format.type");
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
        if (out.size() > MAX_STOP_SEQUENCES) {
            throw bad("'stop' may hold at most " + MAX_STOP_SEQUENCES + " sequences (Gemini's limit); got " + out.size(), "stop");
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
        return integer(m, key, "");
    }

    private static Long integer(Map<String, Object> m, String field, String prefix) {
        String key = prefix.isEmpty() ? field : prefix + "." + field;
        Object v = m.get(field);
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
