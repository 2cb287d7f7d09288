package gemgate.server.emulator;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * How the {@link GeminiEmulator} answers a request. Immutable: static factories pick the outcome, withers tune the
 * answer (text, timing, chunking, mid-stream reset, model version) and return a new instance.
 *
 * <p>Error outcomes answer every authenticated route (models, generate, countTokens, embed) because real Gemini
 * rejects a bad key or an exhausted quota everywhere; success outcomes only change generate answers. A
 * {@link #sequence} advances once per generate call made with the key; withers on a sequence apply to every step.
 */
public final class Behavior {
    /** What kind of answer; package-private so the emulator can switch on it. */
    enum Kind {
        OK, THINKING, EMPTY, NO_CANDIDATES, PROMPT_BLOCKED, SAFETY_FINISH,
        INVALID_KEY, PERMISSION_DENIED, QUOTA_EXCEEDED, SERVER_ERROR, BAD_REQUEST, SEQUENCE;

        boolean isError() {
            return ordinal() >= INVALID_KEY.ordinal() && this != SEQUENCE;
        }

        /** Errors about the caller's key: Google checks these before it looks at the body or the model. */
        boolean isKeyError() {
            return this == INVALID_KEY || this == PERMISSION_DENIED;
        }
    }

    /** Three events, as in the recorded short streaming reply. */
    static final int DEFAULT_CHUNKS = 3;
    private static final Pattern RETRY_DELAY = Pattern.compile("\\d+(\\.\\d+)?s");

    final Kind kind;
    final String text;
    final Duration delay;
    final int chunks;
    final Duration spacing;
    /** Events written before the connection is closed mid-stream; -1 = never. */
    final int resetAfterChunks;
    final String modelVersion;
    final String retryDelay;
    final boolean perDay;
    final int status;
    final String message;
    final List<Behavior> steps;

    private Behavior(Kind kind, String text, Duration delay, int chunks, Duration spacing, int resetAfterChunks,
            String modelVersion, String retryDelay, boolean perDay, int status, String message, List<Behavior> steps) {
        this.kind = kind;
        this.text = text;
        this.delay = delay;
        this.chunks = chunks;
        this.spacing = spacing;
        this.resetAfterChunks = resetAfterChunks;
        this.modelVersion = modelVersion;
        this.retryDelay = retryDelay;
        this.perDay = perDay;
        this.status = status;
        this.message = message;
        this.steps = steps;
    }

    private static Behavior of(Kind kind) {
        return new Behavior(kind, null, Duration.ZERO, DEFAULT_CHUNKS, Duration.ZERO, -1, null, null, false, 200, null, List.of());
    }

    /** A normal answer: text derived from the prompt unless {@link #withText} is set, finishReason STOP. */
    public static Behavior ok() {
        return of(Kind.OK);
    }

    /** A thought-summary part ({@code "thought": true}) before the answer, and thoughtsTokenCount in usage. */
    public static Behavior thinking() {
        return of(Kind.THINKING);
    }

    /** 200 with one candidate whose content has no parts (an "empty answer"). */
    public static Behavior empty() {
        return of(Kind.EMPTY);
    }

    /** 200 with usageMetadata but no candidates and no promptFeedback. */
    public static Behavior noCandidates() {
        return of(Kind.NO_CANDIDATES);
    }

    /** 200 with promptFeedback.blockReason SAFETY and no candidates. */
    public static Behavior promptBlocked() {
        return of(Kind.PROMPT_BLOCKED);
    }

    /** The answer text, ending with finishReason SAFETY. */
    public static Behavior safetyFinish() {
        return of(Kind.SAFETY_FINISH);
    }

    /** 400 INVALID_ARGUMENT, ErrorInfo reason API_KEY_INVALID. */
    public static Behavior invalidKey() {
        return of(Kind.INVALID_KEY);
    }

    /** 403 PERMISSION_DENIED, ErrorInfo reason SERVICE_DISABLED. */
    public static Behavior permissionDenied() {
        return of(Kind.PERMISSION_DENIED);
    }

    /**
     * 429 RESOURCE_EXHAUSTED with a QuotaFailure (per-minute or per-day quotaId) and RetryInfo.
     *
     * @param retryDelay Google's duration text, digits with optional fraction then {@code s}, e.g. {@code "34s"}
     */
    public static Behavior quotaExceeded(String retryDelay, boolean perDay) {
        if (retryDelay == null || !RETRY_DELAY.matcher(retryDelay).matches()) {
            throw new IllegalArgumentException("retryDelay must look like \"34s\" or \"34.4s\", got " + retryDelay);
        }
        return new Behavior(Kind.QUOTA_EXCEEDED, null, Duration.ZERO, DEFAULT_CHUNKS, Duration.ZERO, -1, null, retryDelay, perDay,
                429, null, List.of());
    }

    /** A 5xx: 500 INTERNAL, 503 UNAVAILABLE "The model is overloaded...", 504 DEADLINE_EXCEEDED, others INTERNAL. */
    public static Behavior serverError(int status) {
        if (status < 500 || status > 599) {
            throw new IllegalArgumentException("serverError needs a 5xx status, got " + status);
        }
        return new Behavior(Kind.SERVER_ERROR, null, Duration.ZERO, DEFAULT_CHUNKS, Duration.ZERO, -1, null, null, false,
                status, null, List.of());
    }

    /** 400 INVALID_ARGUMENT without details: a client error that is not about the key. */
    public static Behavior badRequest(String message) {
        Objects.requireNonNull(message, "badRequest needs a message");
        return new Behavior(Kind.BAD_REQUEST, null, Duration.ZERO, DEFAULT_CHUNKS, Duration.ZERO, -1, null, null, false,
                400, message, List.of());
    }

    /** The n-th generate call with the key uses {@code steps[n]}; the last step repeats. Steps may not be sequences. */
    public static Behavior sequence(Behavior... steps) {
        if (steps == null || steps.length == 0) {
            throw new IllegalArgumentException("sequence needs at least one step");
        }
        for (Behavior s : steps) {
            Objects.requireNonNull(s, "sequence steps must not be null");
            if (s.kind == Kind.SEQUENCE) {
                throw new IllegalArgumentException("sequence steps must not be sequences themselves");
            }
        }
        return new Behavior(Kind.SEQUENCE, null, Duration.ZERO, DEFAULT_CHUNKS, Duration.ZERO, -1, null, null, false,
                200, null, List.of(steps));
    }

    public Behavior withText(String text) {
        Objects.requireNonNull(text, "text");
        return map(b -> new Behavior(b.kind, text, b.delay, b.chunks, b.spacing, b.resetAfterChunks, b.modelVersion,
                b.retryDelay, b.perDay, b.status, b.message, b.steps));
    }

    /** Waits this long before sending anything, headers included (scheduled on the event loop). */
    public Behavior withDelay(Duration firstByte) {
        if (firstByte == null || firstByte.isNegative()) {
            throw new IllegalArgumentException("delay must be >= 0, got " + firstByte);
        }
        return map(b -> new Behavior(b.kind, b.text, firstByte, b.chunks, b.spacing, b.resetAfterChunks, b.modelVersion,
                b.retryDelay, b.perDay, b.status, b.message, b.steps));
    }

    /** Streaming: the answer text is split into {@code count} events, {@code spacing} apart. */
    public Behavior withChunks(int count, Duration spacing) {
        if (count < 1 || spacing == null || spacing.isNegative()) {
            throw new IllegalArgumentException("withChunks needs count >= 1 and spacing >= 0, got " + count + ", " + spacing);
        }
        return map(b -> new Behavior(b.kind, b.text, b.delay, count, spacing, b.resetAfterChunks, b.modelVersion,
                b.retryDelay, b.perDay, b.status, b.message, b.steps));
    }

    /** Streaming: after this many events the connection is closed without the end of the chunked body. */
    public Behavior withResetAfterChunks(int chunks) {
        if (chunks < 0) {
            throw new IllegalArgumentException("resetAfterChunks must be >= 0, got " + chunks);
        }
        return map(b -> new Behavior(b.kind, b.text, b.delay, b.chunks, b.spacing, chunks, b.modelVersion,
                b.retryDelay, b.perDay, b.status, b.message, b.steps));
    }

    /** The {@code modelVersion} field; by default the model named in the request path. */
    public Behavior withModelVersion(String v) {
        Objects.requireNonNull(v, "modelVersion");
        return map(b -> new Behavior(b.kind, b.text, b.delay, b.chunks, b.spacing, b.resetAfterChunks, v,
                b.retryDelay, b.perDay, b.status, b.message, b.steps));
    }

    private Behavior map(UnaryOperator<Behavior> f) {
        if (kind != Kind.SEQUENCE) {
            return f.apply(this);
        }
        return new Behavior(Kind.SEQUENCE, text, delay, chunks, spacing, resetAfterChunks, modelVersion, retryDelay,
                perDay, status, message, steps.stream().map(f).toList());
    }

    /** The step for the call with this zero-based index (itself when not a sequence). */
    Behavior step(int callIndex) {
        if (kind != Kind.SEQUENCE) {
            return this;
        }
        return steps.get(Math.max(0, Math.min(callIndex, steps.size() - 1)));
    }

    @Override
    public String toString() {
        if (kind == Kind.SEQUENCE) {
            return "sequence" + steps;
        }
        StringBuilder sb = new StringBuilder(kind.name().toLowerCase(java.util.Locale.ROOT));
        if (kind == Kind.SERVER_ERROR || kind == Kind.QUOTA_EXCEEDED) {
            sb.append('(').append(status).append(retryDelay == null ? "" : "," + retryDelay + (perDay ? ",day" : ",minute")).append(')');
        }
        if (!delay.isZero()) {
            sb.append(" delay=").append(delay.toMillis()).append("ms");
        }
        if (chunks != DEFAULT_CHUNKS || !spacing.isZero()) {
            sb.append(" chunks=").append(chunks).append('/').append(spacing.toMillis()).append("ms");
        }
        if (resetAfterChunks >= 0) {
            sb.append(" resetAfter=").append(resetAfterChunks);
        }
        return sb.toString();
    }
}
