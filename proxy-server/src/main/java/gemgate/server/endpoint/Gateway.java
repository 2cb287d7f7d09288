package gemgate.server.endpoint;

import gemgate.core.cache.ResponseCache;
import gemgate.core.keys.KeyPool;
import gemgate.core.models.ModelFilter;
import gemgate.core.translate.TranslateOptions;
import gemgate.server.upstream.UpstreamClient;
import java.time.Clock;
import java.time.Duration;

/**
 * The long-lived services and settings that the endpoints share. Immutable; built once at start.
 *
 * @param apiVersion        upstream path version, e.g. v1beta
 * @param maxRetryNum       upstream attempts per request, at least 1
 * @param maxEmptyResponses empty answers tolerated (and retried) per request before giving up
 * @param keepaliveInterval SSE keepalive period for streams
 * @param maxSseEvent       cap for one upstream SSE event
 * @param concurrency       upstream attempts started at once per non-streamed chat request
 * @param cache             extra answers of concurrent attempts, for the next identical request
 */
public record Gateway(
        KeyPool keys,
        UpstreamClient upstream,
        ModelService models,
        ModelFilter modelFilter,
        TranslateOptions translateOptions,
        String apiVersion,
        int maxRetryNum,
        int maxEmptyResponses,
        boolean fakeStreaming,
        Duration keepaliveInterval,
        int maxSseEvent,
        Clock clock,
        Concurrency concurrency,
        ResponseCache cache) {

    public Gateway {
        if (maxRetryNum < 1) {
            throw new IllegalArgumentException("maxRetryNum must be >= 1, got " + maxRetryNum);
        }
        if (maxEmptyResponses < 0) {
            throw new IllegalArgumentException("maxEmptyResponses must be >= 0, got " + maxEmptyResponses);
        }
        if (concurrency == null || cache == null) {
            throw new IllegalArgumentException("concurrency and cache are required (use Concurrency.ONE and ResponseCache.disabled)");
        }
    }

    /** One attempt at a time and no response cache: the behaviour before concurrency existed (tests, tools). */
    public Gateway(KeyPool keys, UpstreamClient upstream, ModelService models, ModelFilter modelFilter,
            TranslateOptions translateOptions, String apiVersion, int maxRetryNum, int maxEmptyResponses,
            boolean fakeStreaming, Duration keepaliveInterval, int maxSseEvent, Clock clock) {
        this(keys, upstream, models, modelFilter, translateOptions, apiVersion, maxRetryNum, maxEmptyResponses,
                fakeStreaming, keepaliveInterval, maxSseEvent, clock, Concurrency.ONE, ResponseCache.disabled(clock));
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
}
