package gemgate.server.endpoint;

import gemgate.core.error.ApiError;
import gemgate.core.error.ApiException;
import gemgate.core.gemini.GeminiResponse;
import gemgate.core.log.RateLimitedLog;
import gemgate.core.keys.UpstreamFailure;
import gemgate.core.openai.ChatRequest;
import gemgate.core.translate.ChatToGemini;
import gemgate.core.translate.StreamTranslator;
import gemgate.server.http.RequestRecord;
import gemgate.server.metrics.Metrics;
import gemgate.server.upstream.UpstreamCall;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One chat completion: picks keys, calls Gemini, retries on another key while nothing has reached the client, and
 * answers as plain JSON, as a fake stream (keepalives while a non-streaming call runs, then the answer as proper
 * chunks) or as a real stream (each upstream chunk translated as it arrives, read on only while the client keeps
 * up). Runs entirely on the client connection's event loop.
 *
 * <p>Failure policy: the client's own bad request (a Gemini 4xx not about the key) goes back at once; an invalid key
 * leaves the rotation; a 429 cools that key; 5xx, timeouts and resets move on to the next key; an empty answer is
 * retried up to MAX_EMPTY_RESPONSES. Once a data event has been sent nothing is retried (no duplicated text), and a
 * later failure becomes an in-stream error event followed by {@code [DONE]}.
 *
 * <p>Concurrency (CONCURRENT_REQUESTS and family): plain and fake-streamed requests run in rounds of attempts on
 * different keys started at once; the first good answer wins. When the round fails, the next one is
 * INCREASE_CONCURRENT_ON_FAILURE wider, up to MAX_CONCURRENT_REQUESTS; MAX_RETRY_NUM bounds the attempts across all
 * rounds. Attempts still running when the winner is sent are kept to fill the response cache when it is on (their
 * good answers serve the next identical request, once each), otherwise cancelled. A client error from any attempt is
 * answered at once and cancels the others. Real streams run one attempt at a time. With a width of 1 this is exactly
 * one attempt after the other. A request whose answer waits in the cache is answered from it, in every mode,
 * without calling Gemini.
 */
final class ChatExchange implements Exchange, ChatAttempt.Outcomes {
    private static final Logger log = LoggerFactory.getLogger(ChatExchange.class);
    /** A dead upstream fails every request alike: one line a minute per status, with a count. */
    private static final RateLimitedLog failures = new RateLimitedLog(log, Duration.ofSeconds(60), 64, Clock.systemUTC());

    enum Mode { PLAIN, FAKE_STREAM, REAL_STREAM }

    private final Gateway gw;
    private final ChannelHandlerContext ctx;
    private final HttpRequest request;
    private final ChatRequest chat;
    /** Null until the remote media URLs the request names have been fetched. */
    private byte[] upstreamBody;
    private io.netty.util.concurrent.Future<java.util.Map<String, gemgate.core.translate.RemoteMedia>> mediaFetch;
    private final String upstreamModel;
    private final Mode mode;
    private final Owner owner;
    private final long startNanos = System.nanoTime();
    /** What the client receives; decided here, written there. */
    private final ChatReply reply;
    private final Metrics metrics;
    /** The access-log record: what this exchange learns (model, key, attempts, tokens) goes into the one line. */
    private final RequestRecord record;
    private final ChatRounds rounds;

    private int empties;
    private UpstreamFailure lastFailure;
    /** Set when the upstream body is final, before the first attempt. */
    private ChatCacheSlot cacheSlot;
    private boolean done;

    ChatExchange(Gateway gw, ChannelHandlerContext ctx, HttpRequest request, ChatRequest chat, Owner owner, Metrics metrics) {
        this.gw = gw;
        this.metrics = metrics;
        this.ctx = ctx;
        this.request = request;
        this.chat = chat;
        this.owner = owner;
        this.upstreamModel = ChatToGemini.upstreamModel(chat.model());
        // With remote media URLs and fetching on, the body is built after the fetch (start); with fetching off the
        // translation answers its own 400 here.
        this.upstreamBody = chat.remoteMediaUrls().isEmpty() ? ChatToGemini.generateContentBody(chat, gw.translateOptions())
                : gw.media().enabled() ? null : ChatToGemini.generateContentBody(chat, gw.translateOptions(), java.util.Map.of());
        this.mode = !chat.stream() ? Mode.PLAIN : gw.fakeStreaming() ? Mode.FAKE_STREAM : Mode.REAL_STREAM;
        RequestRecord current = RequestRecord.current(ctx.channel());
        this.record = current != null ? current
                : new RequestRecord(RequestRecord.newId(null), startNanos, request.method().name(), request.uri(), "-");
        this.reply = new ChatReply(gw, ctx, request, chat, mode != Mode.PLAIN, record);
        this.rounds = new ChatRounds(gw, ctx.channel().eventLoop(), metrics, record, this, upstreamModel, reply.sse,
                mode == Mode.REAL_STREAM ? reply::newStreamTranslator : null);
        record.model = chat.model();
        record.mode = mode.name().toLowerCase(Locale.ROOT);
    }

    void start() {
        if (gw.keys().size() == 0) {
            fail(ApiError.noKeysConfigured());
            return;
        }
        if (upstreamBody == null) {
            fetchRemoteMedia();
            return;
        }
        startAttempts();
    }

    /** Fetches the request's media URLs before the first attempt; a failure is the client's 400, naming the URL. */
    private void fetchRemoteMedia() {
        mediaFetch = gw.media().fetchAll(ctx.channel().eventLoop(), chat.remoteMediaUrls());
        mediaFetch.addListener(f -> {
            if (done || f.isCancelled()) {
                return;
            }
            if (!f.isSuccess()) {
                fail(f.cause() instanceof gemgate.server.media.MediaFetchException e ? e.toApiError()
                        : ApiError.badRequest("Could not fetch a media URL: " + f.cause(), "messages"));
                return;
            }
            try {
                @SuppressWarnings("unchecked")
                java.util.Map<String, gemgate.core.translate.RemoteMedia> media =
                        (java.util.Map<String, gemgate.core.translate.RemoteMedia>) f.getNow();
                upstreamBody = ChatToGemini.generateContentBody(chat, gw.translateOptions(), media);
            } catch (ApiException e) {
                fail(e.error());
                return;
            }
            startAttempts();
        });
    }

    /** The cache is asked only now, when the body (fetched media included) is final. */
    private void startAttempts() {
        cacheSlot = new ChatCacheSlot(gw.cache(), metrics, record, ctx.channel(), upstreamModel, upstreamBody);
        GeminiResponse cached = cacheSlot.take();
        if (cached != null) {
            respond(cached); // an extra answer an earlier identical request left behind
            return;
        }
        if (reply.sse != null) {
            reply.sse.startKeepalives();
        }
        nextRound();
    }

    // ---- rounds of attempts ----

    private void nextRound() {
        if (done) {
            return;
        }
        if (rounds.attempts() >= gw.maxRetryNum() || rounds.startRound(upstreamBody) == 0) {
            if (!done) {
                fail(exhaustedError());
            }
            return;
        }
        roundMaybeOver();
    }

    /** Every attempt of the round ended without a good answer: decide, or start a wider round. */
    private void roundMaybeOver() {
        if (done || !rounds.over()) {
            return;
        }
        if (rounds.poolBusy()) {
            fail(ApiError.proxyBusy()); // not the keys' fault, and another round would wait in the same queue
            return;
        }
        if (empties >= Math.max(1, gw.maxEmptyResponses())) {
            fail(ApiError.emptyResponses(empties));
            return;
        }
        rounds.widen();
        nextRound();
    }

    /** The error for "no attempt left": the last upstream failure, or why no key is usable. */
    private ApiError exhaustedError() {
        return gw.retriesExhausted(upstreamModel, lastFailure, rounds.attempts(), "this request");
    }

    // ---- what an attempt came to ----

    @Override
    public boolean decided() {
        return done;
    }

    /** Gemini's whole answer to a plain call: the key's success is counted, then it is empty or it is good. */
    @Override
    public void answered(ChatAttempt a, GeminiResponse resp, byte[] bytes) {
        gw.keys().onSuccess(a.key, upstreamModel, resp.promptTokens(), Math.max(0, resp.totalTokens() - resp.promptTokens()));
        if (resp.isEmpty()) {
            metrics.attempt(Metrics.Outcome.EMPTY);
            onEmpty(a);
            return;
        }
        metrics.attempt(Metrics.Outcome.SUCCESS);
        onGoodAnswer(a, resp, bytes);
    }

    /**
     * The call failed: a too-large answer is final, a full connection pool ends the round (the next would wait in
     * the same queue), a stream that broke after data ends with an error event, anything else is a key's failure.
     */
    @Override
    public void callFailed(ChatAttempt a, UpstreamCall.FailureKind kind, String detail) {
        UpstreamFailure f = kind.toFailure(detail);
        if (kind == UpstreamCall.FailureKind.TOO_LARGE) {
            metrics.attempt(Metrics.Outcome.OTHER);
            rounds.ended(a);
            if (!a.kept) {
                fail(ApiError.upstreamFailed(detail));
            }
            return;
        }
        if (kind == UpstreamCall.FailureKind.POOL_EXHAUSTED) {
            rounds.poolFull(a);
            if (!a.kept) {
                roundMaybeOver();
            }
            return;
        }
        if (reply.dataSent() && a.translator != null) {
            rounds.ended(a);
            gw.keys().onFailure(a.key, upstreamModel, f);
            metrics.attempt(Metrics.Outcome.of(f.kind()));
            streamBroken(a, kind.streamBrokeError(detail));
            return;
        }
        failed(a, f);
    }

    /** A good answer: the first one of the request wins; a kept loser's goes to the cache. */
    private void onGoodAnswer(ChatAttempt a, GeminiResponse resp, byte[] bytes) {
        rounds.ended(a);
        if (a.kept) {
            cacheSlot.keep(a.key, bytes);
            return;
        }
        record.keyFingerprint = a.key.fingerprint();
        rounds.settleLosers();
        respond(resp);
    }

    /** A failure before anything reached the client: sort it, then wait for the round, retry, or answer. */
    @Override
    public void failed(ChatAttempt a, UpstreamFailure f) {
        rounds.ended(a);
        gw.keys().onFailure(a.key, upstreamModel, f);
        metrics.attempt(Metrics.Outcome.of(f.kind()));
        if (a.kept || done) {
            return;
        }
        log.debug("attempt {} with key {} failed: {} {}", rounds.attempts(), a.key, f.kind(), f.message());
        if (!f.retryable()) {
            fail(ApiError.upstreamRejected(f.httpStatus(), f.message()));
            return;
        }
        if (reply.dataSent()) {
            streamBroken(a, ApiError.upstreamFailed(f.message()));
            return;
        }
        lastFailure = f;
        roundMaybeOver();
    }

    private void onEmpty(ChatAttempt a) {
        rounds.ended(a);
        if (a.kept) {
            return;
        }
        empties++;
        if (reply.dataSent()) {
            finishStream(200, a.translator);
            return;
        }
        lastFailure = UpstreamFailure.empty();
        rounds.forgetEmpty(a);
        roundMaybeOver();
    }

    @Override
    public void streamEnded(ChatAttempt a) {
        // finish() first: it parses an unterminated last event and spots a bare error body appended after the
        // events, so only after it do upstreamError() and emptyAnswer() tell the whole story. Its events are held
        // back until we know the attempt is good.
        StreamTranslator translator = a.translator;
        List<byte[]> tail = new ArrayList<>(4);
        translator.finish(tail::add);
        ApiError streamError = translator.upstreamError();
        if (streamError != null) {
            streamBroken(a, streamError);
            return;
        }
        gw.keys().onSuccess(a.key, upstreamModel, translator.promptTokens(),
                Math.max(0, translator.totalTokens() - translator.promptTokens()));
        if (translator.emptyAnswer() && !reply.dataSent()) {
            metrics.attempt(Metrics.Outcome.EMPTY);
            onEmpty(a);
            return;
        }
        rounds.ended(a);
        metrics.attempt(Metrics.Outcome.SUCCESS);
        tail.forEach(reply.sse::queueEvent);
        finishStream(200, translator);
    }

    /**
     * The upstream stream carried an error, or could not be read. Before any data reached the client: Gemini's own
     * verdict on the request (a 4xx that is not about rate or time) goes back at once, anything else is retried on
     * the next key. After data: the error is told inside the stream, then the stream ends.
     */
    @Override
    public void streamBroken(ChatAttempt a, ApiError err) {
        rounds.ended(a);
        a.call.cancel(); // stop reading a stream we no longer want; frees its connection and timers
        if (!reply.dataSent()) {
            byte[] googleError = a.translator == null ? null : a.translator.upstreamErrorBody();
            if (googleError != null) {
                // Google's error inside the stream, before any data: sorted like an HTTP error, so a 429 cools the
                // key, an invalid key leaves the rotation and the client's own mistake goes back to it.
                failed(a, UpstreamFailure.fromResponse(a.translator.upstreamErrorStatus(), googleError));
            } else if ("upstream_rejected".equals(err.code())) {
                fail(err);
            } else {
                failed(a, UpstreamFailure.connection(err.message()));
            }
            return;
        }
        reply.queueStreamError(err);
        finishStream(err.status(), a.translator);
    }

    // ---- answering ----

    private void respond(GeminiResponse resp) {
        reply.answer(resp);
        complete(200, record.tokens);
    }

    /** @param translator the real stream's translator, for its token count; null for a fake stream */
    private void finishStream(int loggedStatus, StreamTranslator translator) {
        if (done) {
            return;
        }
        reply.endStream(translator);
        complete(loggedStatus, record.tokens);
    }

    private void fail(ApiError err) {
        if (done) {
            return;
        }
        rounds.cancelAll(true);
        reply.error(err); // inside the stream once it is committed (keepalives or data went out), else as HTTP
        complete(err.status(), -1);
    }

    /** The access line itself is written by the access-log handler when the answer's end passes it. */
    private void complete(int loggedStatus, long tokens) {
        done = true;
        if (loggedStatus >= 500) {
            failures.warn("status-" + loggedStatus, "chat requests are failing with {}: {}", loggedStatus,
                    lastFailure == null ? "-" : lastFailure.kind());
        }
        owner.exchangeDone(this);
    }

    // ---- client side events ----

    @Override
    public void onWritable() {
        if (!done) {
            rounds.resumeStream();
        }
    }

    @Override
    public void cancel() {
        if (done) {
            return;
        }
        done = true;
        rounds.cancelAll(false);
        if (mediaFetch != null) {
            mediaFetch.cancel(false);
        }
        reply.abandon();
        log.debug("client {} went away; upstream call cancelled", ctx.channel().id());
        owner.exchangeDone(this);
    }
}
