package gemgate.server.endpoint;

import gemgate.core.config.RuntimeSettings;
import gemgate.core.config.Settings;
import gemgate.core.keys.KeyPool;
import gemgate.core.models.ModelFilter;
import gemgate.core.translate.TranslateOptions;
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
 * objects (the model filter, the translate options) are built once per change, not per request. A request that
 * needs one consistent view reads {@link #settings()} once.
 */
public final class Gateway {
    private final KeyPool keys;
    private final UpstreamClient upstream;
    private final ModelService models;
    private final RuntimeSettings runtime;
    private final Supplier<ModelFilter> modelFilter;
    private final Supplier<TranslateOptions> translateOptions;
    private final String apiVersion;
    private final int maxSseEvent;
    private final Clock clock;

    /**
     * @param modelFilter      the live model filter (see {@link #modelFilter(RuntimeSettings)}), shared with the
     *                         model service
     * @param translateOptions builds the translation switches from settings; called once per change
     * @param apiVersion       upstream path version, e.g. v1beta
     * @param maxSseEvent      cap for one upstream SSE event
     */
    public Gateway(KeyPool keys, UpstreamClient upstream, ModelService models, RuntimeSettings runtime,
            Supplier<ModelFilter> modelFilter, Function<Settings, TranslateOptions> translateOptions, String apiVersion,
            int maxSseEvent, Clock clock) {
        this.keys = keys;
        this.upstream = upstream;
        this.models = models;
        this.runtime = Objects.requireNonNull(runtime, "runtime");
        this.modelFilter = Objects.requireNonNull(modelFilter, "modelFilter");
        this.translateOptions = runtime.derive(Objects.requireNonNull(translateOptions, "translateOptions"));
        this.apiVersion = apiVersion;
        this.maxSseEvent = maxSseEvent;
        this.clock = clock;
    }

    /** The model filter built from the current whitelist and blocked list, rebuilt on each change. */
    public static Supplier<ModelFilter> modelFilter(RuntimeSettings runtime) {
        return runtime.derive(s -> new ModelFilter(s.models().whitelist(), s.models().blocked()));
    }

    public KeyPool keys() {
        return keys;
    }

    public UpstreamClient upstream() {
        return upstream;
    }

    public ModelService models() {
        return models;
    }

    /** The runtime settings, for the admin API. */
    public RuntimeSettings runtime() {
        return runtime;
    }

    /** The current effective settings. */
    public Settings settings() {
        return runtime.current();
    }

    public ModelFilter modelFilter() {
        return modelFilter.get();
    }

    public TranslateOptions translateOptions() {
        return translateOptions.get();
    }

    public String apiVersion() {
        return apiVersion;
    }

    /** Upstream attempts per request, at least 1. */
    public int maxRetryNum() {
        return runtime.current().retry().maxRetryNum();
    }

    /** Empty answers tolerated (and retried) per request before giving up. */
    public int maxEmptyResponses() {
        return runtime.current().retry().maxEmptyResponses();
    }

    public boolean fakeStreaming() {
        return runtime.current().streaming().fakeStreaming();
    }

    /** SSE keepalive period for streams. */
    public Duration keepaliveInterval() {
        return runtime.current().streaming().keepaliveInterval();
    }

    public int maxSseEvent() {
        return maxSseEvent;
    }

    public Clock clock() {
        return clock;
    }
}
