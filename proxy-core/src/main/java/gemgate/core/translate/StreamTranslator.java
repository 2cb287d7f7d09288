package gemgate.core.translate;

import gemgate.core.error.ApiError;
import gemgate.core.gemini.GeminiErrors;
import gemgate.core.gemini.GeminiResponse;
import gemgate.core.json.Json;
import gemgate.core.json.JsonException;
import gemgate.core.sse.SseParser;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Incremental translator for real streaming: Gemini {@code alt=sse} bytes in (split anywhere), OpenAI SSE events out.
 * The output is byte-identical however the input is split (given the same tool call ids, which are random). One instance per upstream attempt; not thread-safe.
 *
 * <p>Events are emitted only when there is something real, and the first one carries {@code role:"assistant"} with the
 * first content, so an attempt that produced nothing can still be retried: check {@link #emittedAny()} before
 * committing, and {@link #emptyAnswer()} before {@link #finish}.
 */
public final class StreamTranslator {
    private final SseParser parser;
    private final ChunkStream chunks;
    private ApiError upstreamError;
    /** Google's own error object when the stream carried one, so the caller can sort it like an HTTP error. */
    private byte[] upstreamErrorBody;
    private int upstreamErrorStatus;
    private boolean finished;

    /** Thoughts are shown as {@code options.thoughtDisplay()} says; tool call ids come from {@link ToolCallIds#newId}. */
    public StreamTranslator(String id, long createdEpochSeconds, String model, boolean includeUsage, int maxEventBytes,
                            TranslateOptions options) {
        this(id, createdEpochSeconds, model, includeUsage, maxEventBytes, options.thoughtDisplay(), ToolCallIds::newId);
    }

    /** For tests: deterministic tool call ids make output comparable byte for byte. */
    StreamTranslator(String id, long createdEpochSeconds, String model, boolean includeUsage, int maxEventBytes,
                     TranslateOptions.ThoughtDisplay display, Function<String, String> newToolCallId) {
        this.parser = new SseParser(maxEventBytes);
        this.chunks = new ChunkStream(id, createdEpochSeconds, model, includeUsage, display, newToolCallId);
    }

    /** Feeds upstream bytes; calls out.accept for every complete OpenAI SSE event produced. Throws ApiException when
     *  an upstream SSE event exceeds maxEventBytes. */
    public void feed(byte[] bytes, int off, int len, Consumer<byte[]> out) {
        if (finished) {
            throw new IllegalStateException("feed after finish");
        }
        parser.feed(bytes, off, len, data -> onData(data, out));
    }

    /**
     * The upstream ended normally: flushes a last unterminated event, then the finish chunk(s), the usage chunk (when
     * includeUsage) and {@code data: [DONE]}. If the upstream carried an error (also one appended as bare JSON after
     * the events), nothing more is emitted and {@link #upstreamError()} says what happened, so the caller can send
     * its own error event instead.
     */
    public void finish(Consumer<byte[]> out) {
        if (finished) {
            return;
        }
        parser.end(data -> onData(data, out));
        finished = true;
        if (upstreamError == null) {
            upstreamError = errorIn(parser.strayText());
        }
        if (upstreamError == null) {
            chunks.finish(out);
        }
    }

    /** True once any event has been emitted to out. */
    public boolean emittedAny() {
        return chunks.emittedAny();
    }

    /** True while (or when) the stream has carried no content at all: see {@link GeminiResponse#isEmpty()}. */
    public boolean emptyAnswer() {
        return chunks.emptyAnswer();
    }

    /** Non-null if the upstream stream contained an error object. */
    /**
     * The raw {@code {"error":{...}}} event behind {@link #upstreamError()} when Google sent one (its reason, quota id
     * and retry delay sort the failure as for a non-streamed answer); null for a broken or unreadable stream.
     */
    public byte[] upstreamErrorBody() {
        return upstreamErrorBody;
    }

    /** The HTTP status Google's in-stream error names ({@code error.code}); 0 when there is none. */
    public int upstreamErrorStatus() {
        return upstreamErrorStatus;
    }

    public ApiError upstreamError() {
        return upstreamError;
    }

    public long promptTokens() {
        return chunks.usage().prompt();
    }

    /** candidates + thoughts, from the last usageMetadata seen. */
    public long completionTokens() {
        return chunks.usage().completionTokens();
    }

    public long totalTokens() {
        return chunks.usage().totalTokens();
    }

    private void onData(String data, Consumer<byte[]> out) {
        if (upstreamError != null) {
            return; // nothing after an error is trustworthy
        }
        String trimmed = data.strip();
        if (trimmed.isEmpty() || trimmed.equals("[DONE]")) {
            return;
        }
        Object tree;
        try {
            tree = Json.parse(trimmed);
        } catch (JsonException e) {
            upstreamError = ApiError.upstreamFailed("Gemini sent an unreadable stream event: " + e.getMessage());
            return;
        }
        Map<String, Object> obj = Json.asObject(tree);
        if (obj == null) {
            upstreamError = errorIn(tree);
            if (upstreamError == null) {
                upstreamError = ApiError.upstreamFailed("Gemini sent a stream event that is not a JSON object.");
            }
            return;
        }
        if (obj.get("error") instanceof Map) {
            upstreamError = GeminiErrors.fromStatus(Json.obj(obj, "error"));
            upstreamErrorBody = Json.write(obj);
            upstreamErrorStatus = GeminiErrors.httpStatus(Json.obj(obj, "error"));
            return;
        }
        chunks.accept(GeminiResponse.fromTree(obj), out);
    }

    /** An error object in non-SSE text: {"error":{...}} or Vertex's [{"error":{...}}]; null when there is none. */
    private static ApiError errorIn(String text) {
        if (text.isBlank()) {
            return null;
        }
        try {
            return errorIn(Json.parse(text.strip()));
        } catch (JsonException e) {
            return null; // stray noise that is not JSON is not an error report
        }
    }

    private static ApiError errorIn(Object tree) {
        if (tree instanceof List<?> l && !l.isEmpty()) {
            tree = l.get(0);
        }
        Map<String, Object> err = Json.obj(Json.asObject(tree), "error");
        return err == null ? null : GeminiErrors.fromStatus(err);
    }
}
