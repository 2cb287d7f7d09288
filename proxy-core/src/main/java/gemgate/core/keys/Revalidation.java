package gemgate.core.keys;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life of an invalid key: taken out of rotation when Google rejects it, re-checked after
 * {@link KeyPool.Options#revalidateAfter()} with the wait doubling after each failed check up to
 * {@link KeyPool.Options#revalidateMax()}, and back in rotation once a check finds it valid. Works on the key's own
 * fields; telling the change listener is the pool's job.
 */
final class Revalidation {
    /** The pool's logger: key events keep one logger name whichever class reports them. */
    private static final Logger log = LoggerFactory.getLogger(KeyPool.class);

    private final KeyPool.Options options;

    Revalidation(KeyPool.Options options) {
        this.options = options;
    }

    /** Takes {@code key} out of rotation, first re-check after revalidateAfter. Nothing when it is already invalid. */
    void markInvalid(PooledKey key, long now, UpstreamFailure failure) {
        if (key.invalid) {
            return;
        }
        long backoff = options.revalidateAfter().toMillis();
        key.checkBackoffMillis = backoff;
        key.nextCheckMillis = now + backoff;
        key.invalidSinceMillis = now;
        key.invalid = true;
        log.warn("Gemini key {} ({}) taken out of rotation: HTTP {} {}", key.masked(), key.fingerprint(),
                failure.httpStatus(), failure.message());
    }

    /** Invalid keys (not disabled) of {@code arr} whose re-check is due at {@code now}. */
    static List<PooledKey> due(PooledKey[] arr, long now) {
        List<PooledKey> due = new ArrayList<>();
        for (PooledKey k : arr) {
            if (k.invalid && !k.disabled && k.nextCheckMillis <= now) {
                due.add(k);
            }
        }
        return due;
    }

    /**
     * Applies the result of a re-check of {@code key} at {@code now} (see {@link KeyPool#onValidation}).
     *
     * @return whether state the pool persists changed
     */
    boolean onValidation(PooledKey key, UpstreamFailure failure, long now) {
        key.lastValidatedMillis = now;
        UpstreamFailure.Kind kind = failure == null ? null : failure.kind();
        if (kind == null || kind == UpstreamFailure.Kind.RATE_LIMITED) {
            if (key.invalid) {
                key.invalid = false;
                key.invalidSinceMillis = 0;
                key.nextCheckMillis = 0;
                key.checkBackoffMillis = 0;
                key.all.consecutiveFailures.set(0);
                log.info("Gemini key {} ({}) is valid again: back in rotation", key.masked(), key.fingerprint());
                return true;
            }
            return false;
        }
        if (kind == UpstreamFailure.Kind.KEY_INVALID) {
            if (!key.invalid) {
                key.all.recordFailure(failure, now);
                markInvalid(key, now, failure);
            } else {
                long next = Math.min(options.revalidateMax().toMillis(),
                        Math.max(options.revalidateAfter().toMillis(), key.checkBackoffMillis * 2));
                key.checkBackoffMillis = next;
                key.nextCheckMillis = now + next;
                key.all.lastError = failure.message();
                key.all.lastErrorKind = kind;
            }
            return true;
        }
        if (key.invalid) {
            key.nextCheckMillis = now + Math.max(key.checkBackoffMillis, options.revalidateAfter().toMillis());
            return true;
        }
        return false;
    }
}
