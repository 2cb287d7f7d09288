package gemgate.core.cache;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import gemgate.core.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * How a request becomes a {@link CacheKey}. The key is SHA-256 over, in this order, each part length-prefixed so no
 * two different inputs can run together into the same bytes:
 * <ol>
 *   <li>the scope: the client's identity, or {@code *} when answers may be shared across clients;</li>
 *   <li>the upstream model (the path segment, e.g. {@code gemini-2.5-flash});</li>
 *   <li>the upstream {@code generateContent} body, which already holds everything that changes the answer:
 *       {@code generationConfig}, {@code tools}, {@code toolConfig}, {@code systemInstruction},
 *       {@code safetySettings} and the conversation ({@code contents}).
 *       <ul>
 *         <li>precise ({@code PRECISE_CACHE=true}): the whole body, byte for byte;</li>
 *         <li>otherwise (hajimi's default): every top-level field except {@code contents} byte for byte, and of
 *             {@code contents} only the last {@code lastTurns} turns ({@code CALCULATE_CACHE_ENTRIES}). So a
 *             regenerate still matches after the client trimmed the oldest turns to fit its context, while a change
 *             to any parameter, the system prompt or a recent turn makes a different key. A turn is one entry of
 *             Gemini's {@code contents}: consecutive OpenAI messages of the same role are one turn, and leading
 *             system messages are not turns (they are the system instruction, always hashed whole).</li>
 *       </ul></li>
 * </ol>
 * Unlike hajimi's key (model plus the text of the last messages), temperature, max tokens, tools, the system prompt
 * and image bytes all count, so a request never gets an answer made for different parameters. A body that is not a
 * JSON object with a {@code contents} array is hashed whole.
 *
 * <p>Immutable and thread-safe; hashing runs in the caller's thread and allocates a digest per call.
 */
public final class CacheKeys {
    private static final byte[] DOMAIN = "gemgate-response-cache-v1".getBytes(StandardCharsets.US_ASCII);
    private static final String SHARED_SCOPE = "*";

    private final boolean precise;
    private final int lastTurns;
    private final boolean shareAcrossClients;

    /**
     * @param precise            hash every turn (PRECISE_CACHE)
     * @param lastTurns          turns hashed when not precise (CALCULATE_CACHE_ENTRIES), at least 1
     * @param shareAcrossClients ignore the client scope, so identical requests of different clients share answers
     */
    public CacheKeys(boolean precise, int lastTurns, boolean shareAcrossClients) {
        if (lastTurns < 1) {
            throw new IllegalArgumentException("lastTurns (CALCULATE_CACHE_ENTRIES) must be >= 1, got " + lastTurns);
        }
        this.precise = precise;
        this.lastTurns = lastTurns;
        this.shareAcrossClients = shareAcrossClients;
    }

    public boolean precise() {
        return precise;
    }

    public int lastTurns() {
        return lastTurns;
    }

    public boolean shareAcrossClients() {
        return shareAcrossClients;
    }

    /**
     * The key of one request.
     *
     * @param clientScope    who asked (e.g. {@code "ip:203.0.113.7"}); ignored when sharing across clients; null is
     *                       an unknown client, its own scope
     * @param upstreamModel  the model path segment
     * @param upstreamBody   the exact generateContent body that is (or would be) sent upstream
     */
    public CacheKey of(String clientScope, String upstreamModel, byte[] upstreamBody) {
        if (upstreamModel == null || upstreamBody == null) {
            throw new IllegalArgumentException("upstreamModel and upstreamBody are required");
        }
        byte[] scope = (shareAcrossClients ? SHARED_SCOPE : "client:" + (clientScope == null ? "?" : clientScope))
                .getBytes(StandardCharsets.UTF_8);
        byte[] model = upstreamModel.getBytes(StandardCharsets.UTF_8);
        MessageDigest d = start(scope, model);
        if (!precise) {
            if (hashTail(d, upstreamBody)) {
                return new CacheKey(d.digest());
            }
            d = start(scope, model); // the tail walk may have fed part of the body: start over, hash it whole
        }
        d.update((byte) 'P');
        update(d, upstreamBody);
        return new CacheKey(d.digest());
    }

    /**
     * Feeds every top-level field but {@code contents} as raw bytes, then the last {@link #lastTurns} turns of
     * {@code contents}. Works on byte offsets from the streaming parser, so nothing of the body is copied or turned
     * into strings (images travel base64 inside the turns). False when the body is not shaped as expected (then the
     * caller hashes it whole).
     */
    private boolean hashTail(MessageDigest d, byte[] body) {
        d.update((byte) 'T');
        List<int[]> turns = null;
        try (JsonParser p = Json.factory().createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if ("contents".equals(name)) {
                    if (v != JsonToken.START_ARRAY || turns != null) {
                        return false;
                    }
                    turns = new ArrayList<>();
                    JsonToken e;
                    while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
                        if (e != JsonToken.START_OBJECT) {
                            return false; // a turn is an object; anything else is not a body we wrote
                        }
                        turns.add(containerRange(p, body));
                    }
                    continue;
                }
                d.update((byte) 'F');
                update(d, name.getBytes(StandardCharsets.UTF_8));
                if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) {
                    int[] r = containerRange(p, body);
                    updateRange(d, body, r[0], r[1]);
                } else {
                    // A scalar: its kind and text as parsed (exact for the output of our own serializer).
                    update(d, (v.name() + ':' + p.getText()).getBytes(StandardCharsets.UTF_8));
                }
            }
            if (t != JsonToken.END_OBJECT || turns == null || p.nextToken() != null) {
                return false;
            }
        } catch (IOException | RuntimeException malformed) {
            return false;
        }
        int from = Math.max(0, turns.size() - lastTurns);
        d.update((byte) 'C');
        for (int i = from; i < turns.size(); i++) {
            int[] r = turns.get(i);
            updateRange(d, body, r[0], r[1]);
        }
        return true;
    }

    /**
     * The byte range [start, end) of the object or array whose start token the parser is on, leaving the parser on
     * its end token. After skipChildren the whole value has been read, so the current offset is just past it.
     */
    private static int[] containerRange(JsonParser p, byte[] body) throws IOException {
        long start = p.currentTokenLocation().getByteOffset();
        p.skipChildren();
        long end = p.currentLocation().getByteOffset();
        if (start < 0 || end > body.length || end <= start) {
            throw new IOException("the parser gave no usable byte offsets");
        }
        return new int[] {(int) start, (int) end};
    }

    private static void updateRange(MessageDigest d, byte[] body, int start, int end) {
        updateLength(d, end - start);
        d.update(body, start, end - start);
    }

    private static void update(MessageDigest d, byte[] bytes) {
        updateLength(d, bytes.length);
        d.update(bytes);
    }

    private static void updateLength(MessageDigest d, int len) {
        d.update((byte) (len >>> 24));
        d.update((byte) (len >>> 16));
        d.update((byte) (len >>> 8));
        d.update((byte) len);
    }

    private static MessageDigest start(byte[] scope, byte[] model) {
        MessageDigest d = sha256();
        update(d, DOMAIN);
        update(d, scope);
        update(d, model);
        return d;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
