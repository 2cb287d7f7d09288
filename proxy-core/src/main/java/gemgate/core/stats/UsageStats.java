package gemgate.core.stats;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Calls, input and output tokens and errors of the Gemini calls made: in total per minute (the last 24 h), per hour
 * per key and per model (the last 24 h), and per day in total, per key and per model (the last {@value #DAYS} days).
 * Days are quota days (they end at midnight America/Los_Angeles, like Google's daily limits). Errors include those
 * that were the client's fault: they cost a call even though they say nothing about the key.
 *
 * <p>Memory is bounded: fixed rings, at most {@value #MAX_KEYS} keys and {@value #MAX_MODELS} models tracked (more
 * are counted under {@value #OTHER}); about 5 KB per tracked key or model. Recording takes one short monitor (a few
 * array updates); key selection never touches this class.
 */
public final class UsageStats {
    public static final int MINUTES = 1440;
    public static final int HOURS = 24;
    public static final int DAYS = 90;
    public static final int MAX_KEYS = 1000;
    public static final int MAX_MODELS = 64;
    public static final String OTHER = "(other)";
    static final ZoneId DAY_ZONE = ZoneId.of("America/Los_Angeles");
    private static final int FORMAT_VERSION = 1;

    /** Sums over a window. */
    public record Totals(long calls, long inputTokens, long outputTokens, long errors) {
        public static final Totals ZERO = new Totals(0, 0, 0, 0);

        public Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("calls", calls);
            m.put("input_tokens", inputTokens);
            m.put("output_tokens", outputTokens);
            m.put("errors", errors);
            return m;
        }
    }

    /** A ring of buckets numbered by unit (epoch minute, epoch hour or quota day); a slot is reused when its unit is past. */
    static final class Ring {
        final long[] unit;
        final long[] calls;
        final long[] in;
        final long[] out;
        final long[] errors;

        Ring(int size) {
            unit = new long[size];
            java.util.Arrays.fill(unit, Long.MIN_VALUE);
            calls = new long[size];
            in = new long[size];
            out = new long[size];
            errors = new long[size];
        }

        void add(long u, long c, long i, long o, long e) {
            int s = (int) Math.floorMod(u, (long) unit.length);
            if (unit[s] != u) {
                if (unit[s] > u) {
                    return; // older than the ring holds
                }
                unit[s] = u;
                calls[s] = 0;
                in[s] = 0;
                out[s] = 0;
                errors[s] = 0;
            }
            calls[s] += c;
            in[s] += i;
            out[s] += o;
            errors[s] += e;
        }

        /** Sum over units in [from, to]. */
        Totals sum(long from, long to) {
            long c = 0, i = 0, o = 0, e = 0;
            for (int s = 0; s < unit.length; s++) {
                if (unit[s] >= from && unit[s] <= to) {
                    c += calls[s];
                    i += in[s];
                    o += out[s];
                    e += errors[s];
                }
            }
            return new Totals(c, i, o, e);
        }

        Totals at(long u) {
            int s = (int) Math.floorMod(u, (long) unit.length);
            return unit[s] == u ? new Totals(calls[s], in[s], out[s], errors[s]) : Totals.ZERO;
        }
    }

    /** One key's or model's history. */
    private static final class Entry {
        final Ring hours = new Ring(HOURS);
        final Ring days = new Ring(DAYS);
    }

    private final Clock clock;
    private Ring minutes = new Ring(MINUTES);
    private Ring days = new Ring(DAYS);
    private final Map<String, Entry> keys = new LinkedHashMap<>();
    private final Map<String, Entry> models = new LinkedHashMap<>();
    private long cachedDayStart = Long.MAX_VALUE;
    private long cachedDayEnd = Long.MIN_VALUE;
    private long cachedDay;

    public UsageStats(Clock clock) {
        if (clock == null) {
            throw new IllegalArgumentException("clock is required");
        }
        this.clock = clock;
    }

    /**
     * Records one finished call. {@code keyId} is the key's fingerprint (null = none), {@code model} the upstream
     * model id (null = a call that names none, e.g. listing models: counted in the totals and for the key only).
     */
    public synchronized void record(String keyId, String model, long inputTokens, long outputTokens, boolean error) {
        long now = clock.millis();
        long in = Math.max(0, inputTokens);
        long out = Math.max(0, outputTokens);
        long e = error ? 1 : 0;
        long minute = Math.floorDiv(now, 60_000L);
        long hour = Math.floorDiv(now, 3_600_000L);
        long day = day(now);
        minutes.add(minute, 1, in, out, e);
        days.add(day, 1, in, out, e);
        if (keyId != null) {
            Entry k = entry(keys, keyId, MAX_KEYS);
            k.hours.add(hour, 1, in, out, e);
            k.days.add(day, 1, in, out, e);
        }
        if (model != null) {
            Entry m = entry(models, normalise(model), MAX_MODELS);
            m.hours.add(hour, 1, in, out, e);
            m.days.add(day, 1, in, out, e);
        }
    }

    private static Entry entry(Map<String, Entry> map, String name, int max) {
        Entry e = map.get(name);
        if (e == null) {
            if (map.size() >= max - 1 && !name.equals(OTHER)) {
                return map.computeIfAbsent(OTHER, n -> new Entry());
            }
            e = new Entry();
            map.put(name, e);
        }
        return e;
    }

    static String normalise(String model) {
        String s = model.trim().toLowerCase(Locale.ROOT);
        s = s.startsWith("models/") ? s.substring(7) : s;
        return s.length() > 100 ? s.substring(0, 100) : s;
    }

    private long day(long now) {
        if (now >= cachedDayStart && now < cachedDayEnd) {
            return cachedDay;
        }
        LocalDate d = Instant.ofEpochMilli(now).atZone(DAY_ZONE).toLocalDate();
        cachedDay = d.toEpochDay();
        cachedDayStart = d.atStartOfDay(DAY_ZONE).toInstant().toEpochMilli();
        cachedDayEnd = d.plusDays(1).atStartOfDay(DAY_ZONE).toInstant().toEpochMilli();
        return cachedDay;
    }

    /** The last {@code n} minutes including the current one (1 = this minute so far, 60 = last hour, 1440 = 24 h). */
    public synchronized Totals lastMinutes(int n) {
        long minute = Math.floorDiv(clock.millis(), 60_000L);
        return minutes.sum(minute - Math.min(n, MINUTES) + 1, minute);
    }

    public Totals lastMinute() {
        return lastMinutes(1);
    }

    public Totals lastHour() {
        return lastMinutes(60);
    }

    public Totals last24h() {
        return lastMinutes(MINUTES);
    }

    /** This quota day so far. */
    public synchronized Totals today() {
        return days.at(day(clock.millis()));
    }

    /** One key's last 24 h (hour resolution) and today; zeros for an unknown key. */
    public synchronized Totals keyLast24h(String keyId) {
        Entry e = keys.get(keyId);
        long hour = Math.floorDiv(clock.millis(), 3_600_000L);
        return e == null ? Totals.ZERO : e.hours.sum(hour - HOURS + 1, hour);
    }

    public synchronized Totals modelLast24h(String model) {
        Entry e = models.get(normalise(model));
        long hour = Math.floorDiv(clock.millis(), 3_600_000L);
        return e == null ? Totals.ZERO : e.hours.sum(hour - HOURS + 1, hour);
    }

    /** How many keys and models are tracked (bounded by {@link #MAX_KEYS} and {@link #MAX_MODELS}). */
    public synchronized int trackedKeys() {
        return keys.size();
    }

    public synchronized int trackedModels() {
        return models.size();
    }

    /**
     * A JSON-able tree: totals (last minute, hour, 24 h, today), the last {@code minutes} minutes (oldest first, at
     * most 1440), every day kept, and per key and per model their last 24 h, today and days.
     */
    public synchronized Map<String, Object> snapshot(int minutesWanted) {
        long now = clock.millis();
        long minute = Math.floorDiv(now, 60_000L);
        long hour = Math.floorDiv(now, 3_600_000L);
        long today = day(now);
        Map<String, Object> root = new LinkedHashMap<>();
        Map<String, Object> totals = new LinkedHashMap<>();
        totals.put("last_minute", minutes.sum(minute, minute).toJson());
        totals.put("last_hour", minutes.sum(minute - 59, minute).toJson());
        totals.put("last_24h", minutes.sum(minute - MINUTES + 1, minute).toJson());
        totals.put("today", days.at(today).toJson());
        root.put("totals", totals);
        int n = Math.max(0, Math.min(MINUTES, minutesWanted));
        List<Object> perMinute = new ArrayList<>(n);
        for (long m = minute - n + 1; m <= minute; m++) {
            Map<String, Object> p = minutes.at(m).toJson();
            p.put("minute", Instant.ofEpochMilli(m * 60_000L).toString());
            perMinute.add(p);
        }
        root.put("per_minute", perMinute);
        root.put("per_day", daysJson(days, today));
        root.put("keys", entriesJson(keys, hour, today));
        root.put("models", entriesJson(models, hour, today));
        return root;
    }

    private static List<Object> daysJson(Ring ring, long today) {
        List<Object> out = new ArrayList<>();
        for (long d = today - DAYS + 1; d <= today; d++) {
            Totals t = ring.at(d);
            if (t.calls() > 0) {
                Map<String, Object> p = t.toJson();
                p.put("day", LocalDate.ofEpochDay(d).toString());
                out.add(p);
            }
        }
        return out;
    }

    private static Map<String, Object> entriesJson(Map<String, Entry> map, long hour, long today) {
        Map<String, Object> out = new LinkedHashMap<>();
        map.forEach((name, e) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("last_24h", e.hours.sum(hour - HOURS + 1, hour).toJson());
            m.put("today", e.days.at(today).toJson());
            m.put("per_day", daysJson(e.days, today));
            out.put(name, m);
        });
        return out;
    }

    /** Day-resolution history for persistence: {@code {"version":1,"days":{..},"keys":{id:{..}},"models":{..}}}. */
    public synchronized Map<String, Object> exportDays() {
        long today = day(clock.millis());
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("version", (long) FORMAT_VERSION);
        root.put("days", daysMap(days, today));
        Map<String, Object> k = new LinkedHashMap<>();
        keys.forEach((id, e) -> k.put(id, daysMap(e.days, today)));
        root.put("keys", k);
        Map<String, Object> m = new LinkedHashMap<>();
        models.forEach((id, e) -> m.put(id, daysMap(e.days, today)));
        root.put("models", m);
        return root;
    }

    private static Map<String, Object> daysMap(Ring ring, long today) {
        Map<String, Object> out = new TreeMap<>();
        for (long d = today - DAYS + 1; d <= today; d++) {
            Totals t = ring.at(d);
            if (t.calls() > 0) {
                out.put(LocalDate.ofEpochDay(d).toString(), List.of(t.calls(), t.inputTokens(), t.outputTokens(), t.errors()));
            }
        }
        return out;
    }

    /**
     * Restores what {@link #exportDays()} wrote, added to anything counted since start; days older than
     * {@value #DAYS} days and malformed entries are skipped.
     */
    public synchronized void importDays(Map<String, Object> tree) {
        if (tree == null) {
            return;
        }
        long today = day(clock.millis());
        importRing(days, tree.get("days"), today);
        importEntries(keys, tree.get("keys"), today, MAX_KEYS);
        importEntries(models, tree.get("models"), today, MAX_MODELS);
    }

    private static void importEntries(Map<String, Entry> map, Object v, long today, int max) {
        if (!(v instanceof Map<?, ?> m)) {
            return;
        }
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (e.getKey() instanceof String name && e.getValue() instanceof Map<?, ?>) {
                importRing(entry(map, name, max).days, e.getValue(), today);
            }
        }
    }

    private static void importRing(Ring ring, Object v, long today) {
        if (!(v instanceof Map<?, ?> m)) {
            return;
        }
        for (Map.Entry<?, ?> e : m.entrySet()) {
            long d;
            try {
                d = LocalDate.parse(String.valueOf(e.getKey())).toEpochDay();
            } catch (DateTimeParseException bad) {
                continue;
            }
            if (d > today || d <= today - DAYS || !(e.getValue() instanceof List<?> l) || l.size() != 4) {
                continue;
            }
            long[] n = new long[4];
            boolean ok = true;
            for (int i = 0; i < 4; i++) {
                if (l.get(i) instanceof Number num && num.longValue() >= 0) {
                    n[i] = num.longValue();
                } else {
                    ok = false;
                }
            }
            if (ok) {
                ring.add(d, n[0], n[1], n[2], n[3]);
            }
        }
    }

    /** Forgets everything. */
    public synchronized void reset() {
        minutes = new Ring(MINUTES);
        days = new Ring(DAYS);
        keys.clear();
        models.clear();
    }

    /**
     * The usage report for the log: a head line with the last hour and 24 h, then one line per model used in the
     * last 24 h (most calls first). Empty models are left out; no keys appear.
     */
    public synchronized String report() {
        long now = clock.millis();
        long minute = Math.floorDiv(now, 60_000L);
        long hour = Math.floorDiv(now, 3_600_000L);
        long today = day(now);
        StringBuilder b = new StringBuilder(256);
        Totals h = minutes.sum(minute - 59, minute);
        Totals d = minutes.sum(minute - MINUTES + 1, minute);
        b.append("usage: last hour ").append(describe(h)).append("; last 24 h ").append(describe(d));
        List<Map.Entry<String, Totals>> rows = new ArrayList<>();
        models.forEach((name, e) -> {
            Totals t = e.hours.sum(hour - HOURS + 1, hour);
            if (t.calls() > 0) {
                rows.add(Map.entry(name, t));
            }
        });
        rows.sort((x, y) -> Long.compare(y.getValue().calls(), x.getValue().calls()));
        for (Map.Entry<String, Totals> r : rows) {
            b.append('\n').append("usage ").append(r.getKey()).append(": last 24 h ").append(describe(r.getValue()))
                    .append("; today ").append(models.get(r.getKey()).days.at(today).calls()).append(" calls");
        }
        return b.toString();
    }

    private static String describe(Totals t) {
        return t.calls() + " calls, " + t.errors() + " errors, " + compact(t.inputTokens()) + " input / "
                + compact(t.outputTokens()) + " output tokens";
    }

    static String compact(long n) {
        if (n >= 10_000_000) {
            return (n / 1_000_000) + "M";
        }
        if (n >= 1_000_000) {
            return String.format(Locale.ROOT, "%.1fM", n / 1e6);
        }
        if (n >= 10_000) {
            return (n / 1000) + "k";
        }
        return Long.toString(n);
    }
}
