package gemgate.core.models;

import gemgate.core.error.ApiError;
import gemgate.core.error.ApiException;
import gemgate.core.json.Json;
import gemgate.core.json.JsonException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Google's own model list format for native Gemini clients: the entries exactly as Google listed them (name,
 * version, displayName, description, token limits, supportedGenerationMethods, temperature, thinking…), filtered by
 * the proxy's model filter, paged with {@code pageSize} and {@code pageToken} like {@code GET /v1beta/models}.
 *
 * <p>Unlike Google (50 per page by default), a request without {@code pageSize} gets every model in one page: the
 * list is local, and clients that loop on {@code nextPageToken} work either way. Page tokens are offsets into the
 * cached list; a refresh between two pages may shift them, which at worst repeats or skips an entry.
 */
public final class GeminiModelList {
    /** Google's own maximum page size for models.list. */
    public static final int MAX_PAGE_SIZE = 1000;

    private GeminiModelList() {}

    /** The raw entries of one {@code GET /v1beta/models} page (those with a name), in order; unreadable → empty. */
    public static List<Map<String, Object>> entries(byte[] pageBody) {
        Map<String, Object> tree;
        try {
            tree = Json.parseObject(pageBody);
        } catch (JsonException e) {
            return List.of();
        }
        List<Map<String, Object>> out = new ArrayList<>();
        List<Object> list = Json.list(tree, "models");
        for (Object o : list == null ? List.of() : list) {
            Map<String, Object> m = Json.asObject(o);
            if (m != null && Json.str(m, "name") != null && !id(m).isBlank()) {
                out.add(m);
            }
        }
        return out;
    }

    /**
     * One page of the allowed models: {@code {"models":[…],"nextPageToken":"…"}} (the token only when more follow).
     *
     * @param pageSize  entries per page; 0 or less = all, more than {@value #MAX_PAGE_SIZE} = {@value #MAX_PAGE_SIZE}
     * @param pageToken null or empty for the first page, else a token from an earlier page
     * @throws ApiException 400 for a page token this list did not hand out
     */
    public static byte[] page(List<Map<String, Object>> entries, ModelFilter filter, int pageSize, String pageToken) {
        List<Map<String, Object>> allowed = allowed(entries, filter);
        int offset = 0;
        if (pageToken != null && !pageToken.isEmpty()) {
            offset = parseToken(pageToken);
            if (offset > allowed.size()) {
                throw new ApiException(ApiError.badRequest("Invalid page token.", "pageToken"));
            }
        }
        int size = pageSize <= 0 ? allowed.size() : Math.min(pageSize, MAX_PAGE_SIZE);
        int end = (int) Math.min((long) offset + size, allowed.size());
        List<Object> models = new ArrayList<>(allowed.subList(offset, end));
        Map<String, Object> out = Json.object("models", models);
        if (end < allowed.size()) {
            out.put("nextPageToken", "o" + end);
        }
        return Json.write(out);
    }

    /** The entry for {@code id} (with or without "models/"), or null when unknown or not allowed. */
    public static Map<String, Object> find(List<Map<String, Object>> entries, ModelFilter filter, String id) {
        String want = id.startsWith("models/") ? id.substring("models/".length()) : id;
        for (Map<String, Object> m : entries) {
            if (id(m).equals(want)) {
                return filter.allows(want) ? m : null;
            }
        }
        return null;
    }

    private static List<Map<String, Object>> allowed(List<Map<String, Object>> entries, ModelFilter filter) {
        List<Map<String, Object>> out = new ArrayList<>(entries.size());
        Set<String> seen = new HashSet<>();
        for (Map<String, Object> m : entries) {
            String id = id(m);
            if (filter.allows(id) && seen.add(id)) {
                out.add(m);
            }
        }
        return out;
    }

    private static String id(Map<String, Object> m) {
        String name = Json.str(m, "name");
        return name.startsWith("models/") ? name.substring("models/".length()) : name;
    }

    private static int parseToken(String token) {
        if (token.length() > 1 && token.length() < 11 && token.charAt(0) == 'o') {
            try {
                int n = Integer.parseInt(token.substring(1));
                if (n >= 0) {
                    return n;
                }
            } catch (NumberFormatException ignored) {
                // falls through to the 400
            }
        }
        throw new ApiException(ApiError.badRequest("Invalid page token.", "pageToken"));
    }
}
