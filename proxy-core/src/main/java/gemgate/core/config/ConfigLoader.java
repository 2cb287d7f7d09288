package gemgate.core.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Loads, validates and maps the configuration once, at boot. Layers, highest first: system properties
 * ({@code -Dgemgate.server.port=8080}), environment (hajimi's names, mapped by {@code gemgate-env.conf}), settings
 * changed at runtime (only through {@link RuntimeSettings}), the external file ({@code --config FILE} or env
 * {@code GEMGATE_CONFIG}), {@code reference.conf}.
 * Any bad value throws {@link ConfigError}. The only file system access besides reading the external file is the
 * generated password (see {@link Settings.Auth}).
 */
public final class ConfigLoader {
    public static final String CONFIG_FILE_ENV = "GEMGATE_CONFIG";
    static final String ROOT = "gemgate";
    private static final String REFERENCE = "reference.conf";
    private static final String ENV_MAPPING = "gemgate-env.conf";
    private static final String KEYS_ENV = "GEMINI_API_KEYS";
    private static final int MAX_KEY_BATCH = 98;
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern MAPPING_LINE =
            Pattern.compile("^\\s*(gemgate(?:\\.[A-Za-z0-9-]+)+)\\s*[=:]\\s*\\$\\{\\?([A-Za-z_][A-Za-z0-9_]*)}\\s*$",
                    Pattern.MULTILINE);
    private static final ConfigResolveOptions NO_SYSTEM_ENV = ConfigResolveOptions.defaults().setUseSystemEnvironment(false);

    private ConfigLoader() {}

    /** Loads with the real process environment and system properties. */
    public static Settings load(Path externalFileOrNull) {
        return load(externalFileOrNull, System.getenv(), System.getProperties());
    }

    /**
     * @param externalFileOrNull the {@code --config} file; when null, env {@code GEMGATE_CONFIG} names it, if set
     * @param env the environment (never read from the process here, for testability)
     * @param systemProps system properties; only {@code gemgate.*} entries are used
     * @throws ConfigError naming the setting and what was expected
     */
    public static Settings load(Path externalFileOrNull, Map<String, String> env, Properties systemProps) {
        return load(Sources.read(externalFileOrNull, env, systemProps));
    }

    /** Loads from sources read earlier (see {@link Sources}). */
    public static Settings load(Sources sources) {
        return layered(sources, Map.of(), null).settings();
    }

    /**
     * The configuration inputs, read and parsed once: the environment, the system properties, the external file and
     * reference.conf. Immutable and thread-safe; {@link RuntimeSettings} maps them again with its overlay, so a
     * runtime change never re-reads the file (edits to it take effect on restart, like every other file setting).
     */
    public static final class Sources {
        final Path file;
        final Map<String, String> usableEnv;
        final Map<String, List<String>> envNames;
        final Config reference;
        final Config envLayer;
        final Config fileLayer;
        final Config sysLayer;

        private Sources(Path file, Map<String, String> usableEnv, Map<String, List<String>> envNames, Config reference,
                Config envLayer, Config fileLayer, Config sysLayer) {
            this.file = file;
            this.usableEnv = usableEnv;
            this.envNames = envNames;
            this.reference = reference;
            this.envLayer = envLayer;
            this.fileLayer = fileLayer;
            this.sysLayer = sysLayer;
        }

        /** Reads the process environment and system properties. */
        public static Sources read(Path externalFileOrNull) {
            return read(externalFileOrNull, System.getenv(), System.getProperties());
        }

        /**
         * Same parameters as {@link ConfigLoader#load(Path, Map, Properties)}.
         *
         * @throws ConfigError when the file is missing or broken, or a layer names an unknown setting
         */
        public static Sources read(Path externalFileOrNull, Map<String, String> env, Properties systemProps) {
            Map<String, List<String>> envNames = envNamesByPath();
            Map<String, String> usableEnv = usableEnv(env);
            Config envConfig = ConfigValueFactory.fromMap(usableEnv).toConfig();
            Config reference = parseResource(REFERENCE).resolve(NO_SYSTEM_ENV);

            Config envLayer = resolveAgainstEnv(parseResource(ENV_MAPPING), envConfig);

            Path file = externalFileOrNull;
            if (file == null && usableEnv.containsKey(CONFIG_FILE_ENV)) {
                file = Path.of(usableEnv.get(CONFIG_FILE_ENV));
            }
            Config fileLayer = ConfigFactory.empty();
            if (file != null) {
                fileLayer = parseFile(file, envConfig);
                rejectUnknownKeys(fileLayer, reference, "in " + file);
            }

            Config sysLayer = ConfigFactory.parseProperties(gemgateProperties(systemProps));
            rejectUnknownKeys(sysLayer, reference, "in the system properties");
            return new Sources(file, Map.copyOf(usableEnv), envNames, reference, envLayer, fileLayer, sysLayer);
        }

        /** The external file in use, or null. */
        public Path file() {
            return file;
        }
    }

    /** Where an effective value comes from, highest precedence first. */
    public enum Source {
        SYSTEM_PROPERTY("system-property"),
        ENVIRONMENT("environment"),
        RUNTIME("runtime"),
        FILE("file"),
        DEFAULT("default");

        private final String label;

        Source(String label) {
            this.label = label;
        }

        /** The lower-case name used in the admin API. */
        public String label() {
            return label;
        }
    }

    /** One load with its layers kept, for provenance questions (which layer set a path, which env name). */
    static final class Layered {
        private final Sources sources;
        private final Config runtime;
        private final Config merged;
        private final Settings settings;

        private Layered(Sources sources, Config runtime, Config merged, Settings settings) {
            this.sources = sources;
            this.runtime = runtime;
            this.merged = merged;
            this.settings = settings;
        }

        Settings settings() {
            return settings;
        }

        Config merged() {
            return merged;
        }

        Config reference() {
            return sources.reference;
        }

        Source source(String path) {
            if (sources.sysLayer.hasPathOrNull(path)) {
                return Source.SYSTEM_PROPERTY;
            }
            if (sources.envLayer.hasPathOrNull(path)) {
                return Source.ENVIRONMENT;
            }
            if (runtime.hasPathOrNull(path)) {
                return Source.RUNTIME;
            }
            if (sources.fileLayer.hasPathOrNull(path)) {
                return Source.FILE;
            }
            return Source.DEFAULT;
        }

        /** The env variable that sets {@code path} now, else its preferred name; null when none is mapped. */
        String envName(String path) {
            List<String> names = sources.envNames.get(path);
            if (names == null || names.isEmpty()) {
                return null;
            }
            for (String n : names) {
                if (sources.usableEnv.containsKey(n)) {
                    return n;
                }
            }
            return names.get(0);
        }

        Reader reader() {
            return new Reader(merged, path -> label(path, sources.envNames, sources.usableEnv));
        }
    }

    /**
     * Maps the sources with a runtime overlay between the environment and the file:
     * system properties > environment > runtime > file > reference.conf.
     *
     * @param runtime  path -> value (strings, numbers, booleans, lists); the caller restricts the paths
     * @param keep     the boot settings, or null at boot: when non-null, the parts read from disk at start (the
     *                 password, which may read or generate the password file, and the model-limits files) are taken
     *                 from it as they are; a runtime change runs on an event loop and does no I/O
     * @throws ConfigError naming the setting, when a value does not validate
     */
    static Layered layered(Sources s, Map<String, Object> runtime, Settings keep) {
        return layered(s, runtime, keep, false);
    }

    /**
     * Like {@link #layered} but with the runtime values above every layer, to validate them even where the
     * environment would shadow them. Its {@link Layered#source} answers are not meaningful.
     */
    static Layered layeredOnTop(Sources s, Map<String, Object> runtime, Settings keep) {
        return layered(s, runtime, keep, true);
    }

    private static Layered layered(Sources s, Map<String, Object> runtime, Settings keep, boolean onTop) {
        Config runtimeLayer;
        try {
            runtimeLayer = ConfigFactory.parseMap(runtime, "runtime settings");
        } catch (ConfigException | IllegalArgumentException e) {
            throw new ConfigError("runtime settings: " + e.getMessage(), e);
        }
        rejectUnknownKeys(runtimeLayer, s.reference, "in the runtime settings");
        Config merged = onTop
                ? runtimeLayer.withFallback(s.sysLayer).withFallback(s.envLayer).withFallback(s.fileLayer)
                        .withFallback(s.reference)
                : s.sysLayer.withFallback(s.envLayer).withFallback(runtimeLayer).withFallback(s.fileLayer)
                        .withFallback(s.reference);
        Layered l = new Layered(s, runtimeLayer, merged, null);
        Settings settings = SettingsMapper.map(l.reader(), keep);
        return new Layered(s, runtimeLayer, merged, settings);
    }

    /** Blank values count as unset: docker-compose passes {@code VAR=} for variables the user left empty. */
    private static Map<String, String> usableEnv(Map<String, String> env) {
        Map<String, String> out = new HashMap<>();
        env.forEach((k, v) -> {
            if (k != null && v != null && !v.isBlank() && ENV_NAME.matcher(k).matches()) {
                out.put(k, v);
            }
        });
        String keys = Reader.withBatches(env, KEYS_ENV, MAX_KEY_BATCH);
        if (keys.isBlank()) {
            out.remove(KEYS_ENV);
        } else {
            out.put(KEYS_ENV, keys);
        }
        return out;
    }

    private static Properties gemgateProperties(Properties props) {
        Properties out = new Properties();
        for (String name : props.stringPropertyNames()) {
            if (name.startsWith(ROOT + ".")) {
                out.setProperty(name, props.getProperty(name));
            }
        }
        return out;
    }

    private static Config parseResource(String name) {
        try {
            return ConfigFactory.parseResources(ConfigLoader.class.getClassLoader(), name,
                    ConfigParseOptions.defaults().setAllowMissing(false));
        } catch (ConfigException e) {
            throw new IllegalStateException("gemgate's bundled " + name + " is missing or broken: " + e.getMessage(), e);
        }
    }

    /**
     * Resolves {@code ${?VAR}} against the given environment and keeps only the {@code gemgate} tree. The env is
     * merged in as a fallback of the same tree rather than passed to resolveWith, which fails on a path that has two
     * undefined optional substitutions (as proxy-url does) in typesafe-config 1.4.3.
     */
    private static Config resolveAgainstEnv(Config config, Config envConfig) {
        Config resolved = config.withFallback(envConfig.withoutPath(ROOT)).resolve(NO_SYSTEM_ENV);
        return resolved.hasPathOrNull(ROOT) ? resolved.withOnlyPath(ROOT) : ConfigFactory.empty();
    }

    /**
     * The external file may use {@code ${?VAR}} (resolved against the given environment) and refer to its own
     * settings; settings it does not define are not visible to its substitutions.
     */
    private static Config parseFile(Path file, Config envConfig) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigError("config file " + file.toAbsolutePath() + " does not exist or is not a file"
                    + " (given by --config or " + CONFIG_FILE_ENV + ")");
        }
        try {
            Config parsed = ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
            return resolveAgainstEnv(parsed, envConfig);
        } catch (ConfigException e) {
            throw new ConfigError("config file " + file + " could not be read: " + e.getMessage(), e);
        }
    }

    /** Typo protection: every leaf under {@code gemgate} must exist in reference.conf. */
    private static void rejectUnknownKeys(Config layer, Config reference, String where) {
        if (!layer.hasPathOrNull(ROOT)) {
            return;
        }
        if (!(layer.getValue(ROOT) instanceof com.typesafe.config.ConfigObject)) {
            throw new ConfigError(ROOT + " " + where + ": expected an object with settings, got "
                    + layer.getValue(ROOT).render());
        }
        for (Map.Entry<String, ConfigValue> e : layer.getConfig(ROOT).entrySet()) {
            String path = ROOT + "." + e.getKey();
            if (isKnownLeaf(reference, path)) {
                continue;
            }
            String section = parentOf(path);
            while (!section.equals(ROOT) && !reference.hasPath(section)) {
                section = parentOf(section);
            }
            TreeSet<String> known = new TreeSet<>(reference.getConfig(section).root().keySet());
            throw new ConfigError("unknown setting " + path + " " + where + " (a typo?). Known under " + section
                    + ": " + String.join(", ", known));
        }
    }

    private static boolean isKnownLeaf(Config reference, String path) {
        if (!reference.hasPath(path)) {
            return false;
        }
        return !(reference.getValue(path) instanceof com.typesafe.config.ConfigObject);
    }

    private static String parentOf(String path) {
        int dot = path.lastIndexOf('.');
        return dot < 0 ? ROOT : path.substring(0, dot);
    }

    /** {@code PORT (gemgate.server.port)}: the env name that is set, else the preferred one; the path alone if none. */
    private static String label(String path, Map<String, List<String>> envNames, Map<String, String> env) {
        List<String> names = envNames.get(path);
        if (names == null || names.isEmpty()) {
            return path;
        }
        for (String n : names) {
            if (env.containsKey(n)) {
                return n + " (" + path + ")";
            }
        }
        return names.get(0) + " (" + path + ")";
    }

    /**
     * Env names per path, read from gemgate-env.conf itself so the mapping is written once. Preferred first: a later
     * line wins in HOCON, so the lines are reversed.
     */
    static Map<String, List<String>> envNamesByPath() {
        String text;
        try (InputStream in = ConfigLoader.class.getClassLoader().getResourceAsStream(ENV_MAPPING)) {
            if (in == null) {
                throw new IllegalStateException("gemgate's bundled " + ENV_MAPPING + " is missing");
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + ENV_MAPPING, e);
        }
        Map<String, List<String>> out = new LinkedHashMap<>();
        Matcher m = MAPPING_LINE.matcher(text);
        while (m.find()) {
            out.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(0, m.group(2));
        }
        out.replaceAll((k, v) -> List.copyOf(v));
        return out;
    }

    /** Validates the upstream base URL: http or https with a host, no query or fragment; trailing slashes removed. */
    static URI baseUrl(Reader r, String path) {
        String s = r.string(path);
        String expected = "an http:// or https:// URL like https://generativelanguage.googleapis.com";
        URI uri;
        try {
            uri = new URI(s);
        } catch (URISyntaxException e) {
            throw r.error(path, expected, s);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null
                || uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
            throw r.error(path, expected, s);
        }
        String normalized = s;
        while (normalized.endsWith("/")) {
            normalized = normalized.substring(0, normalized.length() - 1);
        }
        return URI.create(normalized);
    }
}
