package gemgate.core.models;

import gemgate.core.error.ApiError;
import gemgate.core.error.ApiException;
import gemgate.core.json.Json;
import gemgate.core.json.JsonException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Gemini's models.list pages in, OpenAI's model list out. */
public final class ModelCatalog {
    private ModelCatalog() {}

    /** One page of {@code GET /v1beta/models}; {@code nextPageToken} is null on the last page. */
    public record Page(List<GeminiModel> models, String nextPageToken) {
        public Page {
            models = List.copyOf(models);
        }
    }

    /** Parses a {@code GET /v1beta/models} body; throws ApiException (upstreamFailed) if it is not a JSON object.
     *  Entries without a name are skipped. */
    public static Page parsePage(byte[] geminiModelsListBody) {
        Map<String, Object> tree;
        try {
            tree = Json.parseObject(geminiModelsListBody);
        } catch (JsonException e) {
            throw new ApiException(ApiError.upstreamFailed("Gemini sent an unreadable model list: " + e.getMessage()));
        }
        List<GeminiModel> models = new ArrayList<>();
        List<Object> list = Json.list(tree, "models");
        if (list != null) {
            for (Object o : list) {
                Map<String, Object> m = Json.asObject(o);
                String name = Json.str(m, "name");
                if (name == null) {
                    continue;
                }
                String id = name.startsWith("models/") ? name.substring("models/".length()) : name;
                if (id.isBlank()) {
                    continue;
                }
                List<String> methods = new ArrayList<>();
                List<Object> ml = Json.list(m, "supportedGenerationMethods");
                if (ml != null) {
                    for (Object x : ml) {
                        if (x instanceof String s) {
                            methods.add(s);
                        }
                    }
                }
                models.add(new GeminiModel(id, Json.str(m, "displayName"), methods,
                        Json.num(m, "inputTokenLimit", 0), Json.num(m, "outputTokenLimit", 0)));
            }
        }
        String next = Json.str(tree, "nextPageToken");
        return new Page(models, next == null || next.isEmpty() ? null : next);
    }

    /** OpenAI {@code {"object":"list","data":[{"id","object":"model","created","owned_by":"google"}]}} of the
     *  chat-capable models the filter allows, without duplicates or empty ids, in upstream order. */
    public static byte[] openAiList(List<GeminiModel> models, ModelFilter filter, long createdEpochSeconds) {
        return openAiList(models, filter, createdEpochSeconds, Variants.NONE);
    }

    /**
     * Which derived entries the list offers after each model: {@code thinking} = {@code <m>-thinking} and
     * {@code <m>-nothinking} for models that think (ENABLE_THINKING), {@code search} = {@code <m>-search} for Gemini
     * models (SEARCH_MODE).
     */
    public record Variants(boolean thinking, boolean search) {
        public static final Variants NONE = new Variants(false, false);
    }

    /** As {@link #openAiList(List, ModelFilter, long)}, with each model's variants listed right after it. */
    public static byte[] openAiList(List<GeminiModel> models, ModelFilter filter, long createdEpochSeconds, Variants variants) {
        Set<String> seen = new LinkedHashSet<>();
        List<Object> data = new ArrayList<>();
        for (GeminiModel m : models) {
            if (m.id().isBlank() || !m.chatCapable() || !filter.allows(m.id()) || !seen.add(m.id())) {
                continue;
            }
            data.add(entry(m.id(), createdEpochSeconds));
            if (ModelVariant.parse(m.id()).hasSuffix()) {
                continue; // an upstream id that already looks like a variant gets no variants of its own
            }
            List<String> derived = new ArrayList<>();
            if (variants.thinking() && ModelTraits.thinking(m.id()).thinks()) {
                derived.add(m.id() + ModelVariant.THINKING);
                derived.add(m.id() + ModelVariant.NO_THINKING);
            }
            if (variants.search() && ModelTraits.supportsSearch(m.id())) {
                derived.add(m.id() + ModelVariant.SEARCH);
            }
            for (String id : derived) {
                if (seen.add(id)) {
                    data.add(entry(id, createdEpochSeconds));
                }
            }
        }
        return Json.write(Json.object("object", "list", "data", data));
    }

    private static Map<String, Object> entry(String id, long created) {
        return Json.object("id", id, "object", "model", "created", created, "owned_by", "google");
    }
}
