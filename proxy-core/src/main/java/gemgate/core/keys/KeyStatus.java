package gemgate.core.keys;

import java.time.Instant;

/**
 * A read-only view of one key for the dashboard and logs: never the key itself. {@code coolingUntil} is null unless
 * the state is {@link State#COOLING}; {@code lastErrorKind} and {@code lastError} are null until the first failure.
 */
public record KeyStatus(
        String masked,
        String fingerprint,
        State state,
        Instant coolingUntil,
        int consecutiveFailures,
        long successes,
        long failures,
        UpstreamFailure.Kind lastErrorKind,
        String lastError) {

    public enum State { ACTIVE, COOLING, INVALID }
}
