package gemgate.core.sse;

import gemgate.core.error.ApiError;
import gemgate.core.error.ApiException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Incremental, size-capped SSE parser (the WHATWG event-stream rules, as far as data is concerned). Accepts {@code \n},
 * {@code \r\n} and {@code \r} line ends and any split of the input, including splits inside a multi-byte UTF-8
 * character (lines are decoded only once complete). Multi-line data is joined with {@code \n}; comments, {@code event},
 * {@code id} and {@code retry} are ignored; one leading space after {@code data:} is stripped.
 *
 * <p>Lines that are not SSE at all (Gemini appends a bare pretty-printed JSON error body after its events when a stream
 * fails) are collected, up to the same cap, and available from {@link #strayText()}.
 *
 * <p>Not thread-safe: one instance per upstream stream.
 */
public final class SseParser {
    private final int maxEventBytes;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    private final StringBuilder data = new StringBuilder();
    private final StringBuilder stray = new StringBuilder();
    private boolean hasData;
    private boolean afterCr;
    private long eventBytes;

    public SseParser(int maxEventBytes) {
        if (maxEventBytes < 16) {
            throw new IllegalArgumentException("maxEventBytes must be at least 16, got " + maxEventBytes);
        }
        this.maxEventBytes = maxEventBytes;
    }

    /** Feeds bytes; calls onData with the data of every event completed by them. Throws ApiException (502) when one
     *  event grows past maxEventBytes. */
    public void feed(byte[] b, int off, int len, Consumer<String> onData) {
        if (off < 0 || len < 0 || off + len > b.length) {
            throw new IndexOutOfBoundsException("off " + off + " len " + len + " for an array of " + b.length);
        }
        int lineStart = off;
        int end = off + len;
        for (int i = off; i < end; i++) {
            byte c = b[i];
            if (c == '\n' && afterCr) {
                // the \n of a \r\n pair whose \r ended the line already
                afterCr = false;
                lineStart = i + 1;
                continue;
            }
            afterCr = false;
            if (c == '\r' || c == '\n') {
                append(b, lineStart, i - lineStart);
                eventBytes += line.size() + 1;
                checkSize(eventBytes);
                lineDone(onData);
                afterCr = c == '\r';
                lineStart = i + 1;
            }
        }
        append(b, lineStart, end - lineStart);
    }

    /** The input ended: treats an unterminated last line as complete and dispatches a pending event. */
    public void end(Consumer<String> onData) {
        if (line.size() > 0) {
            lineDone(onData);
        }
        dispatch(onData);
        afterCr = false;
    }

    /** Lines that were not SSE fields (e.g. a bare JSON error body after the events), each followed by \n. Capped at
     *  maxEventBytes; empty when there were none. */
    public String strayText() {
        return stray.toString();
    }

    private void append(byte[] b, int off, int len) {
        if (len > 0) {
            checkSize(eventBytes + line.size() + len);
            line.write(b, off, len);
        }
    }

    private void checkSize(long size) {
        if (size > maxEventBytes) {
            throw new ApiException(ApiError.upstreamFailed(
                    "Gemini sent a stream event larger than " + maxEventBytes + " bytes (the SSE event size limit)."));
        }
    }

    private void lineDone(Consumer<String> onData) {
        String text = line.toString(StandardCharsets.UTF_8);
        line.reset();
        if (text.isEmpty()) {
            dispatch(onData);
            return;
        }
        if (text.charAt(0) == ':') {
            return;
        }
        int colon = text.indexOf(':');
        String field = colon < 0 ? text : text.substring(0, colon);
        switch (field) {
            case "data" -> {
                String value = colon < 0 ? "" : text.substring(colon + 1);
                if (value.startsWith(" ")) {
                    value = value.substring(1);
                }
                if (hasData) {
                    data.append('\n');
                }
                data.append(value);
                hasData = true;
            }
            case "event", "id", "retry" -> {
                // not needed: Gemini sends only data fields
            }
            default -> {
                if (stray.length() + text.length() < maxEventBytes) {
                    stray.append(text).append('\n');
                }
            }
        }
    }

    private void dispatch(Consumer<String> onData) {
        eventBytes = 0;
        if (!hasData) {
            return;
        }
        String payload = data.toString();
        data.setLength(0);
        hasData = false;
        onData.accept(payload);
    }
}
