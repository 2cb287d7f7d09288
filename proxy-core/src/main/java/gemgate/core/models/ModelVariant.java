package gemgate.core.models;

import java.util.Locale;

/**
 * A client model name split into the upstream model and the proxy's suffixes: {@code <m>-thinking} (thinking forced
 * on), {@code <m>-nothinking} (forced off, or as low as the model allows) and {@code <m>-search} (Google Search
 * grounding). Suffixes may be combined in any order, each at most once, e.g. {@code gemini-2.5-flash-search-nothinking}.
 *
 * @param base     the upstream model id (suffixes removed, "models/" kept as given)
 * @param thinking FORCE_ON, FORCE_OFF or null when the name carries no thinking suffix
 * @param search   the name ends in -search
 */
public record ModelVariant(String base, Force thinking, boolean search) {
    public static final String THINKING = "-thinking";
    public static final String NO_THINKING = "-nothinking";
    public static final String SEARCH = "-search";

    /** What a thinking suffix asks for. */
    public enum Force { ON, OFF }

    /** Splits {@code model}; a name without suffixes comes back unchanged. Never null for a non-null argument. */
    public static ModelVariant parse(String model) {
        String m = model;
        Force thinking = null;
        boolean search = false;
        boolean changed = true;
        while (changed) {
            changed = false;
            String lower = m.toLowerCase(Locale.ROOT);
            if (!search && lower.endsWith(SEARCH) && m.length() > SEARCH.length()) {
                m = m.substring(0, m.length() - SEARCH.length());
                search = true;
                changed = true;
            } else if (thinking == null && lower.endsWith(NO_THINKING) && m.length() > NO_THINKING.length()) {
                m = m.substring(0, m.length() - NO_THINKING.length());
                thinking = Force.OFF;
                changed = true;
            } else if (thinking == null && lower.endsWith(THINKING) && m.length() > THINKING.length()) {
                m = m.substring(0, m.length() - THINKING.length());
                thinking = Force.ON;
                changed = true;
            }
        }
        return new ModelVariant(m, thinking, search);
    }

    public boolean hasSuffix() {
        return thinking != null || search;
    }
}
