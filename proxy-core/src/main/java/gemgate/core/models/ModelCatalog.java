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
        Set<String> seen = new LinkedHashSet<>();
        List<Object> data = new ArrayList<>();
        for (GeminiModel m : models) {
            if (m.id().isBlank() || !m.chatCapable() || !filter.allows(m.id()) || !seen.add(m.id())) {
                continue;
            }
            data.add(Json.object("id", m.id(), "object", "model", "created", createdEpochSeconds, "owned_by", "google"));
        }
        return Json.write(Json.object("object", "list", "data", data));
    }
}
