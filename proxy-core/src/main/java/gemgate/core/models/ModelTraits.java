package gemgate.core.models;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a Gemini model accepts, judged from its id alone (the model list carries no such detail). Unknown ids get the
 * safest answer: no thinking config at all, BLOCK_NONE, no tool combination. The rules follow Google's documented
 * ranges: 2.5 Pro thinks with a budget of 128..32768 and cannot stop; 2.5 Flash 0..24576; 2.5 Flash-Lite 512..24576 or
 * 0; Gemini 3 uses thinking levels (3 Pro LOW/HIGH, 3.x Pro adds MEDIUM, 3 Flash and the Flash-Lites also MINIMAL,
 * later Flashes start at LOW: recorded 400 "Thinking level MINIMAL is not supported" for gemini-3.7-flash and
 * gemini-3.1-pro-preview). Gemini 2.0, 1.5, Gemma, image/TTS/embedding models get no thinking config (hajimi #304).
 */
public final class ModelTraits {
    private static final Pattern GEMINI = Pattern.compile("gemini-(\\d+)(?:\\.(\\d+))?-(pro|flash-lite|flash)\\b.*");
    private static final Pattern LATEST = Pattern.compile("gemini-(pro|flash|flash-lite)-latest");
    private static final List<String> NEVER_THINKS = List.of("-image", "-tts", "embedding", "imagen", "veo", "-live",
            "native-audio", "aqa");

    private ModelTraits() {}

    /** How a model's thinking is controlled. */
    public enum Control { NONE, BUDGET, LEVEL }

    /**
     * A model's thinking rules. For BUDGET: {@code minBudget..maxBudget} when on, {@code canDisable} = budget 0 allowed.
     * For LEVEL: {@code levels} from lowest to highest (names as Gemini spells them).
     */
    public record Thinking(Control control, int minBudget, int maxBudget, boolean canDisable, List<String> levels) {
        static final Thinking NONE = new Thinking(Control.NONE, 0, 0, false, List.of());

        public Thinking {
            levels = List.copyOf(levels);
        }

        static Thinking budget(int min, int max, boolean canDisable) {
            return new Thinking(Control.BUDGET, min, max, canDisable, List.of());
        }

        static Thinking levels(String... levels) {
            return new Thinking(Control.LEVEL, 0, 0, false, List.of(levels));
        }

        public boolean thinks() {
            return control != Control.NONE;
        }

        /** Whether thinking can be turned all the way off (budget 0); Gemini 3 models never can. */
        public boolean canTurnOff() {
            return control == Control.BUDGET && canDisable;
        }
    }

    /** The thinking rules for a model id (with or without "models/"). */
    public static Thinking thinking(String model) {
        String m = normalise(model);
        for (String marker : NEVER_THINKS) {
            if (m.contains(marker)) {
                return Thinking.NONE;
            }
        }
        Matcher latest = LATEST.matcher(m);
        if (latest.matches()) {
            // Moving aliases (2.5 one year, 3.x the next): budgets work on both, and never 0.
            return latest.group(1).equals("pro") ? Thinking.budget(128, 24576, false) : Thinking.budget(512, 24576, false);
        }
        Matcher g = GEMINI.matcher(m);
        if (!g.matches()) {
            return Thinking.NONE;
        }
        int major = Integer.parseInt(g.group(1));
        int minor = g.group(2) == null ? 0 : Integer.parseInt(g.group(2));
        String tier = g.group(3);
        if (major < 2 || (major == 2 && minor < 5)) {
            return Thinking.NONE;
        }
        if (major == 2) {
            return switch (tier) {
                case "pro" -> Thinking.budget(128, 32768, false);
                case "flash-lite" -> Thinking.budget(512, 24576, true);
                default -> Thinking.budget(1, 24576, true);
            };
        }
        if (major == 3) {
            return switch (tier) {
                case "pro" -> minor == 0 ? Thinking.levels("LOW", "HIGH") : Thinking.levels("LOW", "MEDIUM", "HIGH");
                case "flash-lite" -> Thinking.levels("MINIMAL", "LOW", "MEDIUM", "HIGH");
                default -> minor == 0 ? Thinking.levels("MINIMAL", "LOW", "MEDIUM", "HIGH")
                        : Thinking.levels("LOW", "MEDIUM", "HIGH");
            };
        }
        return Thinking.levels("LOW", "HIGH"); // a newer family: the two levels every Gemini 3 model accepts
    }

    /** Gemini 3 or later (or a moving alias that now points there): thought signatures are enforced, tools combine. */
    public static boolean isGemini3OrLater(String model) {
        String m = normalise(model);
        if (LATEST.matcher(m).matches()) {
            return true;
        }
        Matcher g = GEMINI.matcher(m);
        return g.matches() && Integer.parseInt(g.group(1)) >= 3;
    }

    /** Whether the model takes the googleSearch tool: Gemini 2.0 and later text models (hajimi: names from gemini-2). */
    public static boolean supportsSearch(String model) {
        String m = normalise(model);
        for (String marker : NEVER_THINKS) {
            if (m.contains(marker)) {
                return false;
            }
        }
        if (LATEST.matcher(m).matches()) {
            return true;
        }
        Matcher g = GEMINI.matcher(m);
        return g.matches() && Integer.parseInt(g.group(1)) >= 2;
    }

    /** Whether Google Search grounding and function declarations may go in one request (Gemini 3's tool combination). */
    public static boolean combinesSearchWithFunctions(String model) {
        Matcher g = GEMINI.matcher(normalise(model));
        return g.matches() && Integer.parseInt(g.group(1)) >= 3;
    }

    /** The most permissive safety threshold the model accepts: OFF on 2.5 and later, BLOCK_NONE before (as hajimi). */
    public static String permissiveThreshold(String model) {
        String m = normalise(model);
        if (LATEST.matcher(m).matches()) {
            return "OFF";
        }
        Matcher g = GEMINI.matcher(m);
        if (!g.matches()) {
            return m.contains("gemini-2.5") || m.contains("gemini-3") ? "OFF" : "BLOCK_NONE";
        }
        int major = Integer.parseInt(g.group(1));
        int minor = g.group(2) == null ? 0 : Integer.parseInt(g.group(2));
        return major > 2 || (major == 2 && minor >= 5) ? "OFF" : "BLOCK_NONE";
    }

    private static String normalise(String model) {
        String m = model == null ? "" : model.trim().toLowerCase(Locale.ROOT);
        return m.startsWith("models/") ? m.substring("models/".length()) : m;
    }
}
