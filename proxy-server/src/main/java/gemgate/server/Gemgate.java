package gemgate.server;

import gemgate.core.auth.AuthThrottle;
import gemgate.core.cache.CacheKeys;
import gemgate.core.cache.ResponseCache;
import gemgate.core.config.ConfigLoader;
import gemgate.core.config.RuntimeSettings;
import gemgate.core.config.Settings;
import gemgate.core.keys.KeyPool;
import gemgate.core.models.ModelFilter;
import gemgate.core.ratelimit.ClientRateLimiter;
import gemgate.core.store.StateStore;
import gemgate.core.stats.UsageStats;
import gemgate.core.translate.TranslateOptions;
import gemgate.server.admin.AdminApi;
import gemgate.server.admin.AdminBackend;
import gemgate.server.admin.LiveAdminBackend;
import gemgate.server.endpoint.Endpoints;
import gemgate.server.endpoint.Gateway;
import gemgate.server.endpoint.ModelService;
import gemgate.server.media.AddressPolicy;
import gemgate.server.media.MediaFetcher;
import gemgate.server.keys.KeyTasks;
import gemgate.server.keys.KeyValidator;
import gemgate.server.metrics.Metrics;
import gemgate.server.pipeline.AccessLogHandler;
import gemgate.server.pipeline.ServerInitializer;
import gemgate.server.upstream.UpstreamClient;
import gemgate.server.upstream.UpstreamOptions;
import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The assembled proxy: settings in, a serving instance out. Used by main and by the end-to-end tests.
 * {@link #close()} is graceful: stop accepting, close idle connections, let answers in flight (streams included)
 * finish within the shutdown grace, save state, then stop.
 */
public final class Gemgate implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Gemgate.class);

    private final ProxyServer server;
    private final UpstreamClient upstream;
    private final Gateway gateway;
    private final InetSocketAddress address;
    private final Metrics metrics;
    private final AtomicBoolean draining;
    private final ChannelGroup channels;
    private final Duration shutdownGrace;
    private final StateStore store;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final KeyTasks keyTasks;

    private Gemgate(ProxyServer server, UpstreamClient upstream, Gateway gateway, InetSocketAddress address,
            Metrics metrics, AtomicBoolean draining, ChannelGroup channels, Duration shutdownGrace, StateStore store,
            KeyTasks keyTasks) {
        this.store = store;
        this.keyTasks = keyTasks;
        this.server = server;
        this.upstream = upstream;
        this.gateway = gateway;
        this.address = address;
        this.metrics = metrics;
        this.draining = draining;
        this.channels = channels;
        this.shutdownGrace = shutdownGrace;
    }

    /** Fixed settings: nothing changes at runtime and no state is kept (embedders, older tests). */
    public static Gemgate start(Settings s) throws InterruptedException {
        return start(s, Clock.systemUTC());
    }

    public static Gemgate start(Settings s, Clock clock) throws InterruptedException {
        return start(s, null, clock, Extras.NONE);
    }

    /**
     * The real start: state kept in the data directory (or in memory with ENABLE_STORAGE=false) and settings
     * changeable at runtime, validated against {@code sources}.
     *
     * @param s       what {@code ConfigLoader.load(sources)} returned
     * @param sources the configuration inputs; null for fixed settings and no state (see {@link #start(Settings)})
     */
    public static Gemgate start(Settings s, ConfigLoader.Sources sources) throws InterruptedException {
        return start(s, sources, Clock.systemUTC(), Extras.NONE);
    }

    /**
     * What tests swap in; production always uses {@link #NONE}.
     *
     * @param adminBackend what the admin API under /api/ administers; null = the real one over this server's key
     *                     pool, statistics and runtime settings
     * @param mediaPolicy  replaces the public-only address rule of the media fetcher, so media can be served from
     *                     loopback; null = public only. Never reachable from configuration.
     */
    public record Extras(AdminBackend adminBackend, AddressPolicy mediaPolicy) {
        public static final Extras NONE = new Extras(null, null);
    }

    public static Gemgate start(Settings boot, ConfigLoader.Sources sources, Clock clock, Extras extras)
            throws InterruptedException {
        AdminBackend adminBackend = extras.adminBackend();
        AddressPolicy mediaPolicy = extras.mediaPolicy() != null ? extras.mediaPolicy() : AddressPolicy.publicOnly();
        StateStore store = sources == null ? StateStore.inMemory() : StateStore.open(boot.storage());
        RuntimeSettings runtime;
        try {
            runtime = sources == null ? RuntimeSettings.fixed(boot) : RuntimeSettings.create(sources, boot, store);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        Settings s = runtime.current();
        ProxyServer server = new ProxyServer(s.server().ioThreads(), s.server().nativeTransport());
        UpstreamClient upstream = null;
        MediaFetcher media = null;
        try {
            upstream = new UpstreamClient(upstreamOptions(s), server.clientChannelClass());
            media = new MediaFetcher(new MediaFetcher.Options(s.media().fetchRemote(), s.media().maxBytes(),
                    s.media().timeout(), s.media().maxRedirects(), s.media().maxUrls()), server.clientChannelClass(),
                    mediaPolicy, MediaFetcher.HostResolver.JDK);
            KeyPool keys = new KeyPool(s.keys().geminiApiKeys(), new KeyPool.Options(s.keys().modelLimits(),
                    s.keys().dailyLimit(), s.keys().revalidateInterval(), s.keys().revalidateMaxInterval()),
                    new UsageStats(clock), clock);
            persistKeys(store, keys);
            Supplier<ModelFilter> filter = Gateway.modelFilter(runtime);
            ModelService models = new ModelService(server.workers().next(), upstream, keys, filter,
                    s.upstream().apiVersion(), s.models().refreshInterval(), clock,
                    runtime.derive(st -> new gemgate.core.models.ModelCatalog.Variants(st.chat().enableThinking(),
                            st.chat().searchMode())));
            Metrics metrics = new Metrics();
            Gateway gw = new Gateway(keys, upstream, models, runtime, filter, st -> translateOptions(st.chat()),
                    s.upstream().apiVersion(), s.upstream().maxSseEvent(), clock,
                    responseCache(s.cache(), clock, metrics), s.embeddings(), media);
            ClientRateLimiter limiter = new ClientRateLimiter(s.rateLimit().perMinute(), s.rateLimit().perDay(),
                    s.rateLimit().maxTrackedClients(), clock);
            runtime.addListener(st -> limiter.setLimits(st.rateLimit().perMinute(), st.rateLimit().perDay()));
            ServerInitializer.Options po = new ServerInitializer.Options(s.server().idleTimeout(),
                    s.server().maxInitialLine(), s.server().maxHeaderSize(), s.server().maxRequestBody(),
                    s.server().trustedProxies(), s.server().allowedOrigins(),
                    limiter,
                    s.auth().password(),
                    new AuthThrottle(s.auth().maxFailuresBeforeSlowdown(), s.rateLimit().maxTrackedClients(), clock));
            AtomicBoolean draining = new AtomicBoolean();
            ChannelGroup channels = new DefaultChannelGroup("gemgate-clients", GlobalEventExecutor.INSTANCE);
            ServerInitializer.Ops ops = new ServerInitializer.Ops(metrics, draining::get, channels,
                    !s.metrics().requirePassword());
            KeyTasks keyTasks = new KeyTasks(server.workers().next(), upstream, keys, s.upstream().apiVersion(), s.keys(), clock);
            if (adminBackend == null) {
                adminBackend = new LiveAdminBackend(keys, keyTasks.validator(), runtime, () -> store.markDirty(STATS_SECTION));
            }
            InetSocketAddress bound = server.start(s.server().host(), s.server().port(),
                    new ServerInitializer(po, new Endpoints(gw, version(), metrics, AdminApi.create(s, adminBackend, clock)), ops));
            models.startBackgroundRefresh();
            keyTasks.start();
            return new Gemgate(server, upstream, gw, bound, metrics, draining, channels, s.server().shutdownGrace(),
                    store, keyTasks);
        } catch (RuntimeException | InterruptedException e) {
            if (upstream != null) {
                upstream.close();
            }
            if (media != null) {
                media.close();
            }
            server.close();
            store.close();
            throw e;
        }
    }

    static final String KEYS_SECTION = "keys";
    static final String STATS_SECTION = "stats";

    /**
     * Keys added or removed at runtime, key states and today's counts go to {@code keys.json} (owner-only: it holds
     * full keys); day-level statistics to {@code stats.json}. Both are restored here, before the first request, and
     * saved by the store's writer thread a moment after each change (the pool's listener only marks them dirty).
     */
    static void persistKeys(StateStore store, KeyPool keys) {
        store.register(KEYS_SECTION, true, keys::exportState, keys::importState);
        store.register(STATS_SECTION, false, keys.stats()::exportDays, keys.stats()::importDays);
        keys.setChangeListener(() -> {
            store.markDirty(KEYS_SECTION);
            store.markDirty(STATS_SECTION);
        });
    }

    static ResponseCache responseCache(Settings.Cache c, Clock clock, Metrics metrics) {
        return new ResponseCache(new ResponseCache.Limits(c.maxEntries(), c.maxBytes(), c.expiry()),
                new CacheKeys(c.precise(), c.calculateEntries(), c.shareAcrossClients()), clock,
                (why, n) -> metrics.cacheRemoved(why == ResponseCache.Removal.EXPIRED, n));
    }

    /** The chat translation switches from the chat settings. */
    static TranslateOptions translateOptions(Settings.Chat c) {
        return new TranslateOptions(c.disableSafetyFiltering(), c.safetyThresholds(), c.enableThinking(),
                TranslateOptions.ThoughtDisplay.valueOf(c.thoughtDisplay()), c.searchMode(), c.searchPrompt(),
                c.randomString(), c.randomStringLength());
    }

    static UpstreamOptions upstreamOptions(Settings s) {
        Settings.Upstream u = s.upstream();
        UpstreamOptions.Proxy proxy = u.proxyFor(u.baseUrl().getHost())
                .map(p -> new UpstreamOptions.Proxy(
                        p.type() == gemgate.core.config.ProxyConfig.Type.SOCKS5 ? UpstreamOptions.Proxy.Kind.SOCKS5 : UpstreamOptions.Proxy.Kind.HTTP,
                        p.host(), p.port(), p.username(), p.password()))
                .orElse(null);
        return new UpstreamOptions(u.baseUrl(), u.connectTimeout(), u.firstByteTimeout(), u.idleTimeout(),
                u.maxResponseBody(), u.poolMaxConnections(), u.poolMaxPendingAcquires(), u.poolIdleTimeout(), proxy);
    }

    public int port() {
        return address.getPort();
    }

    public InetSocketAddress address() {
        return address;
    }

    public Gateway gateway() {
        return gateway;
    }

    /** The version from the build, or "dev" when run from classes. */
    public static String version() {
        try (InputStream in = Gemgate.class.getResourceAsStream("/gemgate-version.properties")) {
            if (in == null) {
                return "dev";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "dev");
        } catch (IOException e) {
            return "dev";
        }
    }

    /** The key checker (start-up check, "test all keys", re-checks of invalid keys). */
    public KeyValidator keyValidator() {
        return keyTasks.validator();
    }

    public Metrics metrics() {
        return metrics;
    }

    /** The state store (sections for keys, statistics and settings); in memory when storage is disabled. */
    public StateStore store() {
        return store;
    }

    /** The runtime settings (also reachable through the gateway). */
    public RuntimeSettings runtime() {
        return gateway.runtime();
    }

    /** Graceful stop with the configured grace (gemgate.server.shutdown-grace). Idempotent. */
    @Override
    public void close() {
        close(shutdownGrace);
    }

    /**
     * Stops accepting, closes connections with nothing in flight, waits up to {@code grace} for the answers in
     * flight to end (each connection closes after its answer), saves state, then closes what is left. Blocks; call it
     * from a shutdown hook or a test, never from an event loop.
     */
    public void close(Duration grace) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        server.stopAccepting();
        draining.set(true);
        keyTasks.close();
        for (Channel ch : channels) {
            ch.eventLoop().execute(() -> {
                AccessLogHandler a = ch.pipeline().get(AccessLogHandler.class);
                if (a == null || a.idle()) {
                    ch.close();
                }
            });
        }
        long open = metrics.inFlight();
        if (open > 0) {
            log.info("shutting down: waiting up to {} s for {} request(s) in flight ({} stream(s))",
                    grace.toMillis() / 1000.0, open, metrics.openStreams());
        }
        long deadline = System.nanoTime() + grace.toNanos();
        while (metrics.inFlight() > 0 && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        long left = metrics.inFlight();
        if (left > 0) {
            log.warn("shutting down: {} request(s) still open after the grace period; closing them", left);
        } else if (open > 0) {
            log.info("shutting down: all requests finished");
        }
        saveState();
        upstream.close();
        gateway.media().close();
        server.close();
    }

    /** Writes every state section with unsaved changes, once requests have finished changing them. */
    private void saveState() {
        try {
            store.close();
        } catch (RuntimeException e) {
            log.error("shutting down: saving state failed", e);
        }
    }
}
