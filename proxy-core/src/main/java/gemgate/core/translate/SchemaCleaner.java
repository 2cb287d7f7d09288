package gemgate.core.translate;

import gemgate.core.error.ApiError;
import gemgate.core.error.ApiException;
import gemgate.core.json.Json;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a client's JSON Schema (OpenAI tool parameters, response_format json_schema) into the subset Gemini documents
 * for {@code parametersJsonSchema} / {@code responseJsonSchema}: {@code type, format, title, description, enum,
 * items, prefixItems, minItems, maxItems, minimum, maximum, anyOf, properties, additionalProperties, required,
 * propertyOrdering}. Everything else is dropped ({@code $schema, default, examples, pattern, const, ...}), {@code $ref}
 * is inlined from {@code $defs}/{@code definitions} (a cycle or more than {@link #MAX_REF_DEPTH} nested expansions
 * becomes a bare {@code {"type": ...}}), {@code oneOf} becomes {@code anyOf}, {@code allOf} is merged, {@code const}
 * becomes a one-value {@code enum}, OpenAPI's {@code nullable: true} becomes a {@code "null"} type, and {@code format}s
 * Gemini does not know are removed. The output never exceeds {@link #MAX_NODES} schema nodes, so a schema whose
 * {@code $ref}s expand exponentially is a 400 rather than a memory bomb.
 */
public final class SchemaCleaner {
    /** Nested $ref expansions followed before a reference is cut off. */
    static final int MAX_REF_DEPTH = 8;
    /** Schema nodes the cleaned output may hold. */
    static final int MAX_NODES = 5000;
    private static final Set<String> FORMATS = Set.of("date-time", "date", "time", "duration", "enum", "int32", "int64",
            "float", "double");
    private static final Set<String> TYPES = Set.of("string", "number", "integer", "boolean", "object", "array", "null");

    private final Map<String, Object> root;
    private final String param;
    private final Deque<String> refStack = new ArrayDeque<>();
    private int nodes;

    private SchemaCleaner(Map<String, Object> root, String param) {
        this.root = root;
        this.param = param;
    }

    /**
     * The cleaned copy of {@code schema} (the input is not changed). {@code param} names the request field in a 400
     * (an unresolvable or external {@code $ref}, a schema that is not an object, or one too large once expanded).
     */
    public static Map<String, Object> clean(Map<String, Object> schema, String param) {
        return new SchemaCleaner(schema, param).node(schema, 0);
    }

    private Map<String, Object> node(Object raw, int depth) {
        Map<String, Object> s = Json.asObject(raw);
        if (s == null) {
            if (raw instanceof Boolean) {
                return Json.object(); // true/false schemas: "anything" is the closest Gemini has
            }
            throw bad("every schema in '" + param + "' must be a JSON object");
        }
        if (++nodes > MAX_NODES) {
            throw bad("the JSON Schema in '" + param + "' is too large (more than " + MAX_NODES
                    + " nodes once $ref is expanded)");
        }
        if (s.get("$ref") instanceof String ref) {
            return ref(ref, s, depth);
        }
        Map<String, Object> merged = s;
        List<Object> allOf = Json.list(s, "allOf");
        if (allOf != null) {
            merged = mergeAllOf(s, allOf, depth);
        }
        Map<String, Object> out = Json.object();
        copyType(merged, out);
        copyString(merged, "title", out);
        copyString(merged, "description", out);
        if (merged.get("format") instanceof String f && FORMATS.contains(f)) {
            out.put("format", f);
        }
        enumeration(merged, out);
        Object items = merged.get("items");
        if (items instanceof List<?> tuple) {
            out.put("prefixItems", list(tuple, depth)); // draft-4 tuple form
        } else if (items != null) {
            out.put("items", node(items, depth));
        }
        if (merged.get("prefixItems") instanceof List<?> prefix) {
            out.put("prefixItems", list(prefix, depth));
        }
        copyNumber(merged, "minItems", out);
        copyNumber(merged, "maxItems", out);
        copyNumber(merged, "minimum", out);
        copyNumber(merged, "maximum", out);
        List<Object> anyOf = new ArrayList<>();
        for (String k : new String[] {"anyOf", "oneOf"}) {
            if (merged.get(k) instanceof List<?> alts) {
                anyOf.addAll(list(alts, depth));
            }
        }
        if (!anyOf.isEmpty()) {
            out.put("anyOf", anyOf);
        }
        Map<String, Object> props = Json.obj(merged, "properties");
        if (props != null) {
            Map<String, Object> cleaned = Json.object();
            for (Map.Entry<String, Object> e : props.entrySet()) {
                cleaned.put(e.getKey(), node(e.getValue(), depth));
            }
            out.put("properties", cleaned);
        }
        Object ap = merged.get("additionalProperties");
        if (ap instanceof Boolean) {
            out.put("additionalProperties", ap);
        } else if (ap instanceof Map) {
            out.put("additionalProperties", node(ap, depth));
        }
        List<Object> required = Json.list(merged, "required");
        if (required != null) {
            List<Object> kept = new ArrayList<>();
            for (Object r : required) {
                // Gemini rejects a required name that is not a declared property.
                if (r instanceof String name && (props == null || props.containsKey(name)) && !kept.contains(name)) {
                    kept.add(name);
                }
            }
            if (!kept.isEmpty()) {
                out.put("required", kept);
            }
        }
        if (merged.get("propertyOrdering") instanceof List<?> order) {
            out.put("propertyOrdering", order);
        }
        if (Boolean.TRUE.equals(merged.get("nullable"))) {
            addNullType(out);
        }
        return out;
    }

    private List<Object> list(List<?> schemas, int depth) {
        List<Object> out = new ArrayList<>(schemas.size());
        for (Object o : schemas) {
            out.add(node(o, depth));
        }
        return out;
    }

    private Map<String, Object> ref(String ref, Map<String, Object> site, int depth) {
        Map<String, Object> target = resolve(ref);
        if (refStack.contains(ref) || depth >= MAX_REF_DEPTH) {
            // A cycle (or a very deep chain): cut it off with the bare type, which Gemini accepts.
            Map<String, Object> cut = Json.object();
            copyType(target, cut);
            if (cut.isEmpty()) {
                cut.put("type", "object");
            }
            copyString(site, "description", cut);
            return cut;
        }
        refStack.push(ref);
        try {
            Map<String, Object> out = node(target, depth + 1);
            // Keywords next to $ref (a description, mostly) describe this use; they win over the target's.
            copyString(site, "description", out);
            copyString(site, "title", out);
            if (Boolean.TRUE.equals(site.get("nullable"))) {
                addNullType(out);
            }
            return out;
        } finally {
            refStack.pop();
        }
    }

    private Map<String, Object> resolve(String ref) {
        if (!ref.startsWith("#")) {
            throw bad("'" + param + "' uses the external $ref '" + abbreviate(ref) + "'; only local references (#/$defs/...) "
                    + "can be inlined");
        }
        Object cur = root;
        if (ref.length() > 1) {
            if (ref.charAt(1) != '/') {
                throw bad("'" + param + "' uses the $ref '" + abbreviate(ref) + "', which is not a JSON pointer (#/$defs/Name)");
            }
            for (String token : ref.substring(2).split("/", -1)) {
                String key = token.replace("~1", "/").replace("~0", "~");
                if (cur instanceof Map<?, ?> m) {
                    cur = m.get(key);
                } else if (cur instanceof List<?> l && key.matches("\\d{1,9}") && Integer.parseInt(key) < l.size()) {
                    cur = l.get(Integer.parseInt(key));
                } else {
                    cur = null;
                }
                if (cur == null) {
                    break;
                }
            }
        }
        Map<String, Object> target = Json.asObject(cur);
        if (target == null) {
            throw bad("'" + param + "' has the $ref '" + abbreviate(ref) + "', which points to no schema");
        }
        return target;
    }

    /** allOf: the parts' properties and required lists are united; for other keywords the first one seen wins. */
    private Map<String, Object> mergeAllOf(Map<String, Object> s, List<Object> parts, int depth) {
        Map<String, Object> merged = Json.object();
        Map<String, Object> props = Json.object();
        Set<Object> required = new LinkedHashSet<>();
        List<Map<String, Object>> sources = new ArrayList<>();
        sources.add(s);
        for (Object p : parts) {
            Map<String, Object> ps = Json.asObject(p);
            if (ps != null && ps.get("$ref") instanceof String ref) {
                // Merge the referenced schema itself; a cycle through allOf is cut like any other.
                if (refStack.contains(ref) || depth >= MAX_REF_DEPTH) {
                    continue;
                }
                ps = resolve(ref);
            }
            if (ps != null) {
                sources.add(ps);
            }
        }
        for (Map<String, Object> src : sources) {
            for (Map.Entry<String, Object> e : src.entrySet()) {
                switch (e.getKey()) {
                    case "allOf" -> { }
                    case "properties" -> {
                        Map<String, Object> p = Json.asObject(e.getValue());
                        if (p != null) {
                            p.forEach(props::putIfAbsent);
                        }
                    }
                    case "required" -> {
                        List<Object> r = Json.asList(e.getValue());
                        if (r != null) {
                            required.addAll(r);
                        }
                    }
                    default -> merged.putIfAbsent(e.getKey(), e.getValue());
                }
            }
        }
        if (!props.isEmpty()) {
            merged.put("properties", props);
        }
        if (!required.isEmpty()) {
            merged.put("required", new ArrayList<>(required));
        }
        return merged;
    }

    private static void copyType(Map<String, Object> from, Map<String, Object> to) {
        Object t = from.get("type");
        if (t instanceof String ts && TYPES.contains(ts)) {
            to.put("type", ts);
        } else if (t instanceof List<?> tl) {
            List<Object> kept = new ArrayList<>();
            for (Object o : tl) {
                if (o instanceof String os && TYPES.contains(os) && !kept.contains(os)) {
                    kept.add(os);
                }
            }
            if (kept.size() == 1) {
                to.put("type", kept.get(0));
            } else if (!kept.isEmpty()) {
                to.put("type", kept);
            }
        }
    }

    private static void addNullType(Map<String, Object> out) {
        Object t = out.get("type");
        if (t instanceof String ts && !ts.equals("null")) {
            out.put("type", new ArrayList<>(List.of(ts, "null")));
        } else if (t instanceof List<?> tl && !tl.contains("null")) {
            List<Object> l = new ArrayList<>(tl);
            l.add("null");
            out.put("type", l);
        }
    }

    /** enum for strings and numbers only (as documented); const is a one-value enum. null members mean "nullable". */
    private static void enumeration(Map<String, Object> s, Map<String, Object> out) {
        List<Object> values = Json.list(s, "enum");
        if (values == null && s.containsKey("const")) {
            values = new ArrayList<>();
            values.add(s.get("const"));
        }
        if (values == null) {
            return;
        }
        List<Object> kept = new ArrayList<>();
        boolean hasNull = false;
        for (Object v : values) {
            if (v instanceof String || v instanceof Number) {
                kept.add(v);
            } else if (v == null) {
                hasNull = true;
            } else {
                return; // booleans, objects: Gemini's enum cannot express them; the type still constrains
            }
        }
        if (!kept.isEmpty()) {
            out.put("enum", kept);
            if (!out.containsKey("type")) {
                out.put("type", kept.stream().allMatch(v -> v instanceof String) ? "string" : "number");
            }
            if (hasNull) {
                addNullType(out);
            }
        }
    }

    private static void copyString(Map<String, Object> from, String key, Map<String, Object> to) {
        if (from.get(key) instanceof String v) {
            to.put(key, v);
        }
    }

    private static void copyNumber(Map<String, Object> from, String key, Map<String, Object> to) {
        if (from.get(key) instanceof Number v) {
            to.put(key, v);
        }
    }

    private ApiException bad(String message) {
        return new ApiException(ApiError.badRequest(message, param));
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
}
