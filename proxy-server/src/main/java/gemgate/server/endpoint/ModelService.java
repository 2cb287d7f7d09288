package gemgate.server.endpoint;

import gemgate.core.error.ApiError;
import gemgate.core.keys.KeyPool;
import gemgate.core.keys.PooledKey;
import gemgate.core.keys.UpstreamFailure;
import gemgate.core.models.GeminiModel;
import gemgate.core.models.GeminiModelList;
import gemgate.core.models.ModelCatalog;
import gemgate.core.models.ModelFilter;
import gemgate.server.upstream.UpstreamCall;
import gemgate.server.upstream.UpstreamClient;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpResponse;
import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live Gemini model list: every page of {@code nextPageToken}, fetched with a pool key, cached, and refreshed in
 * the background so new Google models appear without a restart. All state lives on one event loop; requests from
 * other loops hop onto it and get their answer back on their own loop.
 */
public final class ModelService {
    private static final Logger log = LoggerFactory.getLogger(ModelService.class);
    private static final int MAX_PAGES = 20;
    private static final int MAX_KEY_TRIES = 5;

    /**
     * The cached list, rendered once per refresh. {@code geminiEntries} are Google's own model entries, unfiltered,
     * for the native routes' Google-format list ({@link gemgate.core.models.GeminiModelList}).
     */
    public record Snapshot(List<GeminiModel> models, byte[] openAiList, long fetchedAtMillis,
            List<Map<String, Object>> geminiEntries) {
        public Snapshot {
            geminiEntries = geminiEntries == null ? List.of() : List.copyOf(geminiEntries);
        }

        public Snapshot(List<GeminiModel> models, byte[] openAiList, long fetchedAtMillis) {
            this(models, openAiList, fetchedAtMillis, List.of());
        }
    }

    private final EventLoop loop;
    private final UpstreamClient upstream;
    private final KeyPool keys;
    private final Supplier<ModelFilter> filter;
    private final String apiVersion;
    private final Duration refreshInterval;
    private final Clock clock;
    private final Supplier<ModelCatalog.Variants> variants;

    /**
     * The snapshot and the filter and variants its client list was rendered with; a runtime change of either
     * re-renders it once (both suppliers hand out the same object until the next change).
     */
    private record Cached(Snapshot snapshot, ModelFilter renderedWith, ModelCatalog.Variants variantsWith) {}

    private final AtomicReference<Cached> cached = new AtomicReference<>();
    private volatile int refreshes;
    private List<Consumer<Object>> waiters;

    public ModelService(EventLoop loop, UpstreamClient upstream, KeyPool keys, ModelFilter filter, String apiVersion,
            Duration refreshInterval, Clock clock) {
        this(loop, upstream, keys, () -> filter, apiVersion, refreshInterval, clock, () -> ModelCatalog.Variants.NONE);
    }

    /**
     * @param filter   the live model filter (runtime settings); the cached list follows its changes
     * @param variants the live -thinking/-nothinking/-search entries the OpenAI list adds (ENABLE_THINKING,
     *                 SEARCH_MODE)
     */
    public ModelService(EventLoop loop, UpstreamClient upstream, KeyPool keys, Supplier<ModelFilter> filter,
            String apiVersion, Duration refreshInterval, Clock clock, Supplier<ModelCatalog.Variants> variants) {
        this.variants = variants;
        this.loop = loop;
        this.upstream = upstream;
        this.keys = keys;
        this.filter = filter;
        this.apiVersion = apiVersion;
        this.refreshInterval = refreshInterval;
        this.clock = clock;
    }

    /** Fetches now (when keys exist) and then on the refresh interval. */
    public void startBackgroundRefresh() {
        loop.execute(() -> {
            if (keys.size() > 0) {
                refresh(r -> {});
            }
        });
        long ms = refreshInterval.toMillis();
        if (ms > 0) {
            loop.scheduleAtFixedRate(() -> {
                if (keys.size() > 0) {
                    refresh(r -> {});
                }
            }, ms, ms, TimeUnit.MILLISECONDS);
        }
    }

    public Snapshot snapshot() {
        Cached c = cached.get();
        if (c == null) {
            return null;
        }
        ModelFilter f = filter.get();
        ModelCatalog.Variants v = variants.get();
        if (f == c.renderedWith() && v == c.variantsWith()) {
            return c.snapshot();
        }
        // The whitelist, blocked list, SEARCH_MODE or ENABLE_THINKING changed at runtime: render the client list
        // again. The compare-and-set keeps a refresh that finished meanwhile from being replaced by the older list.
        Snapshot s = c.snapshot();
        Snapshot rendered = new Snapshot(s.models(), ModelCatalog.openAiList(s.models(), f, s.fetchedAtMillis() / 1000, v),
                s.fetchedAtMillis(), s.geminiEntries());
        cached.compareAndSet(c, new Cached(rendered, f, v));
        return rendered;
    }

    /** How many fetches have finished, successful or not (tests wait for the first). */
    public int refreshes() {
        return refreshes;
    }

    /**
     * Delivers the cached list, or fetches it first. The callback gets a {@link Snapshot} or an {@link ApiError}, on
     * {@code callerLoop}.
     */
    public void get(EventLoop callerLoop, Consumer<Object> callback) {
        Snapshot s = snapshot();
        if (s != null) {
            callback.accept(s);
            return;
        }
        if (keys.size() == 0) {
            callback.accept(ApiError.noKeysConfigured());
            return;
        }
        loop.execute(() -> refresh(result -> callerLoop.execute(() -> callback.accept(result))));
    }

    /** On {@link #loop}: joins a fetch in progress or starts one. */
    private void refresh(Consumer<Object> callback) {
        if (waiters != null) {
            waiters.add(callback);
            return;
        }
        waiters = new ArrayList<>();
        waiters.add(callback);
        new Fetch().nextPage();
    }

    private void finish(Object result) {
        if (result instanceof Snapshot s) {
            ModelFilter f = cached.get().renderedWith();
            log.info("model list refreshed: {} models ({} offered to clients after filters)", s.models().size(),
                    s.models().stream().filter(m -> m.chatCapable() && f.allows(m.id())).count());
        } else if (result instanceof ApiError e) {
            log.warn("model list refresh failed: {}", e.message());
        }
        refreshes++;
        List<Consumer<Object>> w = waiters;
        waiters = null;
        w.forEach(c -> c.accept(result));
    }

    /** One walk over all pages; each page may be retried on other keys. */
    private final class Fetch implements UpstreamCall.Listener {
        private final List<GeminiModel> models = new ArrayList<>();
        private final List<Map<String, Object>> geminiEntries = new ArrayList<>();
        private final Set<PooledKey> tried = new HashSet<>();
        private String pageToken;
        private int pages;
        private int tries;
        private PooledKey key;
        private int status;
        private ByteArrayOutputStream body;

        void nextPage() {
            Optional<PooledKey> k = keys.next(tried);
            if (k.isEmpty() || tries >= MAX_KEY_TRIES) {
                finish(keys.unavailableError());
                return;
            }
            key = k.get();
            tries++;
            String path = "/" + apiVersion + "/models?pageSize=1000"
                    + (pageToken == null ? "" : "&pageToken=" + URLEncoder.encode(pageToken, StandardCharsets.UTF_8));
            upstream.get(loop, path, key.key(), this).start();
        }

        @Override
        public void onHead(int status, HttpResponse head) {
            this.status = status;
            this.body = new ByteArrayOutputStream(status == 200 ? 32 * 1024 : 512);
        }

        @Override
        public boolean onBody(byte[] bytes) {
            body.write(bytes, 0, bytes.length);
            return true;
        }

        @Override
        public void onEnd() {
            if (status != 200) {
                UpstreamFailure f = UpstreamFailure.fromResponse(status, body.toByteArray());
                keys.onFailure(key, f);
                if (!f.retryable()) {
                    finish(ApiError.upstreamRejected(f.httpStatus(), f.message()));
                    return;
                }
                tried.add(key);
                nextPage();
                return;
            }
            ModelCatalog.Page page;
            try {
                page = ModelCatalog.parsePage(body.toByteArray());
            } catch (RuntimeException e) {
                finish(ApiError.upstreamFailed("unreadable model list from Gemini: " + e.getMessage()));
                return;
            }
            keys.onSuccess(key);
            models.addAll(page.models());
            geminiEntries.addAll(GeminiModelList.entries(body.toByteArray()));
            pages++;
            if (page.nextPageToken() != null && !page.nextPageToken().isEmpty() && pages < MAX_PAGES) {
                pageToken = page.nextPageToken();
                tries = 0;
                tried.clear();
                nextPage();
                return;
            }
            long now = clock.millis();
            ModelFilter f = filter.get();
            ModelCatalog.Variants v = variants.get();
            Snapshot s = new Snapshot(List.copyOf(models), ModelCatalog.openAiList(models, f, now / 1000, v), now,
                    geminiEntries);
            cached.set(new Cached(s, f, v));
            finish(s);
        }

        @Override
        public void onFailure(UpstreamCall.FailureKind kind, String detail) {
            keys.onFailure(key, kind.toFailure(detail));
            tried.add(key);
            nextPage();
        }
    }
}
