package gemgate.core.config;

import static gemgate.core.config.Settings.maskAll;
import static gemgate.core.config.Settings.seconds;
import static gemgate.core.config.Settings.size;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The effective settings as {@code name = value} lines ({@link Settings#describe()}), for the start-up log and
 * {@code --check-config}: one line per setting, with units spelled out. Keys are masked, the password shows only as
 * {@code (set)} or {@code (generated)}, proxy credentials are hidden.
 */
final class SettingsDescription {
    private SettingsDescription() {}

    static List<String> lines(Settings settings) {
        Settings.Auth auth = settings.auth();
        Settings.Keys keys = settings.keys();
        Settings.Streaming streaming = settings.streaming();
        Settings.Retry retry = settings.retry();
        Settings.RateLimit rateLimit = settings.rateLimit();
        Settings.Models models = settings.models();
        Settings.Storage storage = settings.storage();
        Settings.Log log = settings.log();
        Settings.Metrics metrics = settings.metrics();
        Settings.Concurrency concurrency = settings.concurrency();
        Settings.Cache cache = settings.cache();
        Settings.Chat chat = settings.chat();
        Settings.Embeddings embeddings = settings.embeddings();
        Settings.Media media = settings.media();
        List<String> l = new ArrayList<>();
        Settings.Server s = settings.server();
        line(l, "gemgate.server.host", s.host());
        line(l, "gemgate.server.port", s.port());
        line(l, "gemgate.server.max-request-body", size(s.maxRequestBody()));
        line(l, "gemgate.server.max-header-size", size(s.maxHeaderSize()));
        line(l, "gemgate.server.max-initial-line", size(s.maxInitialLine()));
        line(l, "gemgate.server.idle-timeout", seconds(s.idleTimeout()));
        line(l, "gemgate.server.io-threads", s.ioThreads() == 0 ? "0 (Netty default)" : s.ioThreads());
        line(l, "gemgate.server.native-transport", s.nativeTransport());
        line(l, "gemgate.server.trusted-proxies", "[" + s.trustedProxies() + "]");
        line(l, "gemgate.server.allowed-origins", s.allowedOrigins());
        line(l, "gemgate.server.shutdown-grace", seconds(s.shutdownGrace()));
        line(l, "gemgate.auth.password", auth.passwordGenerated()
                ? (auth.passwordFile() != null ? "(generated)" : "(generated, not stored)")
                : "(set)");
        line(l, "gemgate.auth.max-failures-before-slowdown", auth.maxFailuresBeforeSlowdown());
        line(l, "gemgate.auth.web-password", auth.admin().webPasswordSet() ? "(set)" : "(same as password)");
        line(l, "gemgate.auth.session-idle-timeout", seconds(auth.admin().sessionIdleTimeout()));
        line(l, "gemgate.auth.session-max-age", seconds(auth.admin().sessionMaxAge()));
        line(l, "gemgate.auth.max-sessions", auth.admin().maxSessions());
        line(l, "gemgate.auth.login-max-failures", auth.admin().loginMaxFailures());
        line(l, "gemgate.keys.gemini-api-keys", keys.geminiApiKeys().size() + " keys " + maskAll(keys.geminiApiKeys()));
        line(l, "gemgate.keys.daily-limit", offIfZero(keys.dailyLimit()));
        line(l, "gemgate.keys.model-limits", keys.modelLimits());
        line(l, "gemgate.keys.validation-concurrency", keys.validationConcurrency());
        line(l, "gemgate.keys.validation-timeout", seconds(keys.validationTimeout()));
        line(l, "gemgate.keys.revalidate-interval", seconds(keys.revalidateInterval()));
        line(l, "gemgate.keys.revalidate-max-interval", seconds(keys.revalidateMaxInterval()));
        line(l, "gemgate.keys.skip-startup-check", keys.skipStartupCheck());
        line(l, "gemgate.keys.usage-report-interval-minutes", keys.usageReportInterval().isZero() ? "0 (off)"
                : keys.usageReportInterval().toMinutes());
        Settings.Upstream u = settings.upstream();
        line(l, "gemgate.upstream.base-url", u.baseUrl());
        line(l, "gemgate.upstream.api-version", u.apiVersion());
        line(l, "gemgate.upstream.connect-timeout", seconds(u.connectTimeout()));
        line(l, "gemgate.upstream.first-byte-timeout", seconds(u.firstByteTimeout()));
        line(l, "gemgate.upstream.idle-timeout", seconds(u.idleTimeout()));
        line(l, "gemgate.upstream.max-response-body", size(u.maxResponseBody()));
        line(l, "gemgate.upstream.max-sse-event", size(u.maxSseEvent()));
        line(l, "gemgate.upstream.pool-max-connections", u.poolMaxConnections());
        line(l, "gemgate.upstream.pool-max-pending-acquires", u.poolMaxPendingAcquires());
        line(l, "gemgate.upstream.pool-idle-timeout", seconds(u.poolIdleTimeout()));
        line(l, "gemgate.upstream.proxy-url", u.proxy() == null ? "(none)" : u.proxy().toString());
        line(l, "gemgate.upstream.no-proxy", u.noProxy());
        line(l, "gemgate.streaming.fake-streaming", streaming.fakeStreaming());
        line(l, "gemgate.streaming.keepalive-interval", seconds(streaming.keepaliveInterval()));
        line(l, "gemgate.retry.max-retry-num", retry.maxRetryNum());
        line(l, "gemgate.retry.max-empty-responses", retry.maxEmptyResponses());
        line(l, "gemgate.rate-limit.per-minute", offIfZero(rateLimit.perMinute()));
        line(l, "gemgate.rate-limit.per-day", offIfZero(rateLimit.perDay()));
        line(l, "gemgate.rate-limit.max-tracked-clients", rateLimit.maxTrackedClients());
        line(l, "gemgate.models.whitelist", models.whitelist());
        line(l, "gemgate.models.blocked", models.blocked());
        line(l, "gemgate.models.refresh-interval", seconds(models.refreshInterval()));
        line(l, "gemgate.storage.enabled", storage.enabled());
        line(l, "gemgate.storage.dir", storage.dir());
        line(l, "gemgate.storage.write-delay", seconds(storage.writeDelay()));
        line(l, "gemgate.log.debug", log.debug());
        line(l, "gemgate.log.access", log.access());
        line(l, "gemgate.log.file", log.file() == null ? "(console only)" : log.file());
        line(l, "gemgate.log.max-file-size", size(log.maxFileSize()));
        line(l, "gemgate.log.max-history", log.maxHistory());
        line(l, "gemgate.log.total-size-cap", size(log.totalSizeCap()));
        line(l, "gemgate.metrics.require-password", metrics.requirePassword());
        line(l, "gemgate.concurrency.concurrent-requests", concurrency.concurrentRequests());
        line(l, "gemgate.concurrency.increase-on-failure", concurrency.increaseOnFailure());
        line(l, "gemgate.concurrency.max-concurrent-requests", concurrency.maxConcurrentRequests());
        line(l, "gemgate.cache.expiry", seconds(cache.expiry()));
        line(l, "gemgate.cache.max-entries", cache.maxEntries() == 0 ? "0 (off)" : cache.maxEntries());
        line(l, "gemgate.cache.max-bytes", cache.maxBytes() == 0 ? "0 (off)" : size(cache.maxBytes()));
        line(l, "gemgate.cache.calculate-entries", cache.calculateEntries());
        line(l, "gemgate.cache.precise", cache.precise());
        line(l, "gemgate.cache.share-across-clients", cache.shareAcrossClients());
        line(l, "gemgate.chat.disable-safety-filtering", chat.disableSafetyFiltering());
        line(l, "gemgate.chat.safety-thresholds", new java.util.TreeMap<>(chat.safetyThresholds()));
        line(l, "gemgate.chat.enable-thinking", chat.enableThinking());
        line(l, "gemgate.chat.thought-display", chat.thoughtDisplay().toLowerCase(Locale.ROOT));
        line(l, "gemgate.chat.search-mode", chat.searchMode());
        line(l, "gemgate.chat.search-prompt", "\"" + chat.searchPrompt() + "\"");
        line(l, "gemgate.chat.random-string", chat.randomString());
        line(l, "gemgate.chat.random-string-length", chat.randomStringLength());
        line(l, "gemgate.embeddings.default-model", embeddings.defaultModel());
        line(l, "gemgate.embeddings.max-inputs", embeddings.maxInputs());
        line(l, "gemgate.embeddings.parallel-batches", embeddings.parallelBatches());
        line(l, "gemgate.media.fetch-remote", media.fetchRemote());
        line(l, "gemgate.media.max-bytes", size(media.maxBytes()));
        line(l, "gemgate.media.timeout", seconds(media.timeout()));
        line(l, "gemgate.media.max-redirects", media.maxRedirects());
        line(l, "gemgate.media.max-urls", media.maxUrls());
        return List.copyOf(l);
    }

    private static void line(List<String> out, String name, Object value) {
        out.add(name + " = " + value);
    }

    private static Object offIfZero(int v) {
        return v == 0 ? "0 (off)" : v;
    }
}
