package gemgate.core.config;

import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import gemgate.core.error.ApiError;
import gemgate.core.error.ApiException;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The settings {@link RuntimeSettings} may change, and how a change names them and gives their values: every path is
 * a leaf of reference.conf; a change may name it by path, by path without {@code gemgate.}, or by its environment
 * name; a value is one value or a list of strings, and reads back in a JSON-friendly form of its reference type.
 * Immutable.
 */
final class RuntimePaths {
    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");

    private final ConfigLoader.Sources sources;
    private final List<String> paths;
    private final Map<String, String> aliases;

    /**
     * @param sources the configuration sources, or null for fixed settings (then no path is a setting)
     * @throws IllegalArgumentException when a path is not a setting in reference.conf
     */
    RuntimePaths(ConfigLoader.Sources sources, List<String> paths) {
        this.sources = sources;
        this.paths = List.copyOf(paths);
        for (String p : this.paths) {
            if (!isLeaf(p)) {
                throw new IllegalArgumentException("runtime setting " + p + " is not a setting in reference.conf");
            }
        }
        this.aliases = aliases(this.paths);
    }

    /** The runtime-changeable paths, in the order given. */
    List<String> list() {
        return paths;
    }

    boolean contains(String path) {
        return paths.contains(path);
    }

    /** The path for a key given to {@link RuntimeSettings#apply}; 400 for unknown and restart-only settings. */
    String pathOf(String key) {
        String k = key == null ? "" : key.trim();
        String path = aliases.get(k);
        if (path != null) {
            return path;
        }
        String asPath = k.startsWith(ConfigLoader.ROOT + ".") ? k : ConfigLoader.ROOT + "." + k;
        if (isLeaf(asPath) || ConfigLoader.envNamesByPath().values().stream().anyMatch(n -> n.contains(k))) {
            throw new ApiException(ApiError.badRequest(k + " cannot be changed at runtime: it needs a restart (set it"
                    + " in the environment or the config file). Runtime settings: " + String.join(", ", paths), k));
        }
        throw new ApiException(ApiError.badRequest("unknown setting " + k + ". Runtime settings: "
                + String.join(", ", paths), k));
    }

    private boolean isLeaf(String path) {
        if (sources == null) {
            return false;
        }
        try {
            return sources.reference.hasPath(path)
                    && sources.reference.getValue(path).valueType() != ConfigValueType.OBJECT;
        } catch (com.typesafe.config.ConfigException.BadPath e) {
            return false;
        }
    }

    private static Map<String, String> aliases(List<String> paths) {
        Map<String, String> out = new HashMap<>();
        Map<String, List<String>> envNames = ConfigLoader.envNamesByPath();
        for (String p : paths) {
            out.put(p, p);
            out.put(p.substring(ConfigLoader.ROOT.length() + 1), p);
            for (String env : envNames.getOrDefault(p, List.of())) {
                out.put(env, p);
            }
        }
        return out;
    }

    /** A value must be one value or a list of strings: an object (a whole section) is never a runtime setting. */
    static void checkValueShape(String path, Object v) {
        if (v instanceof Map<?, ?>) {
            throw new ApiException(ApiError.badRequest(path + ": expected a single value or a list, got an object", path));
        }
        if (v instanceof List<?> l) {
            for (Object item : l) {
                if (item instanceof Map<?, ?> || item instanceof List<?> || item == null) {
                    throw new ApiException(ApiError.badRequest(path + ": expected a list of strings", path));
                }
            }
        }
    }

    /**
     * The value at {@code path} in a JSON-friendly form of its reference type: lists as lists, booleans as booleans,
     * numbers as numbers (a duration with a unit stays a string, e.g. "90s").
     */
    static Object normalized(ConfigLoader.Layered l, String path) {
        Reader r = l.reader();
        ConfigValueType type = l.reference().getValue(path).valueType();
        switch (type) {
            case LIST:
                return r.list(path);
            case BOOLEAN:
                return r.bool(path);
            case NUMBER: {
                ConfigValue v = l.merged().getValue(path);
                Object raw = v.unwrapped();
                if (raw instanceof Integer i) {
                    return i.longValue();
                }
                if (raw instanceof Number) {
                    return raw;
                }
                String s = r.string(path);
                if (NUMBER.matcher(s).matches()) {
                    BigDecimal d = new BigDecimal(s);
                    try {
                        return d.longValueExact();
                    } catch (ArithmeticException notWhole) {
                        return d.doubleValue();
                    }
                }
                return s;
            }
            default:
                return r.string(path);
        }
    }
}
