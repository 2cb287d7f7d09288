package gemgate.core.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads typed values out of the merged config, leniently: environment values arrive as strings, so every reader
 * accepts a string form as well as the native HOCON one. Every failure becomes a {@link ConfigError} that names the
 * setting by its environment name and path.
 */
final class Reader {
    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");
    private static final Pattern INTEGER = Pattern.compile("[+-]?\\d+");
    private static final Pattern LIST_SEPARATORS = Pattern.compile("[,\\s]+");

    private final Config config;
    private final Function<String, String> label;

    /** @param label turns a path into its display name, e.g. {@code PORT (gemgate.server.port)} */
    Reader(Config config, Function<String, String> label) {
        this.config = config;
        this.label = label;
    }

    ConfigError error(String path, String expected, Object got) {
        return ConfigError.forSetting(path, label.apply(path) + ": expected " + expected + ", got " + shown(got));
    }

    ConfigError error(String path, String problem) {
        return ConfigError.forSetting(path, label.apply(path) + ": " + problem);
    }

    private static String shown(Object got) {
        if (got instanceof String s) {
            return "\"" + s + "\"";
        }
        return String.valueOf(got);
    }

    private ConfigValue value(String path) {
        try {
            return config.getValue(path);
        } catch (ConfigException e) {
            // Only reachable when a layer replaced a section with a scalar (e.g. gemgate.server = 1).
            throw new ConfigError(label.apply(path) + ": " + e.getMessage(), e);
        }
    }

    /** A string; lists are rejected rather than silently joined. */
    String string(String path) {
        ConfigValue v = value(path);
        if (v.valueType() == ConfigValueType.OBJECT || v.valueType() == ConfigValueType.LIST) {
            throw error(path, "a single value", v.render());
        }
        Object raw = v.unwrapped();
        return raw == null ? "" : String.valueOf(raw).trim();
    }

    int integer(String path, long min, long max, String expected) {
        long n = longValue(path, expected);
        if (n < min || n > max) {
            throw error(path, expected, n);
        }
        return (int) n;
    }

    private long longValue(String path, String expected) {
        ConfigValue v = value(path);
        Object raw = v.unwrapped();
        if (raw instanceof Integer || raw instanceof Long) {
            return ((Number) raw).longValue();
        }
        String s = raw == null ? "" : String.valueOf(raw).trim();
        if (INTEGER.matcher(s).matches()) {
            try {
                return Long.parseLong(s.startsWith("+") ? s.substring(1) : s);
            } catch (NumberFormatException tooBig) {
                throw error(path, expected, raw);
            }
        }
        throw error(path, expected, raw instanceof String ? raw : v.render());
    }

    /** hajimi's booleans, plus on/off: true|1|yes|on and false|0|no|off, any case. */
    boolean bool(String path) {
        ConfigValue v = value(path);
        Object raw = v.unwrapped();
        if (raw instanceof Boolean b) {
            return b;
        }
        String s = raw == null ? "" : String.valueOf(raw).trim().toLowerCase(Locale.ROOT);
        switch (s) {
            case "true", "1", "yes", "on":
                return true;
            case "false", "0", "no", "off":
                return false;
            default:
                throw error(path, "a boolean (true/false, yes/no, on/off, 1/0)", raw instanceof String ? raw : v.render());
        }
    }

    /**
     * A duration stored in seconds: a plain number is seconds (1.5 = 1.5 s), unlike typesafe's getDuration which
     * reads bare numbers as milliseconds; a string with a unit (90s, 5m, 500ms) is a duration. Must be positive.
     */
    Duration positiveSeconds(String path) {
        String expected = "a positive duration in seconds (e.g. 1.5) or with a unit (e.g. 90s, 5m)";
        ConfigValue v = value(path);
        Object raw = v.unwrapped();
        Duration d;
        if (raw instanceof Number n) {
            d = ofSeconds(path, new BigDecimal(n.toString()), expected, raw);
        } else if (raw instanceof String s && NUMBER.matcher(s.trim()).matches()) {
            d = ofSeconds(path, new BigDecimal(s.trim()), expected, raw);
        } else if (raw instanceof String) {
            try {
                d = config.getDuration(path);
            } catch (ConfigException e) {
                throw error(path, expected, raw);
            }
        } else {
            throw error(path, expected, v.render());
        }
        if (d.isNegative() || d.isZero()) {
            throw error(path, expected, raw);
        }
        return d;
    }

    private Duration ofSeconds(String path, BigDecimal seconds, String expected, Object raw) {
        try {
            BigDecimal nanos = seconds.movePointRight(9);
            return Duration.ofNanos(nanos.setScale(0, java.math.RoundingMode.HALF_UP).longValueExact());
        } catch (ArithmeticException tooLarge) {
            throw error(path, expected, raw);
        }
    }

    /** A size: bytes as a plain number, or a size string (20MiB, 20m, 16KiB, 16k). */
    long bytes(String path, long min, long max) {
        String expected = "a size between " + Settings.size(min) + " and " + Settings.size(max)
                + " (bytes, or e.g. 20MiB, 20m, 16KiB)";
        ConfigValue v = value(path);
        Object raw = v.unwrapped();
        long n;
        if (raw instanceof Integer || raw instanceof Long) {
            n = ((Number) raw).longValue();
        } else if (raw instanceof String s) {
            try {
                n = INTEGER.matcher(s.trim()).matches() ? Long.parseLong(s.trim()) : config.getBytes(path);
            } catch (ConfigException | NumberFormatException e) {
                throw error(path, expected, raw);
            }
        } else {
            throw error(path, expected, v.render());
        }
        if (n < min || n > max) {
            throw error(path, expected, raw);
        }
        return n;
    }

    /**
     * A list: a HOCON list of strings, or one string split on commas, whitespace and newlines. Blank entries and
     * duplicates are dropped, order is kept.
     */
    List<String> list(String path) {
        ConfigValue v = value(path);
        LinkedHashSet<String> out = new LinkedHashSet<>();
        if (v instanceof ConfigList list) {
            for (ConfigValue item : list) {
                if (item.valueType() == ConfigValueType.OBJECT || item.valueType() == ConfigValueType.LIST) {
                    throw error(path, "a list of strings", v.render());
                }
                Object raw = item.unwrapped();
                if (raw != null) {
                    splitInto(String.valueOf(raw), out);
                }
            }
        } else if (v.valueType() == ConfigValueType.OBJECT) {
            throw error(path, "a list or a comma-separated string", v.render());
        } else {
            Object raw = v.unwrapped();
            if (raw != null) {
                splitInto(String.valueOf(raw), out);
            }
        }
        return List.copyOf(out);
    }

    private static void splitInto(String s, LinkedHashSet<String> out) {
        for (String part : LIST_SEPARATORS.split(s)) {
            if (!part.isEmpty()) {
                out.add(part);
            }
        }
    }

    /** Joins GEMINI_API_KEYS with hajimi's GEMINI_API_KEYS_1.._98 batches, read until the first missing index. */
    static String withBatches(Map<String, String> env, String name, int maxBatch) {
        List<String> parts = new ArrayList<>();
        String base = env.get(name);
        if (base != null && !base.isBlank()) {
            parts.add(base);
        }
        for (int i = 1; i <= maxBatch; i++) {
            String batch = env.get(name + "_" + i);
            if (batch == null) {
                break;
            }
            parts.add(batch);
        }
        return String.join("\n", parts);
    }
}
