package gemgate.server.endpoint;

import gemgate.core.error.ApiError;
import gemgate.core.error.ApiException;
import gemgate.core.gemini.GeminiResponse;
import gemgate.core.gemini.NativeStream;
import gemgate.core.json.Json;
import gemgate.core.json.JsonException;
import gemgate.core.keys.KeyMask;
import gemgate.core.keys.PooledKey;
import gemgate.core.keys.UpstreamFailure;
import gemgate.core.log.RateLimitedLog;
import gemgate.server.http.RequestRecord;
import gemgate.server.http.Responses;
import gemgate.server.metrics.Metrics;
import gemgate.server.sse.SseResponse;
import gemgate.server.upstream.UpstreamCall;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import java.io.ByteArrayOutputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One native Gemini call ({@code models/{m}:generateContent}, {@code :streamGenerateContent}, {@code :countTokens},
 * {@code :embedContent}, {@code :batchEmbedContents}) passed through to Google with a pool key in place of the
 * client's password. The request body goes upstream byte for byte; the answer comes back with its status and body
 * (keys masked), a stream one event at a time, read on only while the client keeps up. Runs on the client
 * connection's event loop.
 *
 * <p>Key rotation and retries as for chat completions: the client's own 4xx goes back unchanged, an invalid key
 * leaves the rotation, a 429 cools the key, 5xx, timeouts and resets move on to the next key, and an empty
 * generate answer is retried up to MAX_EMPTY_RESPONSES. A stream's events wait until the first one with content,
 * so an empty stream is retried too; once anything reached the client nothing is retried, and a later failure is
 * told inside the stream in the client's format. With FAKE_STREAMING, {@code :streamGenerateContent} calls the
 * non-streaming method and sends blank-line keepalives ({@link NativeStream#KEEPALIVE}) until the whole answer
 * goes out as the stream's one event (or one-element array).
 */
final class NativeExchange implements Exchange, UpstreamCall.Listener {
    private static final Logger log = LoggerFactory.getLogger(NativeExchange.class);
    private static final int MAX_ERROR_BODY = 64 * 1024;
    private static final RateLimitedLog failures = new RateLimitedLog(log, Duration.ofSeconds(60), 64, Clock.systemUTC());
    private static final String STREAM_ACTION = "streamGenerateContent";
    private static final String GENERATE_ACTION = "generateContent";

    enum Mode { PLAIN, FAKE_STREAM, REAL_STREAM }

    private final Gateway gw;
    private final ChannelHandlerContext ctx;
    private final HttpRequest request;
    private final byte[] upstreamBody;
    private final String model;
    /**
     * The model whose per-key quota this call uses; null for countTokens, which Google meters apart, so it picks a
     * key (and reports back) without touching the model's counts or cooldowns. Embedding calls count against their
     * embedding model, as Google counts them.
     */
    private final String quotaModel;
    private final String upstreamPath;
    private final boolean generate;
    private final Mode mode;
    private final NativeStream.Form form;
    private final Owner owner;
    private final Metrics metrics;
    private final RequestRecord record;
    private final SseResponse out;
    private final Set<PooledKey> tried = new HashSet<>();

    private int attempts;
    private int empties;
    private UpstreamFailure lastFailure;
    private PooledKey key;
    private UpstreamCall call;
    private int status;
    private String contentType;
    private ByteArrayOutputStream body;
    private NativeStream stream;
    private boolean done;

    /**
     * @param version    the client's API version (v1, v1beta, v1alpha), used upstream as well
     * @param model      a validated, allowed model id (a safe path segment)
     * @param action     one of the five model methods
     * @param query      the whitelisted query string to forward, without '?' (may be empty); never a key
     * @param sseForm    for streams: alt=sse (else Google's streamed JSON array)
     */
    NativeExchange(Gateway gw, ChannelHandlerContext ctx, HttpRequest request, byte[] body, String version, String model,
            String action, String query, boolean sseForm, Owner owner, Metrics metrics) {
        this.gw = gw;
        this.ctx = ctx;
        this.request = request;
        this.upstreamBody = body;
        this.model = model;
        this.owner = owner;
        this.metrics = metrics;
        boolean streamAction = STREAM_ACTION.equals(action);
        this.generate = streamAction || GENERATE_ACTION.equals(action);
        this.quotaModel = "countTokens".equals(action) ? null : model;
        this.mode = !streamAction ? Mode.PLAIN : gw.fakeStreaming() ? Mode.FAKE_STREAM : Mode.REAL_STREAM;
        this.form = sseForm ? NativeStream.Form.SSE : NativeStream.Form.JSON_ARRAY;
        String q = query;
        String upstreamAction = action;
        if (mode == Mode.FAKE_STREAM) {
            upstreamAction = GENERATE_ACTION;
            q = ""; // alt=sse means nothing to the non-streaming method
        }
        this.upstreamPath = "/" + version + "/models/" + model + ":" + upstreamAction + (q.isEmpty() ? "" : "?" + q);
        this.out = mode == Mode.PLAIN ? null : new SseResponse(ctx, HttpUtil.isKeepAlive(request), gw.keepaliveInterval(),
                NativeStream.KEEPALIVE, sseForm ? "text/event-stream; charset=utf-8" : "application/json; charset=UTF-8");
        RequestRecord current = RequestRecord.current(ctx.channel());
        this.record = current != null ? current
                : new RequestRecord(RequestRecord.newId(null), System.nanoTime(), request.method().name(), request.uri(), "-");
        record.model = model;
        record.mode = "native-" + mode.name().toLowerCase(Locale.ROOT);
    }

    void start() {
        if (gw.keys().size() == 0) {
            fail(ApiError.noKeysConfigured());
            return;
        }
        if (out != null) {
            out.startKeepalives();
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
            call.cancel();
        }
        Optional<PooledKey> next = gw.keys().next(quotaModel, upstreamBody.length / 4, tried);
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
        stream = null;
        call = gw.upstream().call(ctx.channel().eventLoop(), HttpMethod.POST, upstreamPath, key.key(), upstreamBody, this);
        call.start();
    }

    private ApiError exhaustedError() {
        return gw.retriesExhausted(quotaModel, lastFailure, attempts, "this request");
    }

    // ---- upstream listener ----

    @Override
    public void onHead(int status, HttpResponse head) {
        this.status = status;
        this.contentType = head.headers().get(HttpHeaderNames.CONTENT_TYPE);
        if (status == 200 && mode == Mode.REAL_STREAM) {
            stream = new NativeStream(form, gw.maxSseEvent());
        } else {
            body = new ByteArrayOutputStream(status == 200 ? 4096 : 512);
        }
    }

    @Override
    public boolean onBody(byte[] bytes) {
        if (done) {
            return false;
        }
        if (stream != null) {
            try {
                stream.feed(bytes, 0, bytes.length, out::queueEvent);
                out.flush(); // everything from this upstream read goes out in one write
            } catch (ApiException e) {
                streamBroken(e.error());
                return false;
            }
            if (stream.upstreamError() != null) {
                call.cancel(); // nothing after an error is read; its connection is not reused
                endStream();
                return false;
            }
            return out.isWritable();
        }
        if (status != 200 && body.size() + bytes.length > MAX_ERROR_BODY) {
            return true; // enough of an error body to classify and pass on; drain the rest
        }
        body.write(bytes, 0, bytes.length);
        return true;
    }

    @Override
    public void onEnd() {
        if (done) {
            return;
        }
        if (status != 200) {
            byte[] raw = body.toByteArray();
            onUpstreamFailure(UpstreamFailure.fromResponse(status, raw), raw);
            return;
        }
        if (stream != null) {
            endStream();
            return;
        }
        byte[] answer = body.toByteArray();
        if (!generate) {
            gw.keys().onSuccess(key, quotaModel, upstreamBody.length / 4, 0);
            metrics.attempt(Metrics.Outcome.SUCCESS);
            respond(answer, -1);
            return;
        }
        GeminiResponse resp;
        try {
            resp = GeminiResponse.parse(answer);
        } catch (ApiException e) {
            onUpstreamFailure(UpstreamFailure.connection("Gemini sent an unreadable answer: " + e.getMessage()), null);
            return;
        }
        gw.keys().onSuccess(key, quotaModel, resp.promptTokens(), Math.max(0, resp.totalTokens() - resp.promptTokens()));
        if (resp.isEmpty()) {
            metrics.attempt(Metrics.Outcome.EMPTY);
            onEmpty();
            return;
        }
        metrics.attempt(Metrics.Outcome.SUCCESS);
        respond(answer, resp.totalTokens());
    }

    /** The real stream's upstream body ended (or carried an error): close it well, or retry, or report. */
    private void endStream() {
        stream.finish(out::queueEvent);
        ApiError err = stream.upstreamError();
        if (err != null && !stream.errorForwarded()) {
            streamBroken(err);
            return;
        }
        if (err != null) {
            // Google's own error object already went to the client inside the stream.
            record.streamErrorStatus = err.status();
            finishStream(err.status());
            return;
        }
        gw.keys().onSuccess(key, quotaModel, stream.promptTokens(), Math.max(0, stream.totalTokens() - stream.promptTokens()));
        if (stream.emptyAnswer() && !out.dataSent()) {
            metrics.attempt(Metrics.Outcome.EMPTY);
            onEmpty();
            return;
        }
        metrics.attempt(Metrics.Outcome.SUCCESS);
        record.tokens = stream.totalTokens();
        finishStream(200);
    }

    @Override
    public void onFailure(UpstreamCall.FailureKind kind, String detail) {
        if (done) {
            return;
        }
        if (kind == UpstreamCall.FailureKind.TOO_LARGE) {
            metrics.attempt(Metrics.Outcome.OTHER);
            fail(ApiError.upstreamFailed(detail));
            return;
        }
        if (kind == UpstreamCall.FailureKind.POOL_EXHAUSTED) {
            fail(ApiError.proxyBusy());
            return;
        }
        UpstreamFailure f = kind.toFailure(detail);
        if (out != null && out.dataSent()) {
            gw.keys().onFailure(key, quotaModel, f);
            metrics.attempt(Metrics.Outcome.of(f.kind()));
            streamBroken(kind.streamBrokeError(detail));
            return;
        }
        onUpstreamFailure(f, null);
    }

    /**
     * A failure before anything reached the client. {@code raw} is Google's error body when there was one: for the
     * client's own mistake it goes back as it came.
     */
    private void onUpstreamFailure(UpstreamFailure f, byte[] raw) {
        gw.keys().onFailure(key, quotaModel, f);
        metrics.attempt(Metrics.Outcome.of(f.kind()));
        log.debug("native attempt {} with key {} failed: {} {}", attempts, key, f.kind(), f.message());
        if (!f.retryable()) {
            passBack(f, raw);
            return;
        }
        if (out != null && out.dataSent()) {
            streamBroken(ApiError.upstreamFailed(f.message()));
            return;
        }
        lastFailure = f;
        nextAttempt();
    }

    private void onEmpty() {
        empties++;
        if (empties >= Math.max(1, gw.maxEmptyResponses())) {
            fail(ApiError.emptyResponses(empties));
            return;
        }
        lastFailure = UpstreamFailure.empty();
        tried.remove(key); // as for chat: an empty answer uses no retry budget, and the same key may answer again
        attempts--;
        nextAttempt();
    }

    /** As in chat: before data, Google's verdict on the request goes back, anything else is retried; after, it is told in-stream. */
    private void streamBroken(ApiError err) {
        if (call != null) {
            call.cancel();
        }
        if (!out.dataSent()) {
            byte[] googleError = stream == null ? null : stream.upstreamErrorBody();
            if (googleError != null) {
                // Google's error inside the stream, before any data: sorted like an HTTP error (a 429 cools the key,
                // an invalid key leaves the rotation, the client's own mistake goes back to it verbatim).
                onUpstreamFailure(UpstreamFailure.fromResponse(stream.upstreamErrorStatus(), googleError), googleError);
            } else if ("upstream_rejected".equals(err.code())) {
                fail(err);
            } else {
                onUpstreamFailure(UpstreamFailure.connection(err.message()), null);
            }
            return;
        }
        record.streamErrorStatus = err.status();
        out.queueEvent(framer().errorFrame(err));
        finishStream(err.status());
    }

    // ---- answering ----

    /** Google's 200 answer as it came (keys masked): a plain response, or the fake stream's only event. */
    private void respond(byte[] answer, long tokens) {
        record.tokens = tokens;
        if (mode == Mode.PLAIN) {
            FullHttpResponse res = Responses.json(HttpResponseStatus.OK, KeyMask.scrub(answer));
            if (contentType != null && contentType.startsWith("application/json")) {
                res.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
            }
            Responses.send(ctx, request, res, false);
            complete(200);
            return;
        }
        out.queueEvent(NativeStream.wholeAnswer(form, answer));
        finishStream(200);
    }

    /** The client's own bad request: Google's status and body unchanged (keys masked), or inside a started stream. */
    private void passBack(UpstreamFailure f, byte[] raw) {
        boolean json = raw != null && isJsonObject(raw);
        if (!json) {
            fail(ApiError.upstreamRejected(f.httpStatus(), f.message()));
            return;
        }
        if (out != null && out.headSent()) {
            record.streamErrorStatus = f.httpStatus();
            out.queueEvent(framer().errorFrame(raw));
            finishStream(f.httpStatus());
            return;
        }
        if (out != null) {
            out.abandon();
        }
        HttpResponseStatus st = HttpResponseStatus.valueOf(f.httpStatus());
        FullHttpResponse res = Responses.json(st, KeyMask.scrub(raw));
        Responses.send(ctx, request, res, false);
        complete(f.httpStatus());
    }

    /** Frames an in-stream error after what this attempt sent (a fresh framer when the stream sent nothing). */
    private NativeStream framer() {
        return stream != null && out.dataSent() ? stream : new NativeStream(form, gw.maxSseEvent());
    }

    private void finishStream(int loggedStatus) {
        if (done) {
            return;
        }
        out.end();
        complete(loggedStatus);
    }

    private void fail(ApiError err) {
        if (done) {
            return;
        }
        if (call != null) {
            call.cancel();
        }
        if (out != null && out.headSent()) {
            record.streamErrorStatus = err.status();
            out.queueEvent(framer().errorFrame(err));
            out.end();
        } else {
            if (out != null) {
                out.abandon();
            }
            Responses.send(ctx, request, Responses.error(err, true), false);
        }
        complete(err.status());
    }

    private void complete(int loggedStatus) {
        done = true;
        if (loggedStatus >= 500) {
            failures.warn("status-" + loggedStatus, "native Gemini requests are failing with {}: {}", loggedStatus,
                    lastFailure == null ? "-" : lastFailure.kind());
        }
        owner.exchangeDone(this);
    }

    private static boolean isJsonObject(byte[] raw) {
        try {
            Object tree = Json.parse(raw);
            return tree instanceof java.util.Map<?, ?> || (tree instanceof java.util.List<?> l && !l.isEmpty());
        } catch (JsonException e) {
            return false;
        }
    }

    // ---- client side events ----

    @Override
    public void onWritable() {
        if (!done && call != null && stream != null) {
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
        if (out != null) {
            out.abandon();
        }
        log.debug("client {} went away; native upstream call cancelled", ctx.channel().id());
        owner.exchangeDone(this);
    }
}
