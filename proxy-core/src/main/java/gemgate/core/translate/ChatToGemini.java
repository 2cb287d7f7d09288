package gemgate.core.translate;

import gemgate.core.error.ApiError;
import gemgate.core.error.ApiException;
import gemgate.core.gemini.MediaTypes;
import gemgate.core.json.Json;
import gemgate.core.json.JsonException;
import gemgate.core.models.ModelTraits;
import gemgate.core.models.ModelVariant;
import gemgate.core.openai.ChatMessage;
import gemgate.core.openai.ChatRequest;
import gemgate.core.openai.ContentPart;
import gemgate.core.openai.ResponseFormat;
import gemgate.core.openai.ToolCall;
import gemgate.core.openai.ToolDefinition;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.random.RandomGenerator;
import java.util.regex.Pattern;

/**
 * OpenAI chat request to Gemini generateContent body. Leading system/developer messages become systemInstruction;
 * later ones stay where they are as user text (SillyTavern's author's notes depend on their position). Consecutive
 * turns with the same Gemini role are merged, because Gemini wants alternating turns, except that function responses
 * keep a turn of their own right after the call turn they answer. The model name may carry the proxy's suffixes
 * ({@link ModelVariant}): {@code -thinking}, {@code -nothinking}, {@code -search}.
 */
public final class ChatToGemini {
    /** Google's documented stand-in for a Gemini 3 functionCall replayed without its thoughtSignature. */
    static final String SKIP_SIGNATURE = "skip_thought_signature_validator";
    static final List<String> HARM_CATEGORIES = List.of("HARM_CATEGORY_HARASSMENT", "HARM_CATEGORY_HATE_SPEECH",
            "HARM_CATEGORY_SEXUALLY_EXPLICIT", "HARM_CATEGORY_DANGEROUS_CONTENT", "HARM_CATEGORY_CIVIC_INTEGRITY");
    private static final Pattern MODEL_SEGMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final String RANDOM_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final RandomGenerator RANDOM = new SecureRandom();

    private ChatToGemini() {}

    /** "models/gemini-2.5-flash-thinking" to "gemini-2.5-flash": the path segment used upstream, without the proxy's
     *  variant suffixes. Anything that could escape the path segment is a 400 naming 'model'. */
    public static String upstreamModel(String clientModel) {
        String m = clientModel == null ? "" : clientModel.trim();
        if (m.startsWith("models/")) {
            m = m.substring("models/".length());
        }
        m = ModelVariant.parse(m).base();
        if (!MODEL_SEGMENT.matcher(m).matches() || m.length() > 200) {
            throw new ApiException(ApiError.badRequest("'model' must be a Gemini model name such as gemini-2.5-flash; got '"
                    + abbreviate(clientModel) + "'", "model"));
        }
        return m;
    }

    /** The generateContent / streamGenerateContent request body (UTF-8 JSON), for a request without remote media. */
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

    public static Map<String, Object> generateContentTree(ChatRequest req, TranslateOptions opts, Map<String, RemoteMedia> fetched) {
        return generateContentTree(req, opts, fetched, RANDOM);
    }

    /** {@code random} draws RANDOM_STRING texts (tests pass a seeded one). */
    static Map<String, Object> generateContentTree(ChatRequest req, TranslateOptions opts, Map<String, RemoteMedia> fetched,
                                                   RandomGenerator random) {
        String model = upstreamModel(req.model());
        ModelVariant variant = ModelVariant.parse(stripPrefix(req.model()));
        if (variant.search() && !opts.searchMode()) {
            throw new ApiException(new ApiError(404, "invalid_request_error", "model_not_found", "The model '"
                    + abbreviate(req.model()) + "' does not exist: -search variants need SEARCH_MODE=true on this proxy.",
                    "model", 0));
        }
        List<ChatMessage> msgs = req.messages();
        List<Object> systemParts = new ArrayList<>();
        int i = 0;
        for (; i < msgs.size() && msgs.get(i).role().isSystem(); i++) {
            systemParts.addAll(textOnlyParts(msgs.get(i), i));
        }
        boolean gemini3 = ModelTraits.isGemini3OrLater(model);
        Map<String, String> toolNames = new HashMap<>();
        List<Turn> turns = new ArrayList<>();
        for (; i < msgs.size(); i++) {
            ChatMessage m = msgs.get(i);
            String at = "messages[" + i + "]";
            switch (m.role()) {
                case SYSTEM, DEVELOPER -> add(turns, "user", Kind.PLAIN, textOnlyParts(m, i));
                case USER -> add(turns, "user", Kind.PLAIN, parts(m, at, fetched));
                case ASSISTANT -> {
                    List<Object> parts = parts(m, at, fetched);
                    for (int k = 0; k < m.toolCalls().size(); k++) {
                        ToolCall tc = m.toolCalls().get(k);
                        if (tc.id() != null) {
                            toolNames.put(tc.id(), tc.name());
                        }
                        String param = at + (tc.id() == null && m.toolCalls().size() == 1 && k == 0
                                ? ".function_call.arguments" : ".tool_calls[" + k + "].function.arguments");
                        Map<String, Object> part = Json.object("functionCall",
                                Json.object("name", tc.name(), "args", arguments(tc.arguments(), param)));
                        String signature = ToolCallIds.signatureOf(tc.id());
                        if (signature == null && gemini3 && k == 0) {
                            // Gemini 3 validates the first call of each step; the client lost (or never had) ours.
                            signature = SKIP_SIGNATURE;
                        }
                        if (signature != null) {
                            part.put("thoughtSignature", signature);
                        }
                        parts.add(part);
                    }
                    add(turns, "model", m.toolCalls().isEmpty() ? Kind.PLAIN : Kind.CALLS, parts);
                }
                case TOOL -> {
                    String name = m.toolCallId() == null ? null : toolNames.get(m.toolCallId());
                    if (name == null) {
                        name = m.name(); // the legacy "function" role, or a client that rewrote the ids
                    }
                    if (name == null) {
                        throw new ApiException(ApiError.badRequest("'" + at + ".tool_call_id' does not match the id of "
                                + "any earlier assistant tool call", at + ".tool_call_id"));
                    }
                    List<Object> parts = new ArrayList<>();
                    parts.add(Json.object("functionResponse", Json.object("name", name, "response", toolResult(m.text()))));
                    add(turns, "user", Kind.RESPONSES, parts);
                }
                default -> throw new IllegalStateException("unhandled role " + m.role());
            }
        }
        if (turns.isEmpty()) {
            throw new ApiException(ApiError.badRequest("messages must contain at least one non-empty user or assistant message",
                    "messages"));
        }
        if (variant.search() && !opts.searchPrompt().isEmpty()) {
            // hajimi puts the search prompt two turns from the end, as a user turn of its own.
            insertUserText(turns, Math.max(0, turns.size() - 2), opts.searchPrompt());
        }
        if (opts.randomString()) {
            // hajimi's "disguise": one random user turn after the first turn, one before the last.
            insertUserText(turns, Math.min(1, turns.size()), randomText(random, opts.randomStringLength()));
            insertUserText(turns, turns.size() - 1, randomText(random, opts.randomStringLength()));
        }
        List<Object> contents = new ArrayList<>(turns.size());
        for (Turn t : turns) {
            contents.add(Json.object("role", t.role, "parts", t.parts));
        }
        Map<String, Object> body = Json.object("contents", contents);
        if (!systemParts.isEmpty()) {
            body.put("systemInstruction", Json.object("parts", systemParts));
        }
        tools(req, model, variant.search(), body);
        List<Object> safety = safetySettings(model, opts);
        if (!safety.isEmpty()) {
            body.put("safetySettings", safety);
        }
        Map<String, Object> gen = generationConfig(req, model);
        Map<String, Object> thinking = thinkingConfig(req, model, variant, opts);
        if (thinking != null) {
            gen.put("thinkingConfig", thinking);
        }
        if (!gen.isEmpty()) {
            body.put("generationConfig", gen);
        }
        return body;
    }

    // ---- contents ----

    private enum Kind { PLAIN, CALLS, RESPONSES }

    private static final class Turn {
        final String role;
        final Kind kind;
        final List<Object> parts;

        Turn(String role, Kind kind, List<Object> parts) {
            this.role = role;
            this.kind = kind;
            this.parts = parts;
        }
    }

    /** Appends parts, merging into the last turn when the role matches, except across a function-response turn. */
    private static void add(List<Turn> turns, String role, Kind kind, List<Object> parts) {
        if (parts.isEmpty()) {
            return; // Gemini rejects empty text parts and empty turns
        }
        Turn last = turns.isEmpty() ? null : turns.get(turns.size() - 1);
        if (last != null && last.role.equals(role) && (last.kind == Kind.RESPONSES) == (kind == Kind.RESPONSES)) {
            last.parts.addAll(parts);
            if (kind == Kind.CALLS && last.kind != Kind.CALLS) {
                turns.set(turns.size() - 1, new Turn(role, Kind.CALLS, last.parts));
            }
            return;
        }
        turns.add(new Turn(role, kind, new ArrayList<>(parts)));
    }

    /**
     * Inserts a user text turn at {@code index}, moved earlier when that would split a function call turn from the
     * responses that answer it (Gemini 3 rejects that, and it confuses every model).
     */
    private static void insertUserText(List<Turn> turns, int index, String text) {
        int at = Math.max(0, Math.min(index, turns.size()));
        while (at > 0 && (turns.get(at - 1).kind == Kind.CALLS
                || at < turns.size() && turns.get(at).kind == Kind.RESPONSES)) {
            at--;
        }
        List<Object> parts = new ArrayList<>();
        parts.add(Json.object("text", text));
        turns.add(at, new Turn("user", Kind.PLAIN, parts));
    }

    private static String randomText(RandomGenerator random, int length) {
        StringBuilder sb = new StringBuilder(length);
        for (int k = 0; k < length; k++) {
            sb.append(RANDOM_ALPHABET.charAt(random.nextInt(RANDOM_ALPHABET.length())));
        }
        return sb.toString();
    }

    private static List<Object> parts(ChatMessage m, String at, Map<String, RemoteMedia> fetched) {
        List<Object> out = new ArrayList<>();
        for (int j = 0; j < m.content().size(); j++) {
            ContentPart p = m.content().get(j);
            if (p instanceof ContentPart.Text t) {
                if (!t.text().isEmpty()) {
                    out.add(Json.object("text", t.text()));
                }
            } else if (p instanceof ContentPart.Image img) {
                out.add(inline(img.mimeType(), img.base64Data()));
            } else if (p instanceof ContentPart.Media media) {
                out.add(inline(media.mimeType(), media.base64Data()));
            } else if (p instanceof ContentPart.Remote r) {
                out.add(remote(r, fetched, at + ".content[" + j + "].image_url"));
            }
        }
        return out;
    }

    private static Map<String, Object> inline(String mime, String base64) {
        return Json.object("inlineData", Json.object("mimeType", mime, "data", base64));
    }

    private static Map<String, Object> remote(ContentPart.Remote r, Map<String, RemoteMedia> fetched, String param) {
        RemoteMedia media = fetched == null ? null : fetched.get(r.url());
        if (media == null) {
            throw new ApiException(ApiError.badRequest("image URLs are not fetched: remote image fetching is disabled on this "
                    + "proxy. Send the image as a data: URI (data:image/png;base64,...) or ask the operator to enable remote "
                    + "media fetching (FETCH_REMOTE_MEDIA=true).", param));
        }
        String mime = MediaTypes.canonical(media.mimeType());
        if (mime == null || !MediaTypes.isBinaryMedia(mime)) {
            throw new ApiException(ApiError.badRequest("the file at '" + abbreviate(r.url()) + "' is '"
                    + abbreviate(media.mimeType()) + "', which Gemini does not accept; supported: " + MediaTypes.SUPPORTED, param));
        }
        return inline(mime, Base64.getEncoder().encodeToString(media.data()));
    }

    /** System text goes to systemInstruction or a user turn; an image there is almost surely a client bug. */
    private static List<Object> textOnlyParts(ChatMessage m, int index) {
        List<Object> out = new ArrayList<>();
        for (int j = 0; j < m.content().size(); j++) {
            if (!(m.content().get(j) instanceof ContentPart.Text t)) {
                throw new ApiException(ApiError.badRequest("system and developer messages may contain only text",
                        "messages[" + index + "].content[" + j + "]"));
            }
            if (!t.text().isEmpty()) {
                out.add(Json.object("text", t.text()));
            }
        }
        return out;
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

    /** A tool message's text: the object itself when it is a JSON object, else {"result": text}. */
    private static Map<String, Object> toolResult(String text) {
        String t = text.trim();
        if (t.startsWith("{")) {
            try {
                Map<String, Object> obj = Json.asObject(Json.parse(t));
                if (obj != null) {
                    return obj;
                }
            } catch (JsonException e) {
                // not JSON after all: send it as text
            }
        }
        return Json.object("result", text);
    }

    // ---- tools ----

    private static void tools(ChatRequest req, String model, boolean search, Map<String, Object> body) {
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

    // ---- safety ----

    /**
     * relaxSafety: all five categories at the most permissive threshold the model takes (OFF on 2.5 and later,
     * BLOCK_NONE before); then the per-category settings, with OFF read as BLOCK_NONE on models without OFF.
     */
    private static List<Object> safetySettings(String model, TranslateOptions opts) {
        String permissive = ModelTraits.permissiveThreshold(model);
        Map<String, String> chosen = new LinkedHashMap<>();
        if (opts.relaxSafety()) {
            for (String c : HARM_CATEGORIES) {
                chosen.put(c, permissive);
            }
        }
        opts.safetyThresholds().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            String threshold = e.getValue();
            if ("OFF".equals(threshold) && !"OFF".equals(permissive)) {
                threshold = "BLOCK_NONE";
            }
            chosen.put(e.getKey(), threshold);
        });
        List<Object> out = new ArrayList<>();
        chosen.forEach((c, t) -> out.add(Json.object("category", c, "threshold", t)));
        return out;
    }

    /** For tests and other callers that want the old name: the most permissive threshold for a model. */
    static String thresholdFor(String model) {
        return ModelTraits.permissiveThreshold(model);
    }

    // ---- generationConfig ----

    private static Map<String, Object> generationConfig(ChatRequest req, String model) {
        Map<String, Object> g = Json.object();
        putIfPresent(g, "temperature", req.temperature());
        putIfPresent(g, "topP", req.topP());
        putIfPresent(g, "topK", req.topK());
        putIfPresent(g, "maxOutputTokens", req.maxTokens());
        if (!req.stop().isEmpty()) {
            g.put("stopSequences", req.stop());
        }
        putIfPresent(g, "seed", req.seed());
        // SillyTavern always sends 0 penalties, and Gemini 2.5 and later answer any penalty with 400 "Penalty is not
        // enabled for models/..." (recorded), so they go only to the older models that take them.
        if (ModelTraits.permissiveThreshold(model).equals("BLOCK_NONE")) {
            if (nonZero(req.presencePenalty())) {
                g.put("presencePenalty", req.presencePenalty());
            }
            if (nonZero(req.frequencyPenalty())) {
                g.put("frequencyPenalty", req.frequencyPenalty());
            }
        }
        if (req.n() > 1) {
            g.put("candidateCount", (long) req.n());
        }
        if (req.logprobs()) {
            g.put("responseLogprobs", true);
            if (req.topLogprobs() != null && req.topLogprobs() > 0) {
                g.put("logprobs", (long) req.topLogprobs());
            }
        }
        ResponseFormat rf = req.responseFormat();
        if (rf != null) {
            g.put("responseMimeType", "application/json");
            if (rf.type() == ResponseFormat.Type.JSON_SCHEMA) {
                // responseJsonSchema takes JSON Schema as clients write it; responseSchema (OpenAPI subset) would need
                // a lossy conversion. The cleaner keeps the documented keywords only.
                g.put("responseJsonSchema", SchemaCleaner.clean(rf.schema(), "response_format.json_schema.schema"));
            }
        }
        return g;
    }

    // ---- thinking ----

    /**
     * The thinkingConfig, or null. Nothing at all when ENABLE_THINKING is off or the model does not think (hajimi's
     * #304). What the client asked for, strongest first: the model suffix, Google's thinking_config (or hajimi's
     * thinking_budget), reasoning_effort; then clamped to what the model accepts (budget range, level set).
     */
    static Map<String, Object> thinkingConfig(ChatRequest req, String model, ModelVariant variant, TranslateOptions opts) {
        if (!opts.enableThinking()) {
            return null;
        }
        ModelTraits.Thinking t = ModelTraits.thinking(model);
        if (!t.thinks()) {
            return null;
        }
        Map<String, Object> cfg = Json.object();
        if (variant.thinking() == ModelVariant.Force.ON) {
            applyEffort(t, "dynamic", cfg);
        } else if (variant.thinking() == ModelVariant.Force.OFF) {
            applyEffort(t, "none", cfg);
        } else if (req.thinking().budget() != null) {
            applyBudget(t, req.thinking().budget(), cfg);
        } else if (req.thinking().level() != null) {
            applyEffort(t, req.thinking().level().toLowerCase(Locale.ROOT), cfg);
        } else if (req.reasoningEffort() != null) {
            applyEffort(t, req.reasoningEffort(), cfg);
        }
        boolean off = Long.valueOf(0).equals(cfg.get("thinkingBudget"));
        if (!off && opts.thoughtDisplay() != TranslateOptions.ThoughtDisplay.HIDDEN
                && !Boolean.FALSE.equals(req.thinking().includeThoughts())) {
            cfg.put("includeThoughts", true);
        }
        return cfg.isEmpty() ? null : cfg;
    }

    /** effort: none, minimal, low, medium, high or dynamic (as much as the model decides). */
    private static void applyEffort(ModelTraits.Thinking t, String effort, Map<String, Object> cfg) {
        if (t.control() == ModelTraits.Control.BUDGET) {
            long budget = switch (effort) {
                case "none" -> t.canTurnOff() ? 0 : t.minBudget();
                case "minimal" -> 512;
                case "low" -> 1024;
                case "medium" -> 8192;
                case "high" -> 24576;
                default -> -1;
            };
            cfg.put("thinkingBudget", budget <= 0 ? budget : clamp(budget, t.minBudget(), t.maxBudget()));
            return;
        }
        List<String> levels = t.levels();
        String level = switch (effort) {
            case "none" -> levels.get(0);
            case "minimal" -> levels.contains("MINIMAL") ? "MINIMAL" : levels.get(0);
            case "low" -> "LOW";
            case "medium" -> levels.contains("MEDIUM") ? "MEDIUM" : "HIGH";
            default -> "HIGH";
        };
        cfg.put("thinkingLevel", level);
    }

    private static void applyBudget(ModelTraits.Thinking t, long budget, Map<String, Object> cfg) {
        if (t.control() == ModelTraits.Control.BUDGET) {
            long b;
            if (budget < 0) {
                b = -1;
            } else if (budget == 0) {
                b = t.canTurnOff() ? 0 : t.minBudget();
            } else {
                b = clamp(budget, t.minBudget(), t.maxBudget());
            }
            cfg.put("thinkingBudget", b);
            return;
        }
        // Gemini 3 takes levels; sending a budget too is a 400 ("only one of thinking budget and thinking level").
        if (budget < 0) {
            return; // dynamic = the model's default level
        }
        applyEffort(t, budget == 0 ? "none" : budget <= 1024 ? "low" : budget <= 8192 ? "medium" : "high", cfg);
    }

    private static long clamp(long v, long min, long max) {
        return Math.max(min, Math.min(max, v));
    }

    // ---- helpers ----

    private static String stripPrefix(String model) {
        String m = model == null ? "" : model.trim();
        return m.startsWith("models/") ? m.substring("models/".length()) : m;
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
