package gemgate.core.gemini;

import gemgate.core.error.ApiError;
import gemgate.core.json.Json;
import gemgate.core.json.JsonArraySplitter;
import gemgate.core.json.JsonException;
import gemgate.core.keys.KeyMask;
import gemgate.core.sse.SseParser;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A native {@code :streamGenerateContent} answer passed through to a Gemini client, one upstream event (SSE) or array
 * element (no {@code alt=sse}) at a time. Each one goes out with its payload bytes unchanged, re-framed exactly as
 * Google frames them ({@code data: <json>\r\n\r\n}, or {@code [}, {@code \n,\n} and {@code \n]} around the array's
 * elements), so the output never ends inside an event and an error can always be appended in the client's format.
 *
 * <p>Events are held back until the first one that carries content ({@link GeminiResponse#isEmpty()}), so an empty
 * answer can be retried on another key before the client has seen anything; {@link #committed()} says whether
 * anything was emitted. Usage comes from the last {@code usageMetadata} seen. An error object inside the stream is
 * forwarded as-is once committed, and only recorded before that ({@link #upstreamError()}), for the caller to retry or
 * answer. Anything shaped like a Google key is masked in what is emitted. Output does not depend on how the input
 * bytes are split. Not thread-safe: one instance per upstream attempt.
 */
public final class NativeStream {
    /** The client's stream format. */
    public enum Form { SSE, JSON_ARRAY }

    /**
     * The keepalive for Gemini clients, in both forms: a bare line end. A {@code :} comment is not safe here:
     * google-genai for Python (_api_client.py, _iter_response_stream) passes every non-empty line that does not start
     * with {@code data: } to json.loads and fails on it, while it, google-genai for Java (ResponseStream.readNextJson)
     * and @google/genai for JS (processStreamResponse, which trims events) all skip empty lines. Before the
     * {@code [} of a JSON array, whitespace is insignificant (RFC 8259 §2); hajimi relies on the same for its
     * non-stream keepalive.
     */
    public static final byte[] KEEPALIVE = {'\n'};

    private static final byte[] SSE_PREFIX = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SSE_END = {'\r', '\n', '\r', '\n'};
    private static final byte[] ARRAY_OPEN = {'['};
    private static final byte[] ARRAY_SEP = {'\n', ',', '\n'};
    private static final byte[] ARRAY_CLOSE = {'\n', ']'};

    private final Form form;
    private final int maxHeldBytes;
    private final SseParser sse;
    private final JsonArraySplitter array;
    private final List<byte[]> held = new ArrayList<>(2);
    private long heldBytes;
    private boolean committed;
    private boolean opened;
    private boolean closed;
    private boolean content;
    private boolean errorForwarded;
    /** Google's own error object, when the stream carried one, and the HTTP status it names. */
    private byte[] upstreamErrorBody;
    private int upstreamErrorStatus;
    private boolean finished;
    private ApiError upstreamError;
    private long promptTokens;
    private long totalTokens;

    /** @param maxEventBytes cap for one upstream event or element (and, four times over, for what is held back) */
    public NativeStream(Form form, int maxEventBytes) {
        if (form == null) {
            throw new IllegalArgumentException("form is required");
        }
        this.form = form;
        this.sse = form == Form.SSE ? new SseParser(maxEventBytes) : null;
        this.array = form == Form.JSON_ARRAY ? new JsonArraySplitter(maxEventBytes) : null;
        this.maxHeldBytes = (int) Math.min(Integer.MAX_VALUE, 4L * maxEventBytes);
    }

    /** Feeds upstream bytes; emits the frames that may go to the client now. Throws ApiException for an oversized event. */
    public void feed(byte[] b, int off, int len, Consumer<byte[]> out) {
        if (finished) {
            throw new IllegalStateException("feed after finish");
        }
        if (sse != null) {
            sse.feed(b, off, len, data -> onPayload(data.getBytes(StandardCharsets.UTF_8), out));
        } else {
            array.feed(b, off, len, el -> onPayload(el, out));
            if (array.malformed() != null && upstreamError == null) {
                upstreamError = ApiError.upstreamFailed("Gemini sent an unreadable stream: " + array.malformed());
            }
        }
    }

    /**
     * The upstream body ended. Emits what is left when the stream is good (held frames of a committed stream, the
     * array's closing bracket); emits nothing when there is an error the caller must still handle, or when nothing
     * had content (then {@link #emptyAnswer()} is true and the caller may retry).
     */
    public void finish(Consumer<byte[]> out) {
        if (finished) {
            return;
        }
        finished = true;
        String stray = "";
        if (sse != null) {
            sse.end(data -> onPayload(data.getBytes(StandardCharsets.UTF_8), out));
            stray = sse.strayText();
        } else {
            stray = array.strayText();
            if (upstreamError == null && !array.complete() && stray.isBlank()) {
                upstreamError = ApiError.upstreamFailed(array.insideElement()
                        ? "The Gemini stream ended inside an element." : "The Gemini stream ended without its closing bracket.");
            }
        }
        if (upstreamError == null && !stray.isBlank()) {
            // Gemini appends a bare JSON error body after the events when a stream fails.
            onPayload(stray.strip().getBytes(StandardCharsets.UTF_8), out);
            if (upstreamError == null) {
                upstreamError = ApiError.upstreamFailed("Gemini sent text that is not part of the stream.");
            }
        }
        if (upstreamError != null && !errorForwarded) {
            return; // the caller retries, answers, or appends errorFrame()
        }
        if (committed) {
            close(out);
        }
    }

    /** The frame that ends the stream with {@code err} in the client's format (Google's error body shape). */
    public byte[] errorFrame(ApiError err) {
        return errorFrame(err.geminiBody());
    }

    /**
     * The frame that ends the stream with an error body (Google's own, or ours): an SSE event, or the array's last
     * element plus its closing bracket (the whole array when nothing was sent yet). Marks the stream closed.
     */
    public byte[] errorFrame(byte[] errorJson) {
        byte[] json = KeyMask.scrub(errorJson);
        // Frames held back were never sent: only a committed stream has its opening bracket out.
        boolean open = committed && opened;
        closed = true;
        committed = true;
        if (form == Form.SSE) {
            return concat(SSE_PREFIX, compact(json), SSE_END);
        }
        byte[] lead = open ? ARRAY_SEP : ARRAY_OPEN;
        opened = true;
        return concat(lead, json, ARRAY_CLOSE);
    }

    /** A whole (non-streamed) answer as the complete stream: one event, or a one-element array. For fake streaming. */
    public static byte[] wholeAnswer(Form form, byte[] responseJson) {
        byte[] json = KeyMask.scrub(responseJson);
        return form == Form.SSE ? concat(SSE_PREFIX, compact(json), SSE_END) : concat(ARRAY_OPEN, json, ARRAY_CLOSE);
    }

    /** True once anything was emitted: from then on the attempt may not be retried. */
    public boolean committed() {
        return committed;
    }

    /** True while no event carried content (text, thoughts, calls, data, a block or a telling finish reason). */
    public boolean emptyAnswer() {
        return !content;
    }

    /** Non-null if the stream carried (or was) an error, or could not be read. */
    public ApiError upstreamError() {
        return upstreamError;
    }

    /** Google's {@code {"error":{...}}} object behind {@link #upstreamError()}, or null for a broken stream. */
    public byte[] upstreamErrorBody() {
        return upstreamErrorBody;
    }

    /** The HTTP status Google's in-stream error names; 0 when there is none. */
    public int upstreamErrorStatus() {
        return upstreamErrorStatus;
    }

    /** True when the upstream error object itself already went to the client (it was past the first content). */
    public boolean errorForwarded() {
        return errorForwarded;
    }

    public long promptTokens() {
        return promptTokens;
    }

    public long totalTokens() {
        return totalTokens;
    }

    // ---- internals ----

    private void onPayload(byte[] payload, Consumer<byte[]> out) {
        if (closed || (upstreamError != null)) {
            return; // nothing after an error is trustworthy
        }
        String trimmed = new String(payload, StandardCharsets.UTF_8).strip();
        if (trimmed.isEmpty()) {
            return;
        }
        Object tree;
        try {
            tree = Json.parse(trimmed);
        } catch (JsonException e) {
            upstreamError = ApiError.upstreamFailed("Gemini sent an unreadable stream event: " + e.getMessage());
            return;
        }
        if (tree instanceof List<?> l && !l.isEmpty()) {
            tree = l.get(0); // Vertex wraps errors as [{"error":…}]
        }
        Map<String, Object> obj = Json.asObject(tree);
        if (obj == null) {
            upstreamError = ApiError.upstreamFailed("Gemini sent a stream event that is not a JSON object.");
            return;
        }
        if (obj.get("error") instanceof Map) {
            upstreamError = GeminiErrors.fromStatus(Json.obj(obj, "error"));
            upstreamErrorBody = Json.write(obj);
            upstreamErrorStatus = GeminiErrors.httpStatus(Json.obj(obj, "error"));
            if (committed) {
                errorForwarded = true;
                emit(frame(payload), out);
            }
            return;
        }
        GeminiResponse r = GeminiResponse.fromTree(obj);
        if (r.hasUsage()) {
            promptTokens = r.promptTokens();
            totalTokens = r.totalTokens();
        }
        byte[] f = frame(payload);
        if (!content && !r.isEmpty()) {
            content = true;
        }
        if (committed) {
            emit(f, out);
            return;
        }
        held.add(f);
        heldBytes += f.length;
        if (content || heldBytes > maxHeldBytes) {
            // Content: the answer is good, send what waited. Too much waiting: stop holding (no retry after this).
            committed = true;
            for (byte[] h : held) {
                out.accept(h);
            }
            held.clear();
            heldBytes = 0;
        }
    }

    /** SSE events must be one line; array elements keep their bytes (Google pretty-prints them). */
    private byte[] frame(byte[] payload) {
        byte[] json = KeyMask.scrub(payload);
        if (form == Form.SSE) {
            return concat(SSE_PREFIX, compact(json), SSE_END);
        }
        byte[] lead = opened ? ARRAY_SEP : ARRAY_OPEN;
        opened = true;
        return concat(lead, json, new byte[0]);
    }

    private void emit(byte[] frame, Consumer<byte[]> out) {
        committed = true;
        out.accept(frame);
    }

    private void close(Consumer<byte[]> out) {
        if (closed) {
            return;
        }
        closed = true;
        if (form == Form.JSON_ARRAY) {
            out.accept(opened ? ARRAY_CLOSE : new byte[] {'[', ']'});
        }
    }

    /**
     * For SSE, where an event's JSON must be one line: drops raw CR and LF bytes and the indentation after them. Both
     * can only be whitespace between tokens (inside a JSON string a line break is always escaped), so the document
     * means the same, byte for byte otherwise. JSON without line breaks is returned as it is.
     */
    static byte[] compact(byte[] json) {
        int i = 0;
        while (i < json.length && json[i] != '\n' && json[i] != '\r') {
            i++;
        }
        if (i == json.length) {
            return json;
        }
        ByteArrayOutputStream o = new ByteArrayOutputStream(json.length);
        boolean afterBreak = false;
        for (byte c : json) {
            if (c == '\n' || c == '\r') {
                afterBreak = true;
            } else if (afterBreak && (c == ' ' || c == '\t')) {
                continue;
            } else {
                afterBreak = false;
                o.write(c);
            }
        }
        return o.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b, byte[] c) {
        byte[] out = new byte[a.length + b.length + c.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        System.arraycopy(c, 0, out, a.length + b.length, c.length);
        return out;
    }
}
