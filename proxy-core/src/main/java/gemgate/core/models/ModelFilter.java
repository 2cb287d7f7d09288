package gemgate.core.models;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Which models the proxy offers: an empty whitelist allows all; entries match ids exactly or with '*' wildcards,
 * case-insensitively, with any "models/" prefix ignored on both sides. Blocked wins over the whitelist.
 */
public final class ModelFilter {
    private final List<Pattern> whitelist;
    private final List<Pattern> blocked;

    public ModelFilter(List<String> whitelist, List<String> blocked) {
        this.whitelist = compile(whitelist, "whitelist");
        this.blocked = compile(blocked, "blocked");
    }

    public static ModelFilter allowAll() {
        return new ModelFilter(List.of(), List.of());
    }

    public boolean allows(String modelId) {
        if (modelId == null) {
            return false;
        }
        String id = normalise(modelId);
        if (id.isEmpty() || matchesAny(blocked, id)) {
            return false;
        }
        return whitelist.isEmpty() || matchesAny(whitelist, id);
    }

    private static boolean matchesAny(List<Pattern> patterns, String id) {
        for (Pattern p : patterns) {
            if (p.matcher(id).matches()) {
                return true;
            }
        }
        return false;
    }

    private static List<Pattern> compile(List<String> entries, String what) {
        if (entries == null) {
            throw new IllegalArgumentException(what + " must be a list (empty for none)");
        }
        List<Pattern> out = new ArrayList<>();
        for (String e : entries) {
            String s = e == null ? "" : normalise(e);
            if (s.isEmpty()) {
                continue;
            }
            List<String> quoted = new ArrayList<>();
            for (String piece : s.split("\\*", -1)) {
                quoted.add(Pattern.quote(piece));
            }
            out.add(Pattern.compile(String.join(".*", quoted)));
        }
        return List.copyOf(out);
    }

    private static String normalise(String id) {
        String s = id.trim().toLowerCase(Locale.ROOT);
        return s.startsWith("models/") ? s.substring("models/".length()) : s;
    }
}
