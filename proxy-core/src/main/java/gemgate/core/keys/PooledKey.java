package gemgate.core.keys;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One Gemini key in the pool together with its health. The state fields are written by whichever event loop saw the
 * outcome and read lock-free by every other, so each is atomic or volatile on its own; a reader may see a mix of two
 * updates, which only ever costs one extra attempt. {@link #toString()} is the masked key: logging a PooledKey never
 * leaks the key.
 */
public final class PooledKey {
    private final String key;
    private final String masked;
    private final String fingerprint;
    final int index;

    volatile boolean invalid;
    /** Epoch millis until which the key rests after a 429; 0 when it never cooled. Only ever raised. */
    final AtomicLong coolingUntilMillis = new AtomicLong();
    final AtomicInteger consecutiveFailures = new AtomicInteger();
    final AtomicLong successes = new AtomicLong();
    final AtomicLong failures = new AtomicLong();
    volatile UpstreamFailure.Kind lastErrorKind;
    volatile String lastErrorMessage;

    PooledKey(String key, int index) {
        this.key = key;
        this.masked = KeyMask.mask(key);
        this.fingerprint = KeyMask.fingerprint(key);
        this.index = index;
    }

    /** The real key, for the upstream request only. */
    public String key() {
        return key;
    }

    public String masked() {
        return masked;
    }

    public String fingerprint() {
        return fingerprint;
    }

    boolean usableAt(long nowMillis) {
        return !invalid && coolingUntilMillis.get() <= nowMillis;
    }

    @Override
    public String toString() {
        return masked;
    }
}
