package gemgate.core.translate;

import gemgate.core.error.ApiError;
import gemgate.core.error.ApiException;
import gemgate.core.json.Json;
import gemgate.core.models.ModelTraits;
import gemgate.core.models.ModelVariant;
import gemgate.core.openai.ChatRequest;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import java.util.regex.Pattern;

/**
 * OpenAI chat request to Gemini generateContent body. Leading system/developer messages become systemInstruction;
 * later ones stay where they are as user text (SillyTavern's author's notes depend on their position). Consecutive
 * turns with the same Gemini role are merged, because Gemini wants alternating turns, except that function responses
 * keep a turn of their own right after the call turn they answer. The model name may carry the proxy's suffixes
 * ({@link ModelVariant}): {@code -thinking}, {@code -nothinking}, {@code -search}.
 *
 * <p>The work is split by part of the body: {@link ContentsTranslation} (messages), {@link ToolsTranslation} (tools and
 * toolConfig) and {@link GenerationTranslation} (safetySettings, generationConfig, thinkingConfig).
 */
public final class ChatToGemini {
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
        ContentsTranslation contents = ContentsTranslation.of(req.messages(), model, fetched);
        if (variant.search() && !opts.searchPrompt().isEmpty()) {
            // hajimi puts the search prompt two turns from the end, as a user turn of its own.
            contents.insertUserText(Math.max(0, contents.size() - 2), opts.searchPrompt());
        }
        if (opts.randomString()) {
            // hajimi's "disguise": one random user turn after the first turn, one before the last.
            contents.insertUserText(Math.min(1, contents.size()), randomText(random, opts.randomStringLength()));
            contents.insertUserText(contents.size() - 1, randomText(random, opts.randomStringLength()));
        }
        Map<String, Object> body = Json.object("contents", contents.contents());
        if (!contents.systemParts().isEmpty()) {
            body.put("systemInstruction", Json.object("parts", contents.systemParts()));
        }
        ToolsTranslation.tools(req, model, variant.search(), body);
        List<Object> safety = GenerationTranslation.safetySettings(model, opts);
        if (!safety.isEmpty()) {
            body.put("safetySettings", safety);
        }
        Map<String, Object> gen = GenerationTranslation.generationConfig(req, model);
        Map<String, Object> thinking = GenerationTranslation.thinkingConfig(req, model, variant, opts);
        if (thinking != null) {
            gen.put("thinkingConfig", thinking);
        }
        if (!gen.isEmpty()) {
            body.put("generationConfig", gen);
        }
        return body;
    }

    private static String randomText(RandomGenerator random, int length) {
        StringBuilder sb = new StringBuilder(length);
        for (int k = 0; k < length; k++) {
            sb.append(RANDOM_ALPHABET.charAt(random.nextInt(RANDOM_ALPHABET.length())));
        }
        return sb.toString();
    }

    /** For tests and other callers that want the old name: the most permissive threshold for a model. */
    static String thresholdFor(String model) {
        return ModelTraits.permissiveThreshold(model);
    }

    // ---- helpers ----

    private static String stripPrefix(String model) {
        String m = model == null ? "" : model.trim();
        return m.startsWith("models/") ? m.substring("models/".length()) : m;
    }

    /** {@code s} cut to 60 characters for error messages; "" for null. */
    static String abbreviate(String s) {
        if (s == null) {
            return "";
        }
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }
}
