package gemgate.core.openai;

import static gemgate.core.openai.Fields.abbreviate;
import static gemgate.core.openai.Fields.bad;
import static gemgate.core.openai.Fields.integer;
import static gemgate.core.openai.Fields.pick;

import gemgate.core.json.Json;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Parses the request options that are more than a scalar: tools (and the legacy functions), reasoning_effort, Google's
 * thinking_config, response_format and stop. Errors are 400s naming the field.
 */
final class OptionParser {
    private static final Pattern TOOL_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.:-]{0,63}");

    private OptionParser() {}

    /** tools[] ({@code wrapped}: {type:function, function:{...}}) or the legacy functions[] (the function itself). */
    static List<ToolDefinition> parseTools(Object v, String field, boolean wrapped) {
        if (v == null) {
            return List.of();
        }
        List<Object> list = Json.asList(v);
        if (list == null) {
            throw bad("'" + field + "' must be an array", field);
        }
        List<ToolDefinition> out = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>();
        for (int k = 0; k < list.size(); k++) {
            String p = field + "[" + k + "]";
            Map<String, Object> t = Json.asObject(list.get(k));
            if (t == null) {
                throw bad("'" + p + "' must be an object", p);
            }
            Map<String, Object> fn = t;
            String fp = p;
            if (wrapped) {
                if (!"function".equals(t.get("type"))) {
                    continue; // other tool types (web search, ...) have no Gemini equivalent here
                }
                fn = Json.obj(t, "function");
                fp = p + ".function";
            }
            if (fn == null || !(fn.get("name") instanceof String name) || name.isEmpty()) {
                throw bad("'" + fp + ".name' is required", fp + ".name");
            }
            if (!TOOL_NAME.matcher(name).matches()) {
                throw bad("'" + fp + ".name' must be 1-64 characters of a-z, A-Z, 0-9, _ . : - and start with a letter or _ "
                        + "(Gemini's rule for function names); got '" + abbreviate(name) + "'", fp + ".name");
            }
            if (!names.add(name)) {
                throw bad("function '" + name + "' is declared twice in '" + field + "'", fp + ".name");
            }
            Object params = fn.get("parameters");
            if (params != null && !(params instanceof Map)) {
                throw bad("'" + fp + ".parameters' must be an object", fp + ".parameters");
            }
            Object desc = fn.get("description");
            if (desc != null && !(desc instanceof String)) {
                throw bad("'" + fp + ".description' must be a string", fp + ".description");
            }
            out.add(new ToolDefinition(name, (String) desc, Json.asObject(params)));
        }
        return List.copyOf(out);
    }

    static String parseReasoningEffort(Object v) {
        if (v == null) {
            return null;
        }
        if (v instanceof String s) {
            String e = s.trim().toLowerCase(Locale.ROOT);
            switch (e) {
                case "none", "minimal", "low", "medium", "high" -> {
                    return e;
                }
                case "xhigh", "max" -> {
                    // OpenAI's efforts above high (the official SDKs offer both): the most Gemini thinks.
                    return "high";
                }
                default -> { }
            }
        }
        throw bad("'reasoning_effort' must be one of none, minimal, low, medium, high (xhigh and max read as high)", "reasoning_effort");
    }

    /** extra_body.google.thinking_config, else google.thinking_config, else hajimi's top-level thinking_budget. */
    static ThinkingRequest parseThinking(Map<String, Object> raw) {
        String[][] places = {{"extra_body", "google", "thinking_config"}, {"google", "thinking_config"}};
        for (String[] place : places) {
            Object cur = raw;
            String path = "";
            for (String key : place) {
                path = path.isEmpty() ? key : path + "." + key;
                Object next = cur instanceof Map ? Json.asObject(cur).get(key) : null;
                if (next != null && !(next instanceof Map)) {
                    throw bad("'" + path + "' must be an object", path);
                }
                cur = next;
            }
            Map<String, Object> tc = Json.asObject(cur);
            if (tc != null) {
                Long budget = integer(tc, pick(tc, "thinking_budget", "thinkingBudget"), path);
                if (budget != null && budget < -1) {
                    throw bad("'" + path + ".thinking_budget' must be -1 (dynamic), 0 (off) or a token count", path + ".thinking_budget");
                }
                String level = null;
                String lk = pick(tc, "thinking_level", "thinkingLevel");
                Object lv = tc.get(lk);
                if (lv != null) {
                    String l = lv instanceof String ls ? ls.trim().toUpperCase(Locale.ROOT) : "";
                    if (!List.of("MINIMAL", "LOW", "MEDIUM", "HIGH").contains(l)) {
                        throw bad("'" + path + "." + lk + "' must be one of minimal, low, medium, high", path + "." + lk);
                    }
                    level = l;
                }
                String ik = pick(tc, "include_thoughts", "includeThoughts");
                Object inc = tc.get(ik);
                if (inc != null && !(inc instanceof Boolean)) {
                    throw bad("'" + path + "." + ik + "' must be a boolean", path + "." + ik);
                }
                return new ThinkingRequest(budget, level, (Boolean) inc);
            }
        }
        Long budget = integer(raw, "thinking_budget");
        if (budget != null && budget < -1) {
            throw bad("'thinking_budget' must be -1 (dynamic), 0 (off) or a token count", "thinking_budget");
        }
        return new ThinkingRequest(budget, null, null);
    }

    static ResponseFormat parseResponseFormat(Object v) {
        if (v == null) {
            return null;
        }
        Map<String, Object> rf = Json.asObject(v);
        if (rf == null) {
            throw bad("'response_format' must be an object", "response_format");
        }
        Object type = rf.get("type");
        if ("text".equals(type)) {
            return null;
        }
        if ("json_object".equals(type)) {
            return new ResponseFormat(ResponseFormat.Type.JSON_OBJECT, null);
        }
        if ("json_schema".equals(type)) {
            Map<String, Object> js = Json.obj(rf, "json_schema");
            if (js == null) {
                throw bad("'response_format.json_schema' must be an object with a 'schema'", "response_format.json_schema");
            }
            Object schema = js.get("schema");
            if (schema != null && !(schema instanceof Map)) {
                throw bad("'response_format.json_schema.schema' must be an object", "response_format.json_schema.schema");
            }
            return schema == null ? new ResponseFormat(ResponseFormat.Type.JSON_OBJECT, null)
                    : new ResponseFormat(ResponseFormat.Type.JSON_SCHEMA, Json.asObject(schema));
        }
        throw bad("'response_format.type' must be text, json_object or json_schema", "response_format.type");
    }

    static List<String> parseStop(Object v) {
        if (v == null) {
            return List.of();
        }
        if (v instanceof String s) {
            return s.isEmpty() ? List.of() : List.of(s);
        }
        List<Object> list = Json.asList(v);
        if (list == null) {
            throw bad("'stop' must be a string or an array of strings", "stop");
        }
        List<String> out = new ArrayList<>(list.size());
        for (Object o : list) {
            if (!(o instanceof String s)) {
                throw bad("'stop' must be a string or an array of strings", "stop");
            }
            if (!s.isEmpty()) {
                out.add(s);
            }
        }
        if (out.size() > ChatRequest.MAX_STOP_SEQUENCES) {
            throw bad("'stop' may hold at most " + ChatRequest.MAX_STOP_SEQUENCES + " sequences (Gemini's limit); got " + out.size(), "stop");
        }
        return List.copyOf(out);
    }
}
