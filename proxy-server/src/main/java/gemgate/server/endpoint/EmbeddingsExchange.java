package gemgate.server.endpoint;

import gemgate.core.error.ApiError;
import gemgate.core.json.JsonException;
import gemgate.core.keys.PooledKey;
import gemgate.core.keys.UpstreamFailure;
import gemgate.core.translate.Embeddings;
import gemgate.server.http.RequestRecord;
import gemgate.server.http.Responses;
import gemgate.server.metrics.Metrics;
import gemgate.server.upstream.UpstreamCall;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code POST /v1/embeddings}: the texts go to Gemini's batchEmbedContents in batches of at most 100, a few
 * batches at a time (setting embeddings.parallel-batches), each with its own key rotation and retries like chat
 * (another key on 429, 5xx, timeouts and invalid keys; Gemini's verdict on the request itself goes straight back).
 * The vectors are put back in input order and answered once every batch is in; the first batch that fails for good
 * cancels the others. Runs entirely on the client connection's event loop.
 */
final class EmbeddingsExchange implements Exchange {
    private static final Logger log = LoggerFactory.getLogger(EmbeddingsExchange.class);
    private static final int MAX_ERROR_BODY = 64 * 1024;

    private final Gateway gw;
    private final ChannelHandlerContext ctx;
    private final HttpRequest request;
    private final Embeddings.Request req;
    private final Owner owner;
    private final Metrics metrics;
    private final RequestRecord record;
    private final float[][] vectors;
    private final Batch[] batches;
    private int nextBatch;
    private int running;
    private int finished;
    private long reportedTokens;
    private boolean allReported = true;
    private boolean done;

    EmbeddingsExchange(Gateway gw, ChannelHandlerContext ctx, HttpRequest request, Embeddings.Request req, Owner owner,
            Metrics metrics) {
        this.gw = gw;
        this.ctx = ctx;
        this.request = request;
        this.req = req;
        this.owner = owner;
        this.metrics = metrics;
        this.vectors = new float[req.inputs().size()][];
        this.batches = new Batch[req.batches()];
        RequestRecord current = RequestRecord.current(ctx.channel());
        this.record = current != null ? current
                : new RequestRecord(RequestRecord.newId(null), System.nanoTime(), request.method().name(), request.uri(), "-");
        record.model = req.clientModel();
        record.mode = "embeddings";
    }

    void start() {
        if (gw.keys().size() == 0) {
            fail(ApiError.noKeysConfigured());
            return;
        }
        int parallel = Math.max(1, gw.embeddings().parallelBatches());
        while (!done && running < parallel && nextBatch < batches.length) {
            launch();
        }
    }

    private void launch() {
        Batch b = new Batch(nextBatch++);
        batches[b.index] = b;
        running++;
        b.nextAttempt();
    }

    private void batchDone(Batch b, Embeddings.BatchResult result) {
        running--;
        finished++;
        List<float[]> vs = result.vectors();
        for (int i = 0; i < vs.size(); i++) {
            vectors[req.batchStart(b.index) + i] = vs.get(i);
        }
        if (result.promptTokens() >= 0) {
            reportedTokens += result.promptTokens();
        } else {
            allReported = false;
        }
        if (finished == batches.length) {
            respond();
        } else if (nextBatch < batches.length) {
            launch();
        }
    }

    private void respond() {
        long tokens;
        if (allReported) {
            tokens = reportedTokens;
        } else {
            tokens = 0;
            for (String s : req.inputs()) {
                tokens += Embeddings.estimateTokens(s);
            }
        }
        byte[] json = Embeddings.response(req, Arrays.asList(vectors), tokens);
        Arrays.fill(vectors, null);
        record.tokens = tokens;
        done = true;
        Responses.send(ctx, request, Responses.json(HttpResponseStatus.OK, json), false);
        owner.exchangeDone(this);
    }

    private void fail(ApiError err) {
        if (done) {
            return;
        }
        done = true;
        cancelBatches();
        Responses.sendError(ctx, request, err, false);
        owner.exchangeDone(this);
    }

    @Override
    public void cancel() {
        if (done) {
            return;
        }
        done = true;
        cancelBatches();
        log.debug("client {} went away; embeddings calls cancelled", ctx.channel().id());
        owner.exchangeDone(this);
    }

    private void cancelBatches() {
        for (Batch b : batches) {
            if (b != null && b.call != null) {
                b.call.cancel();
            }
        }
    }

    /** One upstream batch of up to 100 texts and its attempts. */
    private final class Batch implements UpstreamCall.Listener {
        final int index;
        final byte[] body;
        final Set<PooledKey> tried = new HashSet<>();
        int attempts;
        UpstreamFailure lastFailure;
        PooledKey key;
        UpstreamCall call;
        int status;
        ByteArrayOutputStream received;

        Batch(int index) {
            this.index = index;
            this.body = Embeddings.batchBody(req, index);
        }

        void nextAttempt() {
            if (done) {
                return;
            }
            if (attempts >= gw.maxRetryNum()) {
                fail(exhausted());
                return;
            }
            Optional<PooledKey> next = gw.keys().next(req.upstreamModel(), req.estimatedTokens(index), tried);
            if (next.isEmpty()) {
                fail(exhausted());
                return;
            }
            key = next.get();
            tried.add(key);
            attempts++;
            record.keyFingerprint = key.fingerprint();
            record.attempts++;
            status = 0;
            received = null;
            String path = "/" + gw.apiVersion() + "/models/" + req.upstreamModel() + ":batchEmbedContents";
            call = gw.upstream().call(ctx.channel().eventLoop(), HttpMethod.POST, path, key.key(), body, this);
            call.start();
        }

        private ApiError exhausted() {
            return gw.retriesExhausted(req.upstreamModel(), lastFailure, attempts, "this embeddings batch");
        }

        @Override
        public void onHead(int status, HttpResponse head) {
            this.status = status;
            received = new ByteArrayOutputStream(status == 200 ? 16 * 1024 : 512);
        }

        @Override
        public boolean onBody(byte[] bytes) {
            if (done) {
                return false;
            }
            if (status != 200 && received.size() + bytes.length > MAX_ERROR_BODY) {
                return true; // enough to classify the error; drain the rest
            }
            received.write(bytes, 0, bytes.length);
            return true;
        }

        @Override
        public void onEnd() {
            if (done) {
                return;
            }
            byte[] bytes = received.toByteArray();
            received = null;
            if (status != 200) {
                failed(UpstreamFailure.fromResponse(status, bytes));
                return;
            }
            Embeddings.BatchResult result;
            try {
                result = Embeddings.parseBatch(bytes, req.batchEnd(index) - req.batchStart(index));
            } catch (JsonException e) {
                failed(UpstreamFailure.connection("Gemini sent an unusable batchEmbedContents answer: " + e.getMessage()));
                return;
            }
            long tokens = result.promptTokens() >= 0 ? result.promptTokens() : req.estimatedTokens(index);
            gw.keys().onSuccess(key, req.upstreamModel(), tokens, 0);
            metrics.attempt(Metrics.Outcome.SUCCESS);
            batchDone(this, result);
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
            failed(kind.toFailure(detail));
        }

        private void failed(UpstreamFailure f) {
            gw.keys().onFailure(key, req.upstreamModel(), f);
            metrics.attempt(Metrics.Outcome.of(f.kind()));
            log.debug("embeddings batch {} attempt {} with key {} failed: {} {}", index, attempts, key, f.kind(), f.message());
            if (!f.retryable()) {
                // Gemini's verdict on the request itself (too many texts, a bad dimensionality, an unknown model).
                fail(ApiError.upstreamRejected(f.httpStatus(), f.message()));
                return;
            }
            lastFailure = f;
            nextAttempt();
        }
    }
}
