package gemgate.server.endpoint;

import gemgate.core.cache.CacheKey;
import gemgate.core.cache.ResponseCache;
import gemgate.core.error.ApiException;
import gemgate.core.gemini.GeminiResponse;
import gemgate.core.keys.PooledKey;
import gemgate.server.http.Attrs;
import gemgate.server.http.RequestRecord;
import gemgate.server.metrics.Metrics;
import io.netty.channel.Channel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The response cache as one chat request sees it, once the request's upstream body is final: a lookup of an extra
 * answer an earlier identical request left behind, and the store of this request's own extra answers (attempts kept
 * running after the winner was sent). The cache key is computed once, and only when needed: an empty cache is not
 * even hashed (it stays empty unless CONCURRENT_REQUESTS > 1), so the default set-up pays nothing for it.
 * Event-loop only.
 */
final class ChatCacheSlot {
    /** Logs under the exchange's name, where these lines always were. */
    private static final Logger log = LoggerFactory.getLogger(ChatExchange.class);

    private final ResponseCache cache;
    private final Metrics metrics;
    private final RequestRecord record;
    private final Channel client;
    private final String upstreamModel;
    private final byte[] upstreamBody;
    private CacheKey key;

    ChatCacheSlot(ResponseCache cache, Metrics metrics, RequestRecord record, Channel client, String upstreamModel,
            byte[] upstreamBody) {
        if (cache == null || metrics == null || record == null || client == null || upstreamModel == null
                || upstreamBody == null) {
            throw new IllegalArgumentException("a cache slot needs the cache, metrics, access record, client channel,"
                    + " upstream model and final upstream body");
        }
        this.cache = cache;
        this.metrics = metrics;
        this.record = record;
        this.client = client;
        this.upstreamModel = upstreamModel;
        this.upstreamBody = upstreamBody;
    }

    /**
     * Takes the stored answer waiting for this request, counting the hit or miss.
     *
     * @return the answer, or null when the cache is off, holds none, or the stored one cannot be read again
     */
    GeminiResponse take() {
        if (!cache.enabled()) {
            return null;
        }
        byte[] stored = cache.isEmpty() ? null : cache.take(key());
        if (stored == null) {
            metrics.cacheLookup(false);
            if (key != null) {
                record.cache = "miss";
            }
            return null;
        }
        GeminiResponse resp;
        try {
            resp = GeminiResponse.parse(stored);
        } catch (ApiException e) {
            log.warn("a cached answer could not be read again ({}); asking Gemini", e.getMessage());
            return null;
        }
        metrics.cacheLookup(true);
        record.cache = "hit";
        log.debug("answered from the response cache ({})", key);
        return resp;
    }

    /** Stores a kept attempt's good answer for the next identical request (once). */
    void keep(PooledKey from, byte[] answer) {
        if (cache.put(key(), answer)) {
            metrics.cacheStored();
            log.debug("an extra answer from key {} was kept for the next identical request ({})", from, key);
        }
    }

    /**
     * The cache key of this request, computed once. The scope is the client's address (as the client-address handler
     * resolved it through trusted proxies): every client shares the one proxy password, so the password says nothing
     * about who asked, while the address keeps one user's regenerate answers from another user.
     */
    private CacheKey key() {
        if (key == null) {
            String ip = client.attr(Attrs.CLIENT_IP).get();
            key = cache.keyFor("ip:" + ip, upstreamModel, upstreamBody);
        }
        return key;
    }
}
