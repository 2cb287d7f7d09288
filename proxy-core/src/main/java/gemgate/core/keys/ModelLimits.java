package gemgate.core.keys;

import gemgate.core.json.Json;
import gemgate.core.json.JsonException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Per-model limits of one key (requests and input tokens per minute and per day), looked up by upstream model id with
 * {@code *} wildcard patterns; the most specific matching pattern wins (an exact id, then the most literal
 * characters, then the later layer). The bundled table ({@code gemgate/model-limits.json}) holds Google's published
 * free-tier figures and documents its format; {@link #overriddenBy} layers the operator's file on top. Immutable.
 */
public final class ModelLimits {
    /** The bundled table on the classpath. */
    public static final String RESOURCE = "gemgate/model-limits.json";
    static final int MAX_PATTERN_LENGTH = 200;

    /** One model's limits; 0 = no local limit on that dimension. */
    public record Limit(int rpm, long rpd, long tpm, long tpd) {
        public static final Limit NONE = new Limit(0, 0, 0, 0);

        public Limit {
            if (rpm < 0 || rpd < 0 || tpm < 0 || tpd < 0) {
                throw new IllegalArgumentException("limits must be >= 0 (0 = none)");
            }
        }

        public boolean isNone() {
            return rpm == 0 && rpd == 0 && tpm == 0 && tpd == 0;
        }

        /** {"rpm":5,"rpd":100,...}, zeros left out. */
        public Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            if (rpm > 0) {
                m.put("rpm", (long) rpm);
            }
            if (rpd > 0) {
                m.put("rpd", rpd);
            }
            if (tpm > 0) {
                m.put("tpm", tpm);
            }
            if (tpd > 0) {
                m.put("tpd", tpd);
            }
            return m;
        }
    }

    /** A pattern row as written: fields absent from the row are null (an override leaves them as they were). */
    private record Row(String pattern, Long rpm, Long rpd, Long tpm, Long tpd) {
        Row over(Row base) {
            return new Row(pattern, rpm != null ? rpm : base.rpm, rpd != null ? rpd : base.rpd,
                    tpm != null ? tpm : base.tpm, tpd != null ? tpd : base.tpd);
        }

        Limit limit() {
            return new Limit((int) Math.min(Integer.MAX_VALUE, orZero(rpm)), orZero(rpd), orZero(tpm), orZero(tpd));
        }

        private static long orZero(Long v) {
            return v == null ? 0 : v;
        }
    }

    private record Compiled(String pattern, Pattern regex, boolean exact, int literals, int order, Limit limit) {}

    private static final ModelLimits NONE = new ModelLimits(new LinkedHashMap<>());

    private final Map<String, Row> rows;
    private final List<Compiled> compiled;

    private ModelLimits(LinkedHashMap<String, Row> rows) {
        this.rows = rows;
        List<Compiled> c = new ArrayList<>(rows.size());
        int order = 0;
        for (Row r : rows.values()) {
            String p = r.pattern();
            List<String> quoted = new ArrayList<>();
            for (String piece : p.split("\\*", -1)) {
                quoted.add(Pattern.quote(piece));
            }
            c.add(new Compiled(p, Pattern.compile(String.join(".*", quoted)), p.indexOf('*') < 0,
                    p.replace("*", "").length(), order++, r.limit()));
        }
        this.compiled = List.copyOf(c);
    }

    /** No limits for any model. */
    public static ModelLimits none() {
        return NONE;
    }

    /** The bundled free-tier table. */
    public static ModelLimits bundled() {
        try (InputStream in = ModelLimits.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("gemgate's bundled " + RESOURCE + " is missing");
            }
            return parse(in.readAllBytes(), RESOURCE);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + RESOURCE, e);
        }
    }

    /**
     * Parses a table: {@code {"limits": {"<pattern>": {"rpm": n, "rpd": n, "tpm": n, "tpd": n}}}} (other top-level
     * fields are ignored, so the file can carry notes). A bare {@code {"<pattern>": {...}}} object is accepted too.
     *
     * @param source names the input in error messages
     * @throws IllegalArgumentException saying what is wrong and where
     */
    public static ModelLimits parse(byte[] json, String source) {
        Map<String, Object> root;
        try {
            root = Json.parseObject(json);
        } catch (JsonException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
        Object table = root.containsKey("limits") ? root.get("limits") : root;
        if (!(table instanceof Map<?, ?>)) {
            throw new IllegalArgumentException(source + ": \"limits\" must be an object of \"model-pattern\": {rpm, rpd, tpm, tpd}");
        }
        LinkedHashMap<String, Row> rows = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : Json.asObject(table).entrySet()) {
            if (!root.containsKey("limits") && !(e.getValue() instanceof Map<?, ?>)) {
                continue; // notes next to a bare table
            }
            String pattern = normalise(e.getKey());
            if (pattern.isEmpty() || pattern.length() > MAX_PATTERN_LENGTH) {
                throw new IllegalArgumentException(source + ": bad model pattern \"" + e.getKey() + "\"");
            }
            if (!(e.getValue() instanceof Map<?, ?>)) {
                throw new IllegalArgumentException(source + ": the limits of \"" + e.getKey()
                        + "\" must be an object like {\"rpm\": 10, \"rpd\": 250, \"tpm\": 250000}");
            }
            Map<String, Object> fields = Json.asObject(e.getValue());
            for (String f : fields.keySet()) {
                if (!f.equals("rpm") && !f.equals("rpd") && !f.equals("tpm") && !f.equals("tpd") && !f.startsWith("_")) {
                    throw new IllegalArgumentException(source + ": unknown field \"" + f + "\" for \"" + e.getKey()
                            + "\" (expected rpm, rpd, tpm, tpd)");
                }
            }
            rows.put(pattern, new Row(pattern, field(fields, "rpm", e.getKey(), source, Integer.MAX_VALUE),
                    field(fields, "rpd", e.getKey(), source, Long.MAX_VALUE),
                    field(fields, "tpm", e.getKey(), source, Long.MAX_VALUE),
                    field(fields, "tpd", e.getKey(), source, Long.MAX_VALUE)));
        }
        return new ModelLimits(rows);
    }

    private static Long field(Map<String, Object> fields, String name, String pattern, String source, long max) {
        if (!fields.containsKey(name)) {
            return null;
        }
        Object v = fields.get(name);
        if (v == null) {
            return 0L;
        }
        long n;
        if (v instanceof Long l) {
            n = l;
        } else if (v instanceof Double d && d == Math.rint(d) && !d.isInfinite()) {
            n = d.longValue();
        } else {
            n = -1;
        }
        if (n < 0 || n > max) {
            throw new IllegalArgumentException(source + ": \"" + name + "\" of \"" + pattern
                    + "\" must be a whole number >= 0 (0 = no limit), got " + v);
        }
        return n;
    }

    /** This table with {@code over}'s rows on top: a row for a known pattern changes only the fields it names. */
    public ModelLimits overriddenBy(ModelLimits over) {
        if (over.rows.isEmpty()) {
            return this;
        }
        LinkedHashMap<String, Row> merged = new LinkedHashMap<>(rows);
        for (Row r : over.rows.values()) {
            Row base = merged.remove(r.pattern());
            merged.put(r.pattern(), base == null ? r : r.over(base)); // re-inserted last: wins ties in specificity
        }
        return new ModelLimits(merged);
    }

    /** The limits for an upstream model id; {@link Limit#NONE} when no pattern matches (or {@code model} is null). */
    public Limit forModel(String model) {
        if (model == null || compiled.isEmpty()) {
            return Limit.NONE;
        }
        String id = normalise(model);
        Compiled best = null;
        for (Compiled c : compiled) {
            if (!c.regex().matcher(id).matches()) {
                continue;
            }
            if (best == null || moreSpecific(c, best)) {
                best = c;
            }
        }
        return best == null ? Limit.NONE : best.limit();
    }

    private static boolean moreSpecific(Compiled a, Compiled b) {
        if (a.exact() != b.exact()) {
            return a.exact();
        }
        if (a.literals() != b.literals()) {
            return a.literals() > b.literals();
        }
        return a.order() > b.order();
    }

    public boolean isEmpty() {
        return rows.isEmpty();
    }

    /** The effective table as {@code {"<pattern>": {"rpm":..}}}, for the admin API. */
    public Map<String, Object> toJson() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Compiled c : compiled) {
            out.put(c.pattern(), c.limit().toJson());
        }
        return out;
    }

    /** Model ids are compared lower-case without a {@code models/} prefix. */
    static String normalise(String model) {
        String s = model.trim().toLowerCase(Locale.ROOT);
        return s.startsWith("models/") ? s.substring("models/".length()) : s;
    }

    @Override
    public String toString() {
        return rows.size() + " model patterns";
    }
}
