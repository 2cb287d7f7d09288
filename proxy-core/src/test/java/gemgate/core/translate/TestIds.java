package gemgate.core.translate;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.function.Function;

/**
 * Deterministic tool call ids in {@link ToolCallIds}'s format (call_&lt;16 hex&gt;[_ts_&lt;base64url signature&gt;]),
 * numbered from 1, so translator output can be compared byte for byte. One instance per translation.
 */
final class TestIds implements Function<String, String> {
    private long next = 1;

    @Override
    public String apply(String signature) {
        String base = ToolCallIds.PREFIX + String.format("%016x", next++);
        return signature == null || signature.isEmpty() ? base : base + ToolCallIds.SIGNATURE_MARK
                + Base64.getUrlEncoder().withoutPadding().encodeToString(signature.getBytes(StandardCharsets.UTF_8));
    }
}
