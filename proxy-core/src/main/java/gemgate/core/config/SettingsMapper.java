package gemgate.core.config;

import gemgate.core.keys.ModelLimits;
import gemgate.core.net.CidrSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/** Maps the merged config onto the {@link Settings} records, validating every range on the way. */
final class SettingsMapper {
    private static final long MAX_INT = Integer.MAX_VALUE;
    private static final Pattern API_VERSION = Pattern.compile("[A-Za-z0-9._-]+");

    private SettingsMapper() {}

    static Settings map(Reader r) {
        return map(r, null);
    }

    /** @param keep when non-null, its auth and model limits are taken as is (no file access); see {@link ConfigLoader#layered} */
    static Settings map(Reader r, Settings keep) {
        Settings.Storage storage = storage(r);
        return new Settings(
                server(r),
                keep != null ? keep.auth() : auth(r, storage),
                keys(r, storage, keep != null ? keep.keys().modelLimits() : null),
                upstream(r),
                new Settings.Streaming(
                        r.bool("gemgate.streaming.fake-streaming"),
                        r.positiveSeconds("gemgate.streaming.keepalive-interval")),
                new Settings.Retry(
                        r.integer("gemgate.retry.max-retry-num", 1, MAX_INT, "a whole number >= 1"),
                        r.integer("gemgate.retry.max-empty-responses", 0, MAX_INT, "a whole number >= 0")),
                new Settings.RateLimit(
                        r.integer("gemgate.rate-limit.per-minute", 0, MAX_INT, "a whole number >= 0 (0 = no limit)"),
                        r.integer("gemgate.rate-limit.per-day", 0, MAX_INT, "a whole number >= 0 (0 = no limit)"),
                        r.integer("gemgate.rate-limit.max-tracked-clients", 1, MAX_INT, "a whole number >= 1")),
                new Settings.Models(
                        r.list("gemgate.models.whitelist"),
                        r.list("gemgate.models.blocked"),
                        r.positiveSeconds("gemgate.models.refresh-interval")),
                storage,
                log(r),
                new Settings.Metrics(r.bool("gemgate.metrics.require-password")),
                new Settings.Concurrency(
                        r.integer("gemgate.concurrency.concurrent-requests", 1, MAX_INT, "a whole number >= 1"),
                        r.integer("gemgate.concurrency.increase-on-failure", 0, MAX_INT, "a whole number >= 0"),
                        r.integer("gemgate.concurrency.max-concurrent-requests", 1, MAX_INT, "a whole number >= 1")),
                new Settings.Cache(
                        r.positiveSeconds("gemgate.cache.expiry"),
                        r.integer("gemgate.cache.max-entries", 0, MAX_INT, "a whole number >= 0 (0 = no cache)"),
                        r.bytes("gemgate.cache.max-bytes", 0, 1L << 40),
                        r.integer("gemgate.cache.calculate-entries", 1, MAX_INT, "a whole number >= 1"),
                        r.bool("gemgate.cache.precise"),
                        r.bool("gemgate.cache.share-across-clients")),
                chat(r),
                embeddings(r),
                new Settings.Media(
                        r.bool("gemgate.media.fetch-remote"),
                        r.bytes("gemgate.media.max-bytes", 1, MAX_INT),
                        r.positiveSeconds("gemgate.media.timeout"),
                        r.integer("gemgate.media.max-redirects", 0, 20, "a whole number 0-20"),
                        r.integer("gemgate.media.max-urls", 1, 1000, "a whole number 1-1000")));
    }

    private static Settings.Chat chat(Reader r) {
        String display = r.string("gemgate.chat.thought-display").trim().toUpperCase(Locale.ROOT).replace('-', '_');
        if (!Settings.Chat.THOUGHT_DISPLAYS.contains(display)) {
            throw r.error("gemgate.chat.thought-display", "one of reasoning_content, think_tags, hidden", display.toLowerCase(Locale.ROOT));
        }
        return new Settings.Chat(
                r.bool("gemgate.chat.disable-safety-filtering"),
                safetyThresholds(r, "gemgate.chat.safety-thresholds"),
                r.bool("gemgate.chat.enable-thinking"),
                display,
                r.bool("gemgate.chat.search-mode"),
                r.string("gemgate.chat.search-prompt"),
                r.bool("gemgate.chat.random-string"),
                r.integer("gemgate.chat.random-string-length", 1, 1000, "a length 1-1000"));
    }

    /** "CATEGORY=THRESHOLD" entries; the HARM_CATEGORY_ prefix is optional, case does not matter. */
    private static Map<String, String> safetyThresholds(Reader r, String path) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String entry : r.list(path)) {
            int eq = entry.indexOf('=');
            String expected = "a list of CATEGORY=THRESHOLD entries, category one of "
                    + Settings.Chat.HARM_CATEGORIES + " (prefix optional), threshold one of " + Settings.Chat.THRESHOLDS;
            if (eq <= 0) {
                throw r.error(path, expected, entry);
            }
            String category = entry.substring(0, eq).trim().toUpperCase(Locale.ROOT);
            if (!category.startsWith("HARM_CATEGORY_")) {
                category = "HARM_CATEGORY_" + category;
            }
            String threshold = entry.substring(eq + 1).trim().toUpperCase(Locale.ROOT);
            if (!Settings.Chat.HARM_CATEGORIES.contains(category) || !Settings.Chat.THRESHOLDS.contains(threshold)) {
                throw r.error(path, expected, entry);
            }
            out.put(category, threshold);
        }
        return out;
    }

    private static Settings.Embeddings embeddings(Reader r) {
        String model = r.string("gemgate.embeddings.default-model").trim();
        if (model.startsWith("models/")) {
            model = model.substring("models/".length());
        }
        if (!API_VERSION.matcher(model).matches()) {
            throw r.error("gemgate.embeddings.default-model", "a Gemini embedding model name like gemini-embedding-001", model);
        }
        return new Settings.Embeddings(model,
                r.integer("gemgate.embeddings.max-inputs", 1, 1_000_000, "a whole number >= 1"),
                r.integer("gemgate.embeddings.parallel-batches", 1, 64, "a whole number 1-64"));
    }

    /** The file in the data directory that overrides the bundled per-model limits, when it exists. */
    static final String MODEL_LIMITS_FILE = "model-limits.json";

    private static Settings.Keys keys(Reader r, Settings.Storage storage, ModelLimits keepLimits) {
        Duration revalidate = r.positiveSeconds("gemgate.keys.revalidate-interval");
        Duration revalidateMax = r.positiveSeconds("gemgate.keys.revalidate-max-interval");
        if (revalidateMax.compareTo(revalidate) < 0) {
            throw r.error("gemgate.keys.revalidate-max-interval", "a duration >= gemgate.keys.revalidate-interval ("
                    + Settings.seconds(revalidate) + ")", Settings.seconds(revalidateMax));
        }
        int reportMinutes = r.integer("gemgate.keys.usage-report-interval-minutes", 0, 525_600,
                "a number of minutes >= 0 (0 = off)");
        return new Settings.Keys(
                r.list("gemgate.keys.gemini-api-keys"),
                r.integer("gemgate.keys.daily-limit", 0, MAX_INT, "a whole number >= 0 (0 = no cap)"),
                keepLimits != null ? keepLimits : modelLimits(r, storage),
                r.integer("gemgate.keys.validation-concurrency", 1, 64, "a whole number 1-64"),
                r.positiveSeconds("gemgate.keys.validation-timeout"),
                revalidate,
                revalidateMax,
                r.bool("gemgate.keys.skip-startup-check"),
                Duration.ofMinutes(reportMinutes));
    }

    /**
     * Bundled table, then {@code <storage.dir>/model-limits.json} when present, then the setting (a path or JSON);
     * "off" = no local limits at all.
     */
    private static ModelLimits modelLimits(Reader r, Settings.Storage storage) {
        String path = "gemgate.keys.model-limits";
        String value = r.string(path);
        if (value.equalsIgnoreCase("off") || value.equalsIgnoreCase("none")) {
            return ModelLimits.none(); // paid-tier keys: only Google's own answers take a key out
        }
        ModelLimits limits = ModelLimits.bundled();
        Path dataFile = storage.dir().resolve(MODEL_LIMITS_FILE);
        if (Files.isRegularFile(dataFile)) {
            try {
                limits = limits.overriddenBy(ModelLimits.parse(Files.readAllBytes(dataFile), dataFile.toString()));
            } catch (IOException | IllegalArgumentException e) {
                throw new ConfigError("per-model limits in " + dataFile + " could not be used: " + e.getMessage()
                        + " (fix or delete the file)", e);
            }
        }
        if (value.isEmpty()) {
            return limits;
        }
        String expected = "a path to a JSON file of per-model limits, or that JSON itself ({\"limits\":{\"model*\":{\"rpm\":..}}})";
        try {
            if (value.startsWith("{")) {
                return limits.overriddenBy(ModelLimits.parse(value.getBytes(StandardCharsets.UTF_8), "the setting"));
            }
            Path file = Path.of(value);
            if (!Files.isRegularFile(file)) {
                throw r.error(path, expected + " (no such file)", value);
            }
            return limits.overriddenBy(ModelLimits.parse(Files.readAllBytes(file), file.toString()));
        } catch (IllegalArgumentException | IOException e) {
            throw r.error(path, expected + "; " + e.getMessage(), value.length() > 80 ? value.substring(0, 80) + "…" : value);
        }
    }

    private static Settings.Log log(Reader r) {
        String file = r.string("gemgate.log.file").trim();
        Path path = null;
        if (!file.isEmpty()) {
            try {
                path = Path.of(file);
            } catch (InvalidPathException e) {
                throw r.error("gemgate.log.file", "a file path like /var/log/gemgate/gemgate.log, or \"\" for console only", file);
            }
            if (path.getFileName() == null) {
                throw r.error("gemgate.log.file", "a file path like /var/log/gemgate/gemgate.log, or \"\" for console only", file);
            }
        }
        return new Settings.Log(
                r.bool("gemgate.log.debug"),
                r.bool("gemgate.log.access"),
                path,
                r.bytes("gemgate.log.max-file-size", 64 * 1024, 1L << 40),
                r.integer("gemgate.log.max-history", 1, 36500, "a number of days >= 1"),
                r.bytes("gemgate.log.total-size-cap", 1 << 20, 1L << 40));
    }

    private static Settings.Server server(Reader r) {
        String host = r.string("gemgate.server.host");
        if (host.isEmpty()) {
            throw r.error("gemgate.server.host", "a listen address like 0.0.0.0, :: or 127.0.0.1", host);
        }
        List<String> trusted = r.list("gemgate.server.trusted-proxies");
        CidrSet trustedProxies;
        try {
            trustedProxies = CidrSet.parse(trusted);
        } catch (IllegalArgumentException e) {
            throw r.error("gemgate.server.trusted-proxies",
                    "a list of IP addresses or CIDR ranges like 127.0.0.1/8, ::1 (" + e.getMessage() + ")", trusted.toString());
        }
        return new Settings.Server(
                host,
                r.integer("gemgate.server.port", 0, 65535, "a port number 1-65535 (0 = any free port)"),
                r.bytes("gemgate.server.max-request-body", 1, MAX_INT),
                (int) r.bytes("gemgate.server.max-header-size", 1024, MAX_INT),
                (int) r.bytes("gemgate.server.max-initial-line", 256, MAX_INT),
                r.positiveSeconds("gemgate.server.idle-timeout"),
                r.integer("gemgate.server.io-threads", 0, 4096, "a thread count 0-4096 (0 = Netty's default)"),
                r.bool("gemgate.server.native-transport"),
                trustedProxies,
                r.list("gemgate.server.allowed-origins"),
                r.positiveSeconds("gemgate.server.shutdown-grace"));
    }

    private static Settings.Upstream upstream(Reader r) {
        String apiVersion = r.string("gemgate.upstream.api-version");
        if (!API_VERSION.matcher(apiVersion).matches()) {
            throw r.error("gemgate.upstream.api-version", "a version path segment like v1beta", apiVersion);
        }
        String proxyUrl = r.string("gemgate.upstream.proxy-url");
        ProxyConfig proxy;
        try {
            proxy = ProxyUrl.parse(proxyUrl);
        } catch (IllegalArgumentException e) {
            throw r.error("gemgate.upstream.proxy-url", ProxyUrl.EXPECTED + "; " + e.getMessage(), hideCredentials(proxyUrl));
        }
        return new Settings.Upstream(
                ConfigLoader.baseUrl(r, "gemgate.upstream.base-url"),
                apiVersion,
                r.positiveSeconds("gemgate.upstream.connect-timeout"),
                r.positiveSeconds("gemgate.upstream.first-byte-timeout"),
                r.positiveSeconds("gemgate.upstream.idle-timeout"),
                r.bytes("gemgate.upstream.max-response-body", 1, MAX_INT),
                (int) r.bytes("gemgate.upstream.max-sse-event", 1, MAX_INT),
                r.integer("gemgate.upstream.pool-max-connections", 1, MAX_INT, "a whole number >= 1"),
                r.integer("gemgate.upstream.pool-max-pending-acquires", 1, MAX_INT, "a whole number >= 1"),
                r.positiveSeconds("gemgate.upstream.pool-idle-timeout"),
                proxy,
                r.list("gemgate.upstream.no-proxy"));
    }

    private static Settings.Storage storage(Reader r) {
        boolean enabled = r.bool("gemgate.storage.enabled");
        String dir = r.string("gemgate.storage.dir");
        try {
            if (dir.isEmpty()) {
                throw new InvalidPathException(dir, "empty");
            }
            return new Settings.Storage(enabled, Path.of(dir), r.positiveSeconds("gemgate.storage.write-delay"));
        } catch (InvalidPathException e) {
            throw r.error("gemgate.storage.dir", "a directory path like data or /var/lib/gemgate", dir);
        }
    }

    private static Settings.Auth auth(Reader r, Settings.Storage storage) {
        int maxFailures = r.integer("gemgate.auth.max-failures-before-slowdown", 0, MAX_INT, "a whole number >= 0");
        String password = stripQuotes(r.string("gemgate.auth.password"));
        if (!password.isEmpty()) {
            return new Settings.Auth(password, false, null, maxFailures, adminLogin(r, password));
        }
        if (!storage.enabled()) {
            String generated = PasswordStore.generate();
            return new Settings.Auth(generated, true, null, maxFailures, adminLogin(r, generated));
        }
        Path file = storage.dir().resolve(PasswordStore.FILE_NAME);
        String stored = PasswordStore.loadOrCreate(storage.dir());
        return new Settings.Auth(stored, true, file, maxFailures, adminLogin(r, stored));
    }

    /** WEB_PASSWORD falls back to the API password, as in hajimi; an empty WEB_PASSWORD= counts as unset. */
    private static Settings.AdminLogin adminLogin(Reader r, String password) {
        String web = stripQuotes(r.string("gemgate.auth.web-password"));
        Duration idle = r.positiveSeconds("gemgate.auth.session-idle-timeout");
        Duration maxAge = r.positiveSeconds("gemgate.auth.session-max-age");
        if (maxAge.compareTo(idle) < 0) {
            throw r.error("gemgate.auth.session-max-age",
                    "a duration at least as long as gemgate.auth.session-idle-timeout (" + Settings.seconds(idle) + ")",
                    Settings.seconds(maxAge));
        }
        return new Settings.AdminLogin(web.isEmpty() ? password : web, !web.isEmpty(), idle, maxAge,
                r.integer("gemgate.auth.max-sessions", 1, 1_000_000, "a whole number 1-1000000"),
                r.integer("gemgate.auth.login-max-failures", 1, MAX_INT, "a whole number >= 1"));
    }

    /** hajimi strips double quotes around PASSWORD (env files often carry them); so do we, for one matching pair. */
    private static String stripQuotes(String s) {
        if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) {
            return s.substring(1, s.length() - 1).trim();
        }
        return s;
    }

    private static String hideCredentials(String url) {
        int scheme = url.indexOf("://");
        int at = url.lastIndexOf('@');
        if (at < 0) {
            return url;
        }
        int start = scheme < 0 ? 0 : scheme + 3;
        return at > start ? url.substring(0, start) + "(credentials hidden)" + url.substring(at) : url;
    }
}
