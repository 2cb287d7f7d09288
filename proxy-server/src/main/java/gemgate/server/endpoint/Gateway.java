package gemgate.server.endpoint;

import gemgate.core.config.Settings;
import gemgate.core.keys.KeyPool;
import gemgate.core.models.ModelFilter;
import gemgate.core.translate.TranslateOptions;
import gemgate.server.media.MediaFetcher;
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
 * @param embeddings        /v1/embeddings settings (default model, input cap, batches at once)
 * @param media             fetcher for http(s) media URLs in chat messages (disabled unless configured)
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
        Settings.Embeddings embeddings,
        MediaFetcher media) {

    public Gateway {
        if (maxRetryNum < 1) {
            throw new IllegalArgumentException("maxRetryNum must be >= 1, got " + maxRetryNum);
        }
        if (maxEmptyResponses < 0) {
            throw new IllegalArgumentException("maxEmptyResponses must be >= 0, got " + maxEmptyResponses);
        }
        if (embeddings == null || media == null) {
            throw new IllegalArgumentException("embeddings settings and the media fetcher are required");
        }
    }
}
