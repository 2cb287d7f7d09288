package gemgate.core.keys;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link KeyPool#addKeys} did with pasted text: keys added (not yet validated), keys already in the pool, and
 * tokens that were not keys (masked). Never holds a full key.
 */
public record AddResult(List<Entry> added, List<Entry> alreadyPresent, List<String> rejected) {

    /** One key by id and mask; {@code restored} = an environment key removed earlier (its tombstone is gone now). */
    public record Entry(String id, String masked, PooledKey.Source source, boolean restored) {
        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", id);
            m.put("key", masked);
            m.put("source", source.name());
            if (restored) {
                m.put("restored", true);
            }
            return m;
        }
    }

    public AddResult {
        added = List.copyOf(added);
        alreadyPresent = List.copyOf(alreadyPresent);
        rejected = List.copyOf(rejected);
    }

    /** Ids of the added keys, e.g. to validate them. */
    public List<String> addedIds() {
        List<String> ids = new ArrayList<>(added.size());
        added.forEach(e -> ids.add(e.id()));
        return ids;
    }

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("added", entries(added));
        m.put("already_present", entries(alreadyPresent));
        m.put("rejected", new ArrayList<Object>(rejected));
        return m;
    }

    private static List<Object> entries(List<Entry> l) {
        List<Object> out = new ArrayList<>(l.size());
        l.forEach(e -> out.add(e.toJson()));
        return out;
    }
}
