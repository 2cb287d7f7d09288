package gemgate.core.keys;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds keys in pasted text: every Google key ({@code AIza} + 35 URL-safe characters) wherever it sits (in a .env
 * line, JSON, a sentence), and other tokens separated by commas, semicolons, quotes or whitespace that look like a
 * key (30-256 URL-safe characters with letters and digits: keys of a compatible upstream). Anything else is
 * rejected, and reported masked only.
 */
final class KeyText {
    static final Pattern GOOGLE_KEY = Pattern.compile("AIza[0-9A-Za-z_-]{35}");
    private static final Pattern SEPARATORS = Pattern.compile("[,;\\s\"'`\\[\\]{}()<>|]+");
    private static final Pattern OTHER_KEY = Pattern.compile("[A-Za-z0-9._~-]{30,256}");
    private static final Pattern HAS_LETTER = Pattern.compile("[A-Za-z]");
    private static final Pattern HAS_DIGIT = Pattern.compile("[0-9]");

    /** Keys in order of appearance without duplicates, and the masked tokens that were not keys. */
    record Extracted(List<String> keys, List<String> rejected) {}

    private KeyText() {}

    static Extracted extract(String text, int maxKeys) {
        LinkedHashSet<String> keys = new LinkedHashSet<>();
        List<String> rejected = new ArrayList<>();
        if (text == null) {
            return new Extracted(List.of(), List.of());
        }
        Matcher m = GOOGLE_KEY.matcher(text);
        StringBuilder rest = new StringBuilder(text.length());
        int last = 0;
        while (m.find()) {
            keys.add(m.group());
            rest.append(text, last, m.start()).append(' ');
            last = m.end();
        }
        rest.append(text, last, text.length());
        for (String token : SEPARATORS.split(rest)) {
            if (token.isEmpty()) {
                continue;
            }
            if (OTHER_KEY.matcher(token).matches() && HAS_LETTER.matcher(token).find() && HAS_DIGIT.matcher(token).find()
                    && !token.startsWith("AIza")) {
                keys.add(token);
            } else if (rejected.size() < 100) {
                rejected.add(KeyMask.mask(token));
            }
        }
        List<String> out = new ArrayList<>(keys);
        if (out.size() > maxKeys) {
            out = out.subList(0, maxKeys);
        }
        return new Extracted(List.copyOf(out), List.copyOf(rejected));
    }
}
