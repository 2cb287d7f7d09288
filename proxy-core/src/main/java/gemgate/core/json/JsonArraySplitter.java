package gemgate.core.json;

import gemgate.core.error.ApiError;
import gemgate.core.error.ApiException;
import java.io.ByteArrayOutputStream;
import java.util.function.Consumer;

/**
 * Incremental, size-capped splitter of a streamed JSON array ({@code :streamGenerateContent} without {@code alt=sse}:
 * {@code [{…}\n,\n{…}\n]}) into the exact bytes of each element, whatever the input's split points (a split inside a
 * string, an escape or a multi-byte character is fine: only ASCII structure bytes are looked at). Elements must be
 * objects or arrays, as Gemini's are. A body that does not start with {@code [} (a bare {@code {"error":…}} object)
 * is collected, up to the cap, as {@link #strayText()}.
 *
 * <p>Not thread-safe: one instance per upstream stream.
 */
public final class JsonArraySplitter {
    private enum State { BEFORE_ARRAY, EXPECT_VALUE, IN_ELEMENT, AFTER_ELEMENT, DONE, STRAY, MALFORMED }

    private final int maxElementBytes;
    private final ByteArrayOutputStream element = new ByteArrayOutputStream(1024);
    private final ByteArrayOutputStream stray = new ByteArrayOutputStream(0);
    private State state = State.BEFORE_ARRAY;
    private int depth;
    private boolean inString;
    private boolean escaped;
    private String malformed;

    public JsonArraySplitter(int maxElementBytes) {
        if (maxElementBytes < 16) {
            throw new IllegalArgumentException("maxElementBytes must be at least 16, got " + maxElementBytes);
        }
        this.maxElementBytes = maxElementBytes;
    }

    /**
     * Feeds bytes; calls {@code onElement} with the bytes of every element they complete. Throws ApiException (502)
     * when one element grows past the cap.
     */
    public void feed(byte[] b, int off, int len, Consumer<byte[]> onElement) {
        if (off < 0 || len < 0 || off + len > b.length) {
            throw new IndexOutOfBoundsException("off " + off + " len " + len + " for an array of " + b.length);
        }
        int end = off + len;
        int elementStart = -1;
        for (int i = off; i < end; i++) {
            byte c = b[i];
            switch (state) {
                case BEFORE_ARRAY -> {
                    if (c == '[') {
                        state = State.EXPECT_VALUE;
                    } else if (!whitespace(c)) {
                        state = State.STRAY;
                        addStray(b, i, end - i);
                        return;
                    }
                }
                case EXPECT_VALUE -> {
                    if (c == '{' || c == '[') {
                        state = State.IN_ELEMENT;
                        depth = 1;
                        inString = false;
                        escaped = false;
                        elementStart = i;
                    } else if (c == ']') {
                        state = State.DONE; // "[]", or a trailing comma Gemini never sends; both end the array
                    } else if (!whitespace(c)) {
                        fail("expected an object in the streamed array, found '" + (char) c + "'");
                        return;
                    }
                }
                case IN_ELEMENT -> {
                    if (elementStart < 0) {
                        elementStart = i; // an element continued from an earlier feed
                    }
                    if (inString) {
                        if (escaped) {
                            escaped = false;
                        } else if (c == '\\') {
                            escaped = true;
                        } else if (c == '"') {
                            inString = false;
                        }
                    } else if (c == '"') {
                        inString = true;
                    } else if (c == '{' || c == '[') {
                        depth++;
                    } else if (c == '}' || c == ']') {
                        if (--depth == 0) {
                            append(b, elementStart, i + 1 - elementStart);
                            elementStart = -1;
                            state = State.AFTER_ELEMENT;
                            byte[] done = element.toByteArray();
                            element.reset();
                            onElement.accept(done);
                        }
                    }
                }
                case AFTER_ELEMENT -> {
                    if (c == ',') {
                        state = State.EXPECT_VALUE;
                    } else if (c == ']') {
                        state = State.DONE;
                    } else if (!whitespace(c)) {
                        fail("expected ',' or ']' after an element of the streamed array, found '" + (char) c + "'");
                        return;
                    }
                }
                case DONE, MALFORMED -> {
                    return; // nothing after the closing bracket (or a structural error) is looked at
                }
                case STRAY -> {
                    addStray(b, i, end - i);
                    return;
                }
                default -> throw new IllegalStateException("unknown state " + state);
            }
        }
        if (state == State.IN_ELEMENT && elementStart >= 0) {
            append(b, elementStart, end - elementStart);
        }
    }

    /** True once the closing bracket of the array was seen. */
    public boolean complete() {
        return state == State.DONE;
    }

    /** True while an element has started but not ended (the stream was cut inside it). */
    public boolean insideElement() {
        return state == State.IN_ELEMENT;
    }

    /** Non-null when the bytes were not a JSON array of objects; says what was wrong. */
    public String malformed() {
        return malformed;
    }

    /** The body when it was not an array at all (Gemini's bare error object), capped; empty otherwise. */
    public String strayText() {
        return stray.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    private void append(byte[] b, int off, int len) {
        if (element.size() + (long) len > maxElementBytes) {
            throw new ApiException(ApiError.upstreamFailed(
                    "Gemini sent a stream element larger than " + maxElementBytes + " bytes (the stream event size limit)."));
        }
        element.write(b, off, len);
    }

    private void addStray(byte[] b, int off, int len) {
        int room = maxElementBytes - stray.size();
        if (room > 0) {
            stray.write(b, off, Math.min(room, len));
        }
    }

    private void fail(String why) {
        state = State.MALFORMED;
        malformed = why;
        element.reset();
    }

    private static boolean whitespace(byte c) {
        return c == ' ' || c == '\n' || c == '\r' || c == '\t';
    }
}
