package gemgate.server.endpoint;

import gemgate.core.error.ApiError;
import gemgate.core.error.ApiException;
import gemgate.core.gemini.GeminiResponse;
import gemgate.core.json.Json;
import gemgate.core.keys.PooledKey;
import gemgate.core.log.RateLimitedLog;
import gemgate.core.keys.UpstreamFailure;
import gemgate.core.openai.ChatRequest;
import gemgate.core.sse.Sse;
import gemgate.core.translate.ChatToGemini;
import gemgate.core.translate.GeminiToChat;
import gemgate.core.translate.StreamTranslator;
import gemgate.server.http.RequestRecord;
import gemgate.server.http.Responses;
import gemgate.server.metrics.Metrics;
import gemgate.server.sse.SseResponse;
import gemgate.server.upstream.UpstreamCall;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import java.io.ByteArrayOutputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
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
 */
final class ChatExchange implements Exchange, UpstreamCall.Listener {
    private static final Logger log = LoggerFactory.getLogger(ChatExchange.class);
    private static final int MAX_ERROR_BODY = 64 * 1024;
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
    private final String id;
    private final long created;
    private final long startNanos = System.nanoTime();
    private final Set<PooledKey> tried = new HashSet<>();
    private final SseResponse sse;
    private final Metrics metrics;
    /** The access-log record: what this exchange learns (model, key, attempts, tokens) goes into the one line. */
    private final RequestRecord record;

    private int attempts;
    private int empties;
    private UpstreamFailure lastFailure;
    private PooledKey key;
    private UpstreamCall call;
    private int status;
    private ByteArrayOutputStream body;
    private StreamTranslator translator;
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
        this.id = "chatcmpl-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE)
                + Long.toHexString(System.nanoTime() & 0xffffff);
        this.created = gw.clock().millis() / 1000;
        this.sse = mode == Mode.PLAIN ? null
                : new SseResponse(ctx, HttpUtil.isKeepAlive(request), gw.keepaliveInterval(), Sse.KEEPALIVE);
        RequestRecord current = RequestRecord.current(ctx.channel());
        this.record = current != null ? current
                : new RequestRecord(RequestRecord.newId(null), startNanos, request.method().name(), request.uri(), "-");
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

    private void startAttempts() {
        if (sse != null) {
            sse.startKeepalives();
        }
        nextAttempt();
    }

    private void nextAttempt() {
        if (done) {
            return;
        }
        if (attempts >= gw.maxRetryNum()) {
            fail(exhaustedError());
            return;
        }
        if (call != null) {
            call.cancel(); // normally already finished; never let an old attempt call back into this one
        }
        Optional<PooledKey> next = gw.keys().next(upstreamModel, upstreamBody.length / 4, tried);
        if (next.isEmpty()) {
            fail(exhaustedError());
            return;
        }
        key = next.get();
        tried.add(key);
        attempts++;
        record.keyFingerprint = key.fingerprint();
        record.attempts = attempts;
        status = 0;
        body = null;
        translator = null;
        String path = "/" + gw.apiVersion() + "/models/" + upstreamModel
                + (mode == Mode.REAL_STREAM ? ":streamGenerateContent?alt=sse" : ":generateContent");
        call = gw.upstream().call(ctx.channel().eventLoop(), HttpMethod.POST, path, key.key(), upstreamBody, this);
        call.start();
    }

    /** The error for "no attempt left": the last upstream failure, or why no key is usable. */
    private ApiError exhaustedError() {
        if (lastFailure == null) {
            return gw.keys().unavailableError(upstreamModel);
        }
        String last = lastFailure.message();
        switch (lastFailure.kind()) {
            case RATE_LIMITED, KEY_INVALID, EMPTY: {
                ApiError u = gw.keys().unavailableError(upstreamModel);
                return u.withMessage(u.message() + " Tried " + attempts + " key(s) for this request; the last error: " + last);
            }
            case TIMEOUT:
                return ApiError.upstreamTimeout("Gemini did not answer in time on " + attempts + " attempt(s); the last error: " + last);
            default:
                return ApiError.upstreamFailed("Gemini failed on " + attempts + " attempt(s) (MAX_RETRY_NUM="
                        + gw.maxRetryNum() + "); the last error: " + last);
        }
    }

    // ---- upstream listener ----

    @Override
    public void onHead(int status, HttpResponse head) {
        this.status = status;
        if (status == 200 && mode == Mode.REAL_STREAM) {
            translator = new StreamTranslator(id, created, chat.model(), chat.includeUsage(), gw.maxSseEvent());
        } else {
            body = new ByteArrayOutputStream(status == 200 ? 4096 : 512);
        }
    }

    @Override
    public boolean onBody(byte[] bytes) {
        if (done) {
            return false;
        }
        if (translator != null) {
            try {
                translator.feed(bytes, 0, bytes.length, this::emit);
                sse.flush(); // everything translated from this upstream read goes out in one write
            } catch (ApiException e) {
                streamBroken(e.error());
                return false;
            }
            return sse.isWritable();
        }
        if (status != 200 && body.size() + bytes.length > MAX_ERROR_BODY) {
            return true; // enough of an error body to classify it; drain the rest
        }
        body.write(bytes, 0, bytes.length);
        return true;
    }

    private void emit(byte[] event) {
        sse.queueEvent(event);
    }

    @Override
    public void onEnd() {
        if (done) {
            return;
        }
        if (status != 200) {
            onUpstreamFailure(UpstreamFailure.fromResponse(status, body.toByteArray()));
            return;
        }
        if (translator != null) {
            endRealStream();
            return;
        }
        GeminiResponse resp;
        try {
            resp = GeminiResponse.parse(body.toByteArray());
        } catch (ApiException e) {
            onUpstreamFailure(UpstreamFailure.connection("Gemini sent an unreadable answer: " + e.getMessage()));
            return;
        }
        gw.keys().onSuccess(key, upstreamModel, resp.promptTokens(), Math.max(0, resp.totalTokens() - resp.promptTokens()));
        if (resp.isEmpty()) {
            metrics.attempt(Metrics.Outcome.EMPTY);
            onEmpty();
            return;
        }
        metrics.attempt(Metrics.Outcome.SUCCESS);
        respond(resp);
    }

    private void endRealStream() {
        // finish() first: it parses an unterminated last event and spots a bare error body appended after the
        // events, so only after it do upstreamError() and emptyAnswer() tell the whole story. Its events are held
        // back until we know the attempt is good.
        List<byte[]> tail = new java.util.ArrayList<>(4);
        translator.finish(tail::add);
        ApiError streamError = translator.upstreamError();
        if (streamError != null) {
            streamBroken(streamError);
            return;
        }
        gw.keys().onSuccess(key, upstreamModel, translator.promptTokens(),
                Math.max(0, translator.totalTokens() - translator.promptTokens()));
        if (translator.emptyAnswer() && !sse.dataSent()) {
            metrics.attempt(Metrics.Outcome.EMPTY);
            onEmpty();
            return;
        }
        metrics.attempt(Metrics.Outcome.SUCCESS);
        tail.forEach(sse::queueEvent);
        finishStream(200);
    }

    @Override
    public void onFailure(UpstreamCall.FailureKind kind, String detail) {
        if (done) {
            return;
        }
        UpstreamFailure f = kind == UpstreamCall.FailureKind.TIMEOUT ? UpstreamFailure.timeout(detail)
                : UpstreamFailure.connection(detail);
        if (kind == UpstreamCall.FailureKind.TOO_LARGE) {
            metrics.attempt(Metrics.Outcome.OTHER);
            fail(ApiError.upstreamFailed(detail));
            return;
        }
        if (kind == UpstreamCall.FailureKind.POOL_EXHAUSTED) {
            fail(ApiError.proxyBusy()); // not the key's fault, and another key would wait in the same queue
            return;
        }
        if (sse != null && sse.dataSent()) {
            gw.keys().onFailure(key, upstreamModel, f);
            metrics.attempt(Metrics.Outcome.of(f.kind()));
            streamBroken(f.kind() == UpstreamFailure.Kind.TIMEOUT ? ApiError.upstreamTimeout(detail) : ApiError.upstreamFailed(
                    "The Gemini stream broke off: " + detail));
            return;
        }
        onUpstreamFailure(f);
    }

    /** A failure before anything reached the client: sort it, then retry on another key or answer. */
    private void onUpstreamFailure(UpstreamFailure f) {
        gw.keys().onFailure(key, upstreamModel, f);
        metrics.attempt(Metrics.Outcome.of(f.kind()));
        log.debug("attempt {} with key {} failed: {} {}", attempts, key, f.kind(), f.message());
        if (!f.retryable()) {
            fail(ApiError.upstreamRejected(f.httpStatus(), f.message()));
            return;
        }
        if (sse != null && sse.dataSent()) {
            streamBroken(ApiError.upstreamFailed(f.message()));
            return;
        }
        lastFailure = f;
        nextAttempt();
    }

    private void onEmpty() {
        empties++;
        if (sse != null && sse.dataSent()) {
            finishStream(200);
            return;
        }
        if (empties >= Math.max(1, gw.maxEmptyResponses())) {
            fail(ApiError.emptyResponses(empties));
            return;
        }
        lastFailure = UpstreamFailure.empty();
        // An empty answer does not use up the retry budget of failures, but is bounded by MAX_EMPTY_RESPONSES;
        // the same key may answer again, so it is not marked as tried.
        tried.remove(key);
        attempts--;
        nextAttempt();
    }

    /**
     * The upstream stream carried an error, or could not be read. Before any data reached the client: Gemini's own
     * verdict on the request (a 4xx that is not about rate or time) goes back at once, anything else is retried on
     * the next key. After data: the error is told inside the stream, then the stream ends.
     */
    private void streamBroken(ApiError err) {
        if (call != null) {
            call.cancel(); // stop reading a stream we no longer want; frees its connection and timers
        }
        if (!sse.dataSent()) {
            if ("upstream_rejected".equals(err.code())) {
                fail(err);
            } else {
                onUpstreamFailure(UpstreamFailure.connection(err.message()));
            }
            return;
        }
        record.streamErrorStatus = err.status();
        sse.queueEvent(Sse.data(Json.write(err.openAiTree())));
        sse.queueEvent(Sse.DONE);
        finishStream(err.status());
    }

    // ---- answering ----

    private void respond(GeminiResponse resp) {
        if (mode == Mode.PLAIN) {
            byte[] json = GeminiToChat.completion(resp, id, created, chat.model());
            record.tokens = resp.totalTokens();
            Responses.send(ctx, request, Responses.json(HttpResponseStatus.OK, json), false);
            complete(200, resp.totalTokens());
            return;
        }
        List<byte[]> events = GeminiToChat.streamEvents(resp, id, created, chat.model(), chat.includeUsage());
        record.tokens = resp.totalTokens();
        for (byte[] e : events) {
            sse.queueEvent(e); // end() flushes them together
        }
        finishStream(200);
    }

    private void finishStream(int loggedStatus) {
        if (done) {
            return;
        }
        if (translator != null) {
            record.tokens = translator.totalTokens();
        }
        sse.end();
        complete(loggedStatus, record.tokens);
    }

    private void fail(ApiError err) {
        if (done) {
            return;
        }
        if (call != null) {
            call.cancel();
        }
        if (sse != null && sse.headSent()) {
            // The stream is committed (keepalives or data went out): the error travels inside it.
            record.streamErrorStatus = err.status();
            sse.queueEvent(Sse.data(Json.write(err.openAiTree())));
            sse.queueEvent(Sse.DONE);
            sse.end();
        } else {
            if (sse != null) {
                sse.abandon();
            }
            Responses.sendError(ctx, request, err, false);
        }
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
        if (!done && call != null && translator != null) {
            call.resume();
        }
    }

    @Override
    public void cancel() {
        if (done) {
            return;
        }
        done = true;
        if (call != null) {
            call.cancel();
        }
        if (mediaFetch != null) {
            mediaFetch.cancel(false);
        }
        if (sse != null) {
            sse.abandon();
        }
        log.debug("client {} went away; upstream call cancelled", ctx.channel().id());
        owner.exchangeDone(this);
    }
}
