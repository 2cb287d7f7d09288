package gemgate.core.translate;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Tool call ids that carry Gemini 3's {@code thoughtSignature}. Gemini 3 rejects a conversation whose
 * {@code functionCall} turn comes back without the signature it was sent with; OpenAI clients keep nothing but the
 * call id, and send it back verbatim on both the assistant's {@code tool_calls} and the {@code tool} message. So the
 * signature rides inside the id: {@code call_<16 hex>} alone, or {@code call_<16 hex>_ts_<base64url signature>}.
 * Stateless: survives restarts and works across proxy instances.
 */
public final class ToolCallIds {
    static final String PREFIX = "call_";
    static final String SIGNATURE_MARK = "_ts_";

    private ToolCallIds() {
    }

    /** A fresh, unique id; {@code thoughtSignature} (may be null or empty) is embedded when present. */
    public static String newId(String thoughtSignature) {
        String base = PREFIX + String.format("%016x", ThreadLocalRandom.current().nextLong());
        if (thoughtSignature == null || thoughtSignature.isEmpty()) {
            return base;
        }
        return base + SIGNATURE_MARK
                + Base64.getUrlEncoder().withoutPadding().encodeToString(thoughtSignature.getBytes(StandardCharsets.UTF_8));
    }

    /** The thought signature embedded in {@code id}, or null when there is none or the id is not one of ours. */
    public static String signatureOf(String id) {
        if (id == null || !id.startsWith(PREFIX)) {
            return null;
        }
        int at = id.indexOf(SIGNATURE_MARK, PREFIX.length());
        if (at < 0) {
            return null;
        }
        try {
            return new String(Base64.getUrlDecoder().decode(id.substring(at + SIGNATURE_MARK.length())),
                    StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null; // mangled by the client: send the call without a signature rather than fail
        }
    }
}
