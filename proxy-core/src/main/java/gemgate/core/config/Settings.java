package gemgate.core.config;

import gemgate.core.keys.KeyMask;
import gemgate.core.net.CidrSet;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The effective, validated configuration: built once at boot by {@link ConfigLoader}, immutable afterwards.
 * Durations are {@link Duration}s, sizes are bytes. {@code toString()} and {@link #describe()} never show a key, the
 * password or proxy credentials.
 */
public record Settings(
        Server server,
        Auth auth,
        Keys keys,
        Upstream upstream,
        Streaming streaming,
        Retry retry,
        RateLimit rateLimit,
        Models models,
        Storage storage,
        Log log,
        Metrics metrics,
        Concurrency concurrency,
        Cache cache,
        Chat chat,
        Embeddings embeddings,
        Media media) {

    public Settings {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(auth, "auth");
        Objects.requireNonNull(keys, "keys");
        Objects.requireNonNull(upstream, "upstream");
        Objects.requireNonNull(streaming, "streaming");
        Objects.requireNonNull(retry, "retry");
        Objects.requireNonNull(rateLimit, "rateLimit");
        Objects.requireNonNull(models, "models");
        Objects.requireNonNull(storage, "storage");
        Objects.requireNonNull(log, "log");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(concurrency, "concurrency");
        Objects.requireNonNull(cache, "cache");
        Objects.requireNonNull(chat, "chat");
        Objects.requireNonNull(embeddings, "embeddings");
        Objects.requireNonNull(media, "media");
    }

    /** Listening side: the client-facing HTTP server. */
    public record Server(
            String host,
            int port,
            long maxRequestBody,
            int maxHeaderSize,
            int maxInitialLine,
            Duration idleTimeout,
            int ioThreads,
            boolean nativeTransport,
            CidrSet trustedProxies,
            List<String> allowedOrigins,
            Duration shutdownGrace) {
        public Server {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(idleTimeout, "idleTimeout");
            Objects.requireNonNull(shutdownGrace, "shutdownGrace");
            Objects.requireNonNull(trustedProxies, "trustedProxies");
            allowedOrigins = List.copyOf(allowedOrigins);
        }
    }

    /**
     * The API password. {@code passwordGenerated} is true when the operator set none and one was generated;
     * {@code passwordFile} is where it is kept, or null when it lives only for this run.
     */
    public record Auth(String password, boolean passwordGenerated, Path passwordFile, int maxFailuresBeforeSlowdown,
            AdminLogin admin) {
        public Auth {
            if (password == null || password.isEmpty()) {
                throw new IllegalArgumentException("password must be non-empty (generate one when none is set)");
            }
            Objects.requireNonNull(admin, "admin");
        }

        /**
         * Lines for main to print once at start-up when the password was generated, with how to set your own;
         * empty when the operator set one.
         */
        public List<String> generatedNotice() {
            if (!passwordGenerated) {
                return List.of();
            }
            List<String> lines = new ArrayList<>();
            lines.add("No PASSWORD is set, so gemgate generated one. Clients must send it as the API key:");
            lines.add("    " + password);
            lines.add(passwordFile != null
                    ? "It is kept in " + passwordFile + " and reused after restarts."
                    : "Storage is disabled (ENABLE_STORAGE=false), so it is new on every start.");
            lines.add("To choose your own, set the PASSWORD environment variable or gemgate.auth.password.");
            return List.copyOf(lines);
        }

        @Override
        public String toString() {
            return "Auth[password=" + (passwordGenerated ? "(generated)" : "(set)")
                    + ", passwordFile=" + passwordFile
                    + ", maxFailuresBeforeSlowdown=" + maxFailuresBeforeSlowdown + ", admin=" + admin + "]";
        }
    }

    /**
     * Login to the admin API: its password ({@code webPasswordSet} false when it is the API password, WEB_PASSWORD
     * being unset), how long a session lives idle and at most, how many sessions are kept, and after how many failed
     * logins an address is locked out for a while.
     */
    public record AdminLogin(String webPassword, boolean webPasswordSet, Duration sessionIdleTimeout,
            Duration sessionMaxAge, int maxSessions, int loginMaxFailures) {
        public AdminLogin {
            if (webPassword == null || webPassword.isEmpty()) {
                throw new IllegalArgumentException("webPassword must be non-empty (the API password when unset)");
            }
            Objects.requireNonNull(sessionIdleTimeout, "sessionIdleTimeout");
            Objects.requireNonNull(sessionMaxAge, "sessionMaxAge");
            if (maxSessions < 1 || loginMaxFailures < 1) {
                throw new IllegalArgumentException("maxSessions and loginMaxFailures must be >= 1, got "
                        + maxSessions + " and " + loginMaxFailures);
            }
        }

        @Override
        public String toString() {
            return "AdminLogin[webPassword=" + (webPasswordSet ? "(set)" : "(= password)")
                    + ", sessionIdleTimeout=" + sessionIdleTimeout + ", sessionMaxAge=" + sessionMaxAge
                    + ", maxSessions=" + maxSessions + ", loginMaxFailures=" + loginMaxFailures + "]";
        }
    }

    /**
     * The Gemini API keys (duplicates removed, in configuration order; may be empty) and how the pool treats them:
     * the per-key daily cap (0 = none), the per-model limits table (bundled, then the data directory's file, then
     * the setting), the background validator (concurrency, time limit, re-check waits), and the usage report period
     * ({@link Duration#ZERO} = off).
     */
    public record Keys(
            List<String> geminiApiKeys,
            int dailyLimit,
            gemgate.core.keys.ModelLimits modelLimits,
            int validationConcurrency,
            Duration validationTimeout,
            Duration revalidateInterval,
            Duration revalidateMaxInterval,
            boolean skipStartupCheck,
            Duration usageReportInterval) {
        public Keys {
            geminiApiKeys = List.copyOf(geminiApiKeys);
            Objects.requireNonNull(modelLimits, "modelLimits");
            Objects.requireNonNull(validationTimeout, "validationTimeout");
            Objects.requireNonNull(revalidateInterval, "revalidateInterval");
            Objects.requireNonNull(revalidateMaxInterval, "revalidateMaxInterval");
            Objects.requireNonNull(usageReportInterval, "usageReportInterval");
        }

        @Override
        public String toString() {
            return "Keys" + maskAll(geminiApiKeys) + "[dailyLimit=" + dailyLimit + ", modelLimits=" + modelLimits
                    + ", validationConcurrency=" + validationConcurrency + ", skipStartupCheck=" + skipStartupCheck
                    + ", usageReportInterval=" + usageReportInterval + "]";
        }
    }

    /** The Gemini side: where to connect, how long to wait, how much to buffer, which proxy to use. */
    public record Upstream(
            URI baseUrl,
            String apiVersion,
            Duration connectTimeout,
            Duration firstByteTimeout,
            Duration idleTimeout,
            long maxResponseBody,
            int maxSseEvent,
            int poolMaxConnections,
            int poolMaxPendingAcquires,
            Duration poolIdleTimeout,
            ProxyConfig proxy,
            List<String> noProxy) {
        public Upstream {
            Objects.requireNonNull(baseUrl, "baseUrl");
            Objects.requireNonNull(apiVersion, "apiVersion");
            Objects.requireNonNull(connectTimeout, "connectTimeout");
            Objects.requireNonNull(firstByteTimeout, "firstByteTimeout");
            Objects.requireNonNull(idleTimeout, "idleTimeout");
            Objects.requireNonNull(poolIdleTimeout, "poolIdleTimeout");
            noProxy = List.copyOf(noProxy);
        }

        /**
         * The proxy to use for a connection to {@code host}, or empty when there is none or NO_PROXY lists the host
         * ({@code *} = every host; {@code example.com} = it and its subdomains; {@code .example.com} = subdomains
         * only; IP literals and CIDR ranges match IP hosts; a {@code :port} suffix on an entry is ignored).
         */
        public Optional<ProxyConfig> proxyFor(String host) {
            if (proxy == null || bypasses(noProxy, host)) {
                return Optional.empty();
            }
            return Optional.of(proxy);
        }

        static boolean bypasses(List<String> noProxy, String rawHost) {
            if (rawHost == null) {
                return false;
            }
            String host = rawHost.trim().toLowerCase(Locale.ROOT);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            while (host.endsWith(".")) {
                host = host.substring(0, host.length() - 1);
            }
            byte[] ip = CidrSet.literal(host);
            for (String raw : noProxy) {
                String e = raw.trim().toLowerCase(Locale.ROOT);
                if (e.equals("*")) {
                    return true;
                }
                if (e.isEmpty()) {
                    continue;
                }
                if (e.indexOf('/') >= 0) {
                    if (ip != null && matchesCidr(e, ip)) {
                        return true;
                    }
                    continue;
                }
                e = stripPort(e);
                if (e.startsWith("*.")) {
                    e = e.substring(1);
                }
                if (e.startsWith(".")) {
                    if (host.endsWith(e)) {
                        return true;
                    }
                } else if (host.equals(e) || host.endsWith("." + e)) {
                    return true;
                }
            }
            return false;
        }

        private static boolean matchesCidr(String entry, byte[] ip) {
            try {
                return CidrSet.parse(List.of(entry)).contains(ip);
            } catch (IllegalArgumentException notACidr) {
                return false;
            }
        }

        private static String stripPort(String e) {
            if (e.startsWith("[")) {
                int close = e.indexOf(']');
                return close > 0 ? e.substring(1, close) : e;
            }
            int colon = e.indexOf(':');
            // One colon = host:port; several = a bare IPv6 literal, kept whole.
            if (colon > 0 && e.indexOf(':', colon + 1) < 0) {
                return e.substring(0, colon);
            }
            return e;
        }
    }

    /** Streaming behaviour: fake streaming (one upstream call, keepalives until it answers) and keepalive period. */
    public record Streaming(boolean fakeStreaming, Duration keepaliveInterval) {
        public Streaming {
            Objects.requireNonNull(keepaliveInterval, "keepaliveInterval");
        }
    }

    /** Upstream attempts per request (≥ 1) and retries on empty answers (≥ 0). */
    public record Retry(int maxRetryNum, int maxEmptyResponses) {}

    /** Per-client-IP limits; 0 turns a limit off. {@code maxTrackedClients} bounds the memory they use. */
    public record RateLimit(int perMinute, int perDay, int maxTrackedClients) {}

    /** Model list filters (whitelist wins when non-empty) and how often the list is refreshed. */
    public record Models(List<String> whitelist, List<String> blocked, Duration refreshInterval) {
        public Models {
            whitelist = List.copyOf(whitelist);
            blocked = List.copyOf(blocked);
            Objects.requireNonNull(refreshInterval, "refreshInterval");
        }
    }

    /**
     * The data directory (generated password, persisted state); {@code enabled=false} writes nothing.
     * {@code writeDelay}: changes are saved at most this long after the first one of a batch.
     */
    public record Storage(boolean enabled, Path dir, Duration writeDelay) {
        public Storage {
            Objects.requireNonNull(dir, "dir");
            Objects.requireNonNull(writeDelay, "writeDelay");
        }
    }

    /**
     * Logging: {@code file} is null for console only; when set, it is rolled daily and at {@code maxFileSize}, rolled
     * files are kept {@code maxHistory} days and {@code totalSizeCap} bytes at most.
     */
    public record Log(boolean debug, boolean access, Path file, long maxFileSize, int maxHistory, long totalSizeCap) {}

    /** {@code GET /metrics}: whether it needs the API password. */
    public record Metrics(boolean requirePassword) {}

    /**
     * Concurrent upstream attempts per non-streamed chat request (hajimi's CONCURRENT_REQUESTS family): start with
     * {@code concurrentRequests}, add {@code increaseOnFailure} after each round without a good answer, never above
     * {@code max(maxConcurrentRequests, concurrentRequests)}.
     */
    public record Concurrency(int concurrentRequests, int increaseOnFailure, int maxConcurrentRequests) {}

    /**
     * The response cache for extra answers of concurrent attempts: TTL, entry and byte bounds (0 = off), key shape
     * ({@code precise} whole conversation, else the last {@code calculateEntries} turns) and whether answers may go
     * to other clients.
     */
    public record Cache(Duration expiry, int maxEntries, long maxBytes, int calculateEntries, boolean precise,
            boolean shareAcrossClients) {
        public Cache {
            Objects.requireNonNull(expiry, "expiry");
        }
    }

    /**
     * {@code POST /v1/embeddings}: the Gemini model used for OpenAI model names (and a missing model), the most texts
     * per request, and how many upstream batches (of at most 100 texts) run at once for one request.
     */
    public record Embeddings(String defaultModel, int maxInputs, int parallelBatches) {
        public Embeddings {
            Objects.requireNonNull(defaultModel, "defaultModel");
        }
    }

    /**
     * How OpenAI chat requests are translated for Gemini.
     *
     * @param disableSafetyFiltering every harm category at the most permissive threshold the model takes
     * @param safetyThresholds       per-category thresholds (full HARM_CATEGORY_x name -> BLOCK_x/OFF), applied after
     * @param enableThinking         send a thinking config to models that think
     * @param thoughtDisplay         REASONING_CONTENT, THINK_TAGS or HIDDEN
     * @param searchMode             offer {@code <model>-search} variants with Google Search grounding
     * @param searchPrompt           text added to -search requests ("" = none)
     * @param randomString           hajimi's random "disguise" turns
     * @param randomStringLength     their length, >= 1
     */
    public record Chat(boolean disableSafetyFiltering, Map<String, String> safetyThresholds, boolean enableThinking,
                       String thoughtDisplay, boolean searchMode, String searchPrompt, boolean randomString,
                       int randomStringLength) {
        /** The names Gemini knows, in the order settings accept them. */
        public static final List<String> HARM_CATEGORIES = List.of("HARM_CATEGORY_HARASSMENT", "HARM_CATEGORY_HATE_SPEECH",
                "HARM_CATEGORY_SEXUALLY_EXPLICIT", "HARM_CATEGORY_DANGEROUS_CONTENT", "HARM_CATEGORY_CIVIC_INTEGRITY");
        public static final List<String> THRESHOLDS = List.of("BLOCK_NONE", "BLOCK_ONLY_HIGH", "BLOCK_MEDIUM_AND_ABOVE",
                "BLOCK_LOW_AND_ABOVE", "OFF");
        public static final List<String> THOUGHT_DISPLAYS = List.of("REASONING_CONTENT", "THINK_TAGS", "HIDDEN");

        public Chat {
            safetyThresholds = Map.copyOf(safetyThresholds);
            Objects.requireNonNull(searchPrompt, "searchPrompt");
            if (!THOUGHT_DISPLAYS.contains(thoughtDisplay)) {
                throw new IllegalArgumentException("thoughtDisplay must be one of " + THOUGHT_DISPLAYS + ", got " + thoughtDisplay);
            }
            if (randomStringLength < 1) {
                throw new IllegalArgumentException("randomStringLength must be >= 1, got " + randomStringLength);
            }
        }
    }

    /**
     * Fetching http(s) media URLs named in chat messages: off unless {@code fetchRemote}; at most {@code maxUrls} per
     * request and {@code maxBytes} per request in total, within {@code timeout}, following at most
     * {@code maxRedirects}. Private, loopback and other non-public addresses are always refused.
     */
    public record Media(boolean fetchRemote, long maxBytes, Duration timeout, int maxRedirects, int maxUrls) {
        public Media {
            Objects.requireNonNull(timeout, "timeout");
        }
    }

    /**
     * One {@code name = value} line per setting, for the start-up log and {@code --check-config}. Keys are masked,
     * the password shows only as {@code (set)} or {@code (generated)}, proxy credentials are hidden.
     */
    public List<String> describe() {
        return SettingsDescription.lines(this);
    }

    static String maskAll(List<String> keys) {
        List<String> masked = new ArrayList<>(keys.size());
        for (String k : keys) {
            masked.add(KeyMask.mask(k));
        }
        return masked.toString();
    }

    static String seconds(Duration d) {
        if (d.getNano() == 0) {
            return d.getSeconds() + "s";
        }
        return java.math.BigDecimal.valueOf(d.toNanos(), 9).stripTrailingZeros().toPlainString() + "s";
    }

    static String size(long bytes) {
        if (bytes >= 1 << 20 && bytes % (1 << 20) == 0) {
            return bytes / (1 << 20) + "MiB";
        }
        if (bytes >= 1 << 10 && bytes % (1 << 10) == 0) {
            return bytes / (1 << 10) + "KiB";
        }
        return bytes + "B";
    }
}
