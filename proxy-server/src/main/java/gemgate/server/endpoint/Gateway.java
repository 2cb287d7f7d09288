package gemgate.server.endpoint;

import gemgate.core.cache.ResponseCache;
import gemgate.core.config.RuntimeSettings;
import gemgate.core.config.Settings;
import gemgate.core.error.ApiError;
import gemgate.core.keys.KeyPool;
import gemgate.core.keys.UpstreamFailure;
import gemgate.core.models.ModelFilter;
import gemgate.core.translate.TranslateOptions;
import gemgate.server.media.MediaFetcher;
import gemgate.server.upstream.UpstreamClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The long-lived services and settings that the endpoints share. The services are fixed at start; the settings
 * accessors ({@link #maxRetryNum()}, {@link #fakeStreaming()}, {@link #modelFilter()}, ...) read the current
 * {@link RuntimeSettings}, so a change through the admin API applies to the next request without a restart. Derived
 * objects (the model filter, the translate options) are built once per change, not per request.
 */
public final class Gateway {
    /** The settings-derived values, built once per change. */
    private record Live(int maxRetryNum, int maxEmptyResponses, boolean fakeStreaming, Duration keepaliveInterval,
            TranslateOptions translateOptions, Concurrency concurrency) {
        Live {
            if (maxRetryNum < 1) {
                throw new IllegalArgumentException("maxRetryNum must be >= 1, got " + maxRetryNum);
            }
            if (maxEmptyResponses < 0) {
                throw new IllegalArgumentException("maxEmptyResponses must be >= 0, got " + maxEmptyResponses);
            }
            Objects.requireNonNull(keepaliveInterval, "keepaliveInterval");
            Objects.requireNonNull(translateOptions, "translateOptions");
            Objects.requireNonNull(concurrency, "concurrency");
        }
    }

    /**
     * hajimi's CONCURRENT_REQUESTS family: {@code initial} attempts in the first round, {@code increaseOnFailure} more
     * after each round without a good answer, never more than {@link #cap()}.
     */
    public record Concurrency(int initial, int increaseOnFailure, int max) {
        /** One attempt at a time: the behaviour before concurrency existed. */
        public static final Concurrency ONE = new Concurrency(1, 0, 1);

        public Concurrency {
            if (initial < 1 || increaseOnFailure < 0 || max < 1) {
                throw new IllegalArgumentException("concurrency needs initial >= 1, increaseOnFailure >= 0, max >= 1; got "
                        + initial + ", " + increaseOnFailure + ", " + max);
            }
        }

        /** The most attempts of one round. hajimi does not clamp the initial value; neither does growth lower it. */
        public int cap() {
            return Math.max(initial, max);
        }

        /** The width of the round after a round of {@code width} without a good answer. */
        public int next(int width) {
            return (int) Math.min((long) width + increaseOnFailure, cap());
        }
    }

    private final KeyPool keys;
    private final UpstreamClient upstream;
    private final ModelService models;
    private final RuntimeSettings runtime;
    private final Supplier<ModelFilter> modelFilter;
    private final Supplier<Live> live;
    private final String apiVersion;
    private final int maxSseEvent;
    private final Clock clock;
    private final ResponseCache cache;
    private final Settings.Embeddings embeddings;
    private final MediaFetcher media;

    /**
     * @param modelFilter      the live model filter (see {@link #modelFilter(RuntimeSettings)}), shared with the
     *                         model service
     * @param translateOptions builds the translation switches from settings; called once per change
     * @param apiVersion       upstream path version, e.g. v1beta
     * @param maxSseEvent      cap for one upstream SSE event
     * @param cache            extra answers of concurrent attempts, for the next identical request
     * @param embeddings       /v1/embeddings settings (default model, input cap, batches at once)
     * @param media            fetcher for http(s) media URLs in chat messages (disabled unless configured)
     */
    public Gateway(KeyPool keys, UpstreamClient upstream, ModelService models, RuntimeSettings runtime,
            Supplier<ModelFilter> modelFilter, Function<Settings, TranslateOptions> translateOptions, String apiVersion,
            int maxSseEvent, Clock clock, ResponseCache cache, Settings.Embeddings embeddings, MediaFetcher media) {
        Objects.requireNonNull(modelFilter, "modelFilter");
        Objects.requireNonNull(translateOptions, "translateOptions");
        this.keys = keys;
        this.upstream = upstream;
        this.models = models;
        this.runtime = Objects.requireNonNull(runtime, "runtime");
        this.modelFilter = modelFilter;
        this.live = runtime.derive(s -> new Live(s.retry().maxRetryNum(), s.retry().maxEmptyResponses(),
                s.streaming().fakeStreaming(), s.streaming().keepaliveInterval(), translateOptions.apply(s),
                new Concurrency(s.concurrency().concurrentRequests(), s.concurrency().increaseOnFailure(),
                        s.concurrency().maxConcurrentRequests())));
        this.apiVersion = apiVersion;
        this.maxSseEvent = maxSseEvent;
        this.clock = clock;
        this.cache = Objects.requireNonNull(cache, "cache (use ResponseCache.disabled)");
        this.embeddings = Objects.requireNonNull(embeddings, "embeddings");
        this.media = Objects.requireNonNull(media, "media (use MediaFetcher.disabled)");
    }

    /** Fixed values that never change, one attempt at a time, no cache (handler tests); {@link #runtime()} is null. */
    public Gateway(KeyPool keys, UpstreamClient upstream, ModelService models, ModelFilter modelFilter,
            TranslateOptions translateOptions, String apiVersion, int maxRetryNum, int maxEmptyResponses,
            boolean fakeStreaming, Duration keepaliveInterval, int maxSseEvent, Clock clock, Settings.Embeddings embeddings,
            MediaFetcher media) {
        Live fixed = new Live(maxRetryNum, maxEmptyResponses, fakeStreaming, keepaliveInterval, translateOptions,
                Concurrency.ONE);
        Objects.requireNonNull(modelFilter, "modelFilter");
        this.keys = keys;
        this.upstream = upstream;
        this.models = models;
        this.runtime = null;
        this.modelFilter = () -> modelFilter;
        this.live = () -> fixed;
        this.apiVersion = apiVersion;
        this.maxSseEvent = maxSseEvent;
        this.clock = clock;
        this.cache = ResponseCache.disabled(clock);
        this.embeddings = Objects.requireNonNull(embeddings, "embeddings");
        this.media = Objects.requireNonNull(media, "media (use MediaFetcher.disabled)");
    }

    /** The model filter built from the current whitelist and blocked list, rebuilt on each change. */
    public static Supplier<ModelFilter> modelFilter(RuntimeSettings runtime) {
        return runtime.derive(s -> new ModelFilter(s.models().whitelist(), s.models().blocked()));
    }

    public KeyPool keys() {
        return keys;
    }

    /**
     * The answer when a request (chat, native or one embeddings batch) has no attempt left: the keys' state when they
     * were the problem (rate limits, invalid keys, empty answers), else Gemini's last failure.
     *
     * @param model the upstream model the attempts were for (the keys' state is per model)
     * @param last the last attempt's failure; null when no key could even be tried
     * @param attempts attempts made
     * @param scope what was tried, for the message: "this request", "this embeddings batch"
     */
    ApiError retriesExhausted(String model, UpstreamFailure last, int attempts, String scope) {
        if (last == null) {
            return keys.unavailableError(model);
        }
        String message = last.message();
        return switch (last.kind()) {
            case RATE_LIMITED, KEY_INVALID, EMPTY -> {
                ApiError u = keys.unavailableError(model);
                yield u.withMessage(u.message() + " Tried " + attempts + " key(s) for " + scope + "; the last error: "
                        + message);
            }
            case TIMEOUT -> ApiError.upstreamTimeout("Gemini did not answer in time on " + attempts
                    + " attempt(s); the last error: " + message);
            default -> ApiError.upstreamFailed("Gemini failed on " + attempts + " attempt(s) (MAX_RETRY_NUM="
                    + maxRetryNum() + "); the last error: " + message);
        };
    }

    public UpstreamClient upstream() {
        return upstream;
    }

    public ModelService models() {
        return models;
    }

    /** The runtime settings, for the admin API; null for a gateway built with fixed values. */
    public RuntimeSettings runtime() {
        return runtime;
    }

    public ModelFilter modelFilter() {
        return modelFilter.get();
    }

    public TranslateOptions translateOptions() {
        return live.get().translateOptions();
    }

    public String apiVersion() {
        return apiVersion;
    }

    /** Upstream attempts per request, at least 1. */
    public int maxRetryNum() {
        return live.get().maxRetryNum();
    }

    /** Empty answers tolerated (and retried) per request before giving up. */
    public int maxEmptyResponses() {
        return live.get().maxEmptyResponses();
    }

    public boolean fakeStreaming() {
        return live.get().fakeStreaming();
    }

    /** SSE keepalive period for streams. */
    public Duration keepaliveInterval() {
        return live.get().keepaliveInterval();
    }

    public int maxSseEvent() {
        return maxSseEvent;
    }

    public Clock clock() {
        return clock;
    }

    /** CONCURRENT_REQUESTS and family, as currently set. */
    public Concurrency concurrency() {
        return live.get().concurrency();
    }

    public ResponseCache cache() {
        return cache;
    }

    public Settings.Embeddings embeddings() {
        return embeddings;
    }

    public MediaFetcher media() {
        return media;
    }
}
