package gemgate.core.translate;

import gemgate.core.json.Json;
import gemgate.core.models.ModelTraits;
import gemgate.core.models.ModelVariant;
import gemgate.core.openai.ChatRequest;
import gemgate.core.openai.ResponseFormat;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The settings part of {@link ChatToGemini}: safetySettings, generationConfig and its thinkingConfig, each fitted to
 * what the model accepts ({@link ModelTraits}).
 */
final class GenerationTranslation {
    static final List<String> HARM_CATEGORIES = List.of("HARM_CATEGORY_HARASSMENT", "HARM_CATEGORY_HATE_SPEECH",
            "HARM_CATEGORY_SEXUALLY_EXPLICIT", "HARM_CATEGORY_DANGEROUS_CONTENT", "HARM_CATEGORY_CIVIC_INTEGRITY");

    private GenerationTranslation() {}

    /**
     * relaxSafety: all five categories at the most permissive threshold the model takes (OFF on 2.5 and later,
     * BLOCK_NONE before); then the per-category settings, with OFF read as BLOCK_NONE on models without OFF.
     */
    static List<Object> safetySettings(String model, TranslateOptions opts) {
        String permissive = ModelTraits.permissiveThreshold(model);
        Map<String, String> chosen = new LinkedHashMap<>();
        if (opts.relaxSafety()) {
            for (String c : HARM_CATEGORIES) {
                chosen.put(c, permissive);
            }
        }
        opts.safetyThresholds().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            String threshold = e.getValue();
            if ("OFF".equals(threshold) && !"OFF".equals(permissive)) {
                threshold = "BLOCK_NONE";
            }
            chosen.put(e.getKey(), threshold);
        });
        List<Object> out = new ArrayList<>();
        chosen.forEach((c, t) -> out.add(Json.object("category", c, "threshold", t)));
        return out;
    }

    /** Sampling, stop sequences, candidate count, logprobs and response_format as Gemini's generationConfig. */
    static Map<String, Object> generationConfig(ChatRequest req, String model) {
        Map<String, Object> g = Json.object();
        putIfPresent(g, "temperature", req.temperature());
        putIfPresent(g, "topP", req.topP());
        putIfPresent(g, "topK", req.topK());
        putIfPresent(g, "maxOutputTokens", req.maxTokens());
        if (!req.stop().isEmpty()) {
            g.put("stopSequences", req.stop());
        }
        putIfPresent(g, "seed", req.seed());
        // SillyTavern always sends 0 penalties, and Gemini 2.5 and later answer any penalty with 400 "Penalty is not
        // enabled for models/..." (recorded), so they go only to the older models that take them.
        if (ModelTraits.permissiveThreshold(model).equals("BLOCK_NONE")) {
            if (nonZero(req.presencePenalty())) {
                g.put("presencePenalty", req.presencePenalty());
            }
            if (nonZero(req.frequencyPenalty())) {
                g.put("frequencyPenalty", req.frequencyPenalty());
            }
        }
        if (req.n() > 1) {
            g.put("candidateCount", (long) req.n());
        }
        if (req.logprobs()) {
            g.put("responseLogprobs", true);
            if (req.topLogprobs() != null && req.topLogprobs() > 0) {
                g.put("logprobs", (long) req.topLogprobs());
            }
        }
        ResponseFormat rf = req.responseFormat();
        if (rf != null) {
            g.put("responseMimeType", "application/json");
            if (rf.type() == ResponseFormat.Type.JSON_SCHEMA) {
                // responseJsonSchema takes JSON Schema as clients write it; responseSchema (OpenAPI subset) would need
                // a lossy conversion. The cleaner keeps the documented keywords only.
                g.put("responseJsonSchema", SchemaCleaner.clean(rf.schema(), "response_format.json_schema.schema"));
            }
        }
        return g;
    }

    /**
     * The thinkingConfig, or null. Nothing at all when ENABLE_THINKING is off or the model does not think (hajimi's
     * #304). What the client asked for, strongest first: the model suffix, Google's thinking_config (or hajimi's
     * thinking_budget), reasoning_effort; then clamped to what the model accepts (budget range, level set).
     */
    static Map<String, Object> thinkingConfig(ChatRequest req, String model, ModelVariant variant, TranslateOptions opts) {
        if (!opts.enableThinking()) {
            return null;
        }
        ModelTraits.Thinking t = ModelTraits.thinking(model);
        if (!t.thinks()) {
            return null;
        }
        Map<String, Object> cfg = Json.object();
        if (variant.thinking() == ModelVariant.Force.ON) {
            applyEffort(t, "dynamic", cfg);
        } else if (variant.thinking() == ModelVariant.Force.OFF) {
            applyEffort(t, "none", cfg);
        } else if (req.thinking().budget() != null) {
            applyBudget(t, req.thinking().budget(), cfg);
        } else if (req.thinking().level() != null) {
            applyEffort(t, req.thinking().level().toLowerCase(Locale.ROOT), cfg);
        } else if (req.reasoningEffort() != null) {
            applyEffort(t, req.reasoningEffort(), cfg);
        }
        boolean off = Long.valueOf(0).equals(cfg.get("thinkingBudget"));
        if (!off && opts.thoughtDisplay() != TranslateOptions.ThoughtDisplay.HIDDEN
                && !Boolean.FALSE.equals(req.thinking().includeThoughts())) {
            cfg.put("includeThoughts", true);
        }
        return cfg.isEmpty() ? null : cfg;
    }

    /** effort: none, minimal, low, medium, high or dynamic (as much as the model decides). */
    private static void applyEffort(ModelTraits.Thinking t, String effort, Map<String, Object> cfg) {
        if (t.control() == ModelTraits.Control.BUDGET) {
            long budget = switch (effort) {
                case "none" -> t.canTurnOff() ? 0 : t.minBudget();
                case "minimal" -> 512;
                case "low" -> 1024;
                case "medium" -> 8192;
                case "high" -> 24576;
                default -> -1;
            };
            cfg.put("thinkingBudget", budget <= 0 ? budget : clamp(budget, t.minBudget(), t.maxBudget()));
            return;
        }
        List<String> levels = t.levels();
        String level = switch (effort) {
            case "none" -> levels.get(0);
            case "minimal" -> levels.contains("MINIMAL") ? "MINIMAL" : levels.get(0);
            case "low" -> "LOW";
            case "medium" -> levels.contains("MEDIUM") ? "MEDIUM" : "HIGH";
            default -> "HIGH";
        };
        cfg.put("thinkingLevel", level);
    }

    private static void applyBudget(ModelTraits.Thinking t, long budget, Map<String, Object> cfg) {
        if (t.control() == ModelTraits.Control.BUDGET) {
            long b;
            if (budget < 0) {
                b = -1;
            } else if (budget == 0) {
                b = t.canTurnOff() ? 0 : t.minBudget();
            } else {
                b = clamp(budget, t.minBudget(), t.maxBudget());
            }
            cfg.put("thinkingBudget", b);
            return;
        }
        // Gemini 3 takes levels; sending a budget too is a 400 ("only one of thinking budget and thinking level").
        if (budget < 0) {
            return; // dynamic = the model's default level
        }
        applyEffort(t, budget == 0 ? "none" : budget <= 1024 ? "low" : budget <= 8192 ? "medium" : "high", cfg);
    }

    private static long clamp(long v, long min, long max) {
        return Math.max(min, Math.min(max, v));
    }

    private static void putIfPresent(Map<String, Object> m, String key, Object v) {
        if (v != null) {
            m.put(key, v);
        }
    }

    private static boolean nonZero(Number n) {
        return n != null && n.doubleValue() != 0.0;
    }
}
