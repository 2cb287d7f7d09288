package gemgate.server.endpoint;

import gemgate.core.keys.PooledKey;
import gemgate.core.translate.StreamTranslator;
import gemgate.server.http.RequestRecord;
import gemgate.server.metrics.Metrics;
import gemgate.server.sse.SseResponse;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpMethod;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The attempts of one chat request: which keys were tried, how many attempts were made, which still run, and how
 * wide the next round is. It starts a round of attempts on distinct keys at once, settles the other attempts when one
 * wins (kept running for the response cache, or cancelled) and cancels them all when the request ends otherwise. It
 * decides nothing: each attempt tells {@link ChatExchange} what it came to, and the exchange decides. Event-loop only.
 */
final class ChatRounds {
    /** Logs under the exchange's name, where these lines always were. */
    private static final Logger log = LoggerFactory.getLogger(ChatExchange.class);

    private final Gateway gw;
    private final EventLoop loop;
    private final Metrics metrics;
    private final RequestRecord record;
    private final ChatAttempt.Outcomes outcomes;
    private final String upstreamModel;
    /** The client's event stream, for a real stream's attempts to write to; null for a plain answer. */
    private final SseResponse sse;
    /** Makes a real stream's translator; null unless the request is a real stream (one attempt at a time). */
    private final Supplier<StreamTranslator> streamTranslators;
    private final Set<PooledKey> tried = new HashSet<>();
    /** Attempts of the current round still waiting for their answer. */
    private final List<ChatAttempt> running = new ArrayList<>(2);
    private int attempts;
    /** Attempts per round: CONCURRENT_REQUESTS, grown after each failed round; always 1 for a real stream. */
    private int width;
    /** True while a round is being started: an attempt that fails at once must not end the round early. */
    private boolean launching;
    /** An attempt found the connection pool full: another round would wait in the same queue. */
    private boolean poolBusy;

    ChatRounds(Gateway gw, EventLoop loop, Metrics metrics, RequestRecord record, ChatAttempt.Outcomes outcomes,
            String upstreamModel, SseResponse sse, Supplier<StreamTranslator> streamTranslators) {
        if (gw == null || loop == null || metrics == null || record == null || outcomes == null || upstreamModel == null) {
            throw new IllegalArgumentException("rounds need the gateway, event loop, metrics, access record, outcomes"
                    + " and upstream model");
        }
        this.gw = gw;
        this.loop = loop;
        this.metrics = metrics;
        this.record = record;
        this.outcomes = outcomes;
        this.upstreamModel = upstreamModel;
        this.sse = sse;
        this.streamTranslators = streamTranslators;
        this.width = streamTranslators != null ? 1 : gw.concurrency().initial();
    }

    /** Attempts made so far; an empty answer is not counted. */
    int attempts() {
        return attempts;
    }

    boolean poolBusy() {
        return poolBusy;
    }

    /** No attempt of the round is running or about to start: the round is over. */
    boolean over() {
        return !launching && running.isEmpty();
    }

    /**
     * Starts a round of up to {@code width} attempts, fewer when the retry budget or the usable keys run out, the
     * connection pool is full, or an attempt decides the request at once.
     *
     * @return how many attempts started
     */
    int startRound(byte[] upstreamBody) {
        int n = Math.min(width, gw.maxRetryNum() - attempts);
        int launched = 0;
        launching = true;
        try {
            for (int i = 0; i < n && !outcomes.decided() && !poolBusy; i++) {
                Optional<PooledKey> next = gw.keys().next(upstreamModel, upstreamBody.length / 4, tried);
                if (next.isEmpty()) {
                    break;
                }
                launch(next.get(), upstreamBody);
                launched++;
            }
        } finally {
            launching = false;
        }
        if (n > 1 && launched > 0 && !outcomes.decided()) {
            log.debug("round of {} concurrent attempt(s) started", launched);
        }
        return launched;
    }

    private void launch(PooledKey key, byte[] upstreamBody) {
        tried.add(key);
        attempts++;
        record.keyFingerprint = key.fingerprint();
        record.attempts = attempts;
        ChatAttempt a = new ChatAttempt(key, outcomes, sse, streamTranslators);
        running.add(a);
        String path = "/" + gw.apiVersion() + "/models/" + upstreamModel
                + (streamTranslators != null ? ":streamGenerateContent?alt=sse" : ":generateContent");
        a.call = gw.upstream().call(loop, HttpMethod.POST, path, key.key(), upstreamBody, a);
        a.call.start();
    }

    /** The next round is INCREASE_CONCURRENT_ON_FAILURE wider, up to MAX_CONCURRENT_REQUESTS; a real stream stays 1. */
    void widen() {
        if (streamTranslators != null) {
            return;
        }
        int wider = gw.concurrency().next(width);
        if (wider != width) {
            log.debug("no good answer from {} concurrent attempt(s); the next round starts {}", width, wider);
        }
        width = wider;
    }

    /** The attempt has ended, for better or worse. */
    void ended(ChatAttempt a) {
        running.remove(a);
    }

    /** The attempt found the connection pool full. */
    void poolFull(ChatAttempt a) {
        running.remove(a);
        if (!a.kept) {
            poolBusy = true;
        }
    }

    /**
     * An empty answer does not use up the retry budget of failures (MAX_EMPTY_RESPONSES bounds it); the same key
     * may answer again, so it is not marked as tried.
     */
    void forgetEmpty(ChatAttempt a) {
        tried.remove(a.key);
        attempts--;
    }

    /**
     * The winner is going out: the other attempts of the round are kept when the cache can hold their answers (a
     * regenerate then costs nothing), otherwise cancelled, which closes their connections and stops their timers.
     */
    void settleLosers() {
        if (running.isEmpty()) {
            return;
        }
        boolean keep = gw.cache().enabled();
        for (ChatAttempt other : running) {
            if (keep) {
                other.kept = true;
            } else {
                other.call.cancel();
                metrics.attemptCancelled();
            }
        }
        log.debug("{} other attempt(s) {}", running.size(), keep ? "left running for the response cache" : "cancelled");
        running.clear();
    }

    /** @param decided true when another attempt decided the request (counted), false when the client left */
    void cancelAll(boolean decided) {
        for (ChatAttempt a : running) {
            a.call.cancel();
            if (decided) {
                metrics.attemptCancelled();
            }
        }
        running.clear();
    }

    /** The client can take more: a real stream's attempt reads on. */
    void resumeStream() {
        if (streamTranslators != null && !running.isEmpty() && running.get(0).translator != null) {
            running.get(0).call.resume();
        }
    }
}
