package gemgate.core.sse;

import java.nio.charset.StandardCharsets;

/**
 * Formats server-sent events for OpenAI clients. Every event is complete ("...\n\n"); the constants are shared, so
 * callers must not modify them.
 */
public final class Sse {
    /** A comment event: ignored by openai-node, the Vercel AI SDK and SillyTavern, but it keeps idle proxies awake. */
    public static final byte[] KEEPALIVE = ": keepalive\n\n".getBytes(StandardCharsets.US_ASCII);
    public static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

    private static final byte[] PREFIX = "data: ".getBytes(StandardCharsets.US_ASCII);

    private Sse() {}

    /** "data: " + json + "\n\n". The JSON must be one line (compact JSON always is) and non-empty. */
    public static byte[] data(byte[] json) {
        if (json == null || json.length == 0) {
            throw new IllegalArgumentException("an SSE data payload must be non-empty: empty data lines break OpenAI clients");
        }
        byte[] out = new byte[PREFIX.length + json.length + 2];
        System.arraycopy(PREFIX, 0, out, 0, PREFIX.length);
        System.arraycopy(json, 0, out, PREFIX.length, json.length);
        out[out.length - 2] = '\n';
        out[out.length - 1] = '\n';
        return out;
    }
}
