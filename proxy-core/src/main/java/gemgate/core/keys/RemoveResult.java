package gemgate.core.keys;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@link KeyPool#remove} did. {@code stillInEnvironment}: the key came from GEMINI_API_KEYS, so a tombstone now
 * keeps it out after restarts; it stays listed there until the operator deletes it. {@code message} says so in words.
 */
public record RemoveResult(boolean removed, String id, String masked, PooledKey.Source source,
        boolean stillInEnvironment, String message) {

    static RemoveResult notFound(String id) {
        return new RemoveResult(false, id, null, null, false, "no key with id " + id);
    }

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("removed", removed);
        m.put("id", id);
        m.put("key", masked);
        m.put("source", source == null ? null : source.name());
        m.put("still_in_environment", stillInEnvironment);
        m.put("message", message);
        return m;
    }
}
