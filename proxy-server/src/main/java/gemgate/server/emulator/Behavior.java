package gemgate.server.emulator;

import gemgate.core.json.Json;
import gemgate.core.json.JsonException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * How the {@link GeminiEmulator} answers a request. Immutable: static factories pick the outcome, withers tune the
 * answer (text, timing, chunking, mid-stream reset, model version, thought signature, thoughts, extra function calls)
 * and return a new instance.
 *
 * <p>Error outcomes answer every authenticated route (models, generate, countTokens, embed) because real Gemini
 * rejects a bad key or an exhausted quota everywhere; success outcomes only change generate answers. A
 * {@link #sequence} advances once per generate call made with the key; withers on a sequence apply to every step.
 *
 * <p>Whatever the behaviour, a generate request that Google would refuse is refused first, as Google does: a
 * thinkingConfig for a model that does not think, a Gemini 3 function call replayed without its thoughtSignature, a
 * function response that does not follow its call turn (see {@code RequestChecks}). A request asking for
 * {@code candidateCount} > 1 gets that many candidates (candidate n's answer text ends with {@code " #n"}).
 */
public final class Behavior {
    /** What kind of answer; package-private so the emulator can switch on it. */
    enum Kind {
        OK, THINKING, EMPTY, NO_CANDIDATES, PROMPT_BLOCKED, SAFETY_FINISH, FUNCTION_CALL, GROUNDED,
        INVALID_KEY, PERMISSION_DENIED, QUOTA_EXCEEDED, SERVER_ERROR, BAD_REQUEST, SEQUENCE;

        boolean isError() {
            return ordinal() >= INVALID_KEY.ordinal() && this != SEQUENCE;
        }

        /** Errors about the caller's key: Google checks these before it looks at the body or the model. */
        boolean isKeyError() {
            return this == INVALID_KEY || this == PERMISSION_DENIED;
        }
    }

    /** One function call of a {@link #functionCall} answer: the name and its arguments as a JSON tree. */
    record Call(String name, Map<String, Object> args) {}

    /** Three events, as in the recorded short streaming reply. */
    static final int DEFAULT_CHUNKS = 3;
    private static final Pattern RETRY_DELAY = Pattern.compile("\\d+(\\.\\d+)?s");

    // Set only while a new instance is built (factories and withers work on fresh copies), so instances never change.
    Kind kind;
    String text;
    Duration delay = Duration.ZERO;
    int chunks = DEFAULT_CHUNKS;
    Duration spacing = Duration.ZERO;
    /** Events written before the connection is closed mid-stream; -1 = never. */
    int resetAfterChunks = -1;
    String modelVersion;
    String retryDelay;
    boolean perDay;
    int status = 200;
    String message;
    List<Behavior> steps = List.of();
    /** FUNCTION_CALL: the calls, in order. */
    List<Call> calls = List.of();
    /** The thoughtSignature to send; null = the emulator's default (Gemini 3 function calls only). */
    String thoughtSignature;
    /** A thought-summary part before the answer; null = none (THINKING uses a text derived from the prompt). */
    String thought;

    private Behavior(Kind kind) {
        this.kind = kind;
    }

    private Behavior copy() {
        Behavior b = new Behavior(kind);
        b.text = text;
        b.delay = delay;
        b.chunks = chunks;
        b.spacing = spacing;
        b.resetAfterChunks = resetAfterChunks;
        b.modelVersion = modelVersion;
        b.retryDelay = retryDelay;
        b.perDay = perDay;
        b.status = status;
        b.message = message;
        b.steps = steps;
        b.calls = calls;
        b.thoughtSignature = thoughtSignature;
        b.thought = thought;
        return b;
    }

    private static Behavior of(Kind kind) {
        return new Behavior(kind);
    }

    /** A normal answer: text derived from the prompt unless {@link #withText} is set, finishReason STOP. */
    public static Behavior ok() {
        return of(Kind.OK);
    }

    /** A thought-summary part ({@code "thought": true}) before the answer, and thoughtsTokenCount in usage. */
    public static Behavior thinking() {
        return of(Kind.THINKING);
    }

    /**
     * A {@code functionCall} part (shaped after the recorded vercel google-tool-call-gemini3 answer: finishReason STOP
     * with "Model generated function call(s).", or in a stream one event per call then an empty text part with the
     * finishReason). On a Gemini 3 model the first call carries a thoughtSignature, as Google always sends one there:
     * the recorded one unless {@link #withThoughtSignature} sets another (which also adds it on older models).
     * Parallel calls: {@link #andFunctionCall}.
     *
     * @param argsJson the arguments as a JSON object text, e.g. {@code {"city":"Paris"}}
     */
    public static Behavior functionCall(String name, String argsJson) {
        Behavior b = of(Kind.FUNCTION_CALL);
        b.calls = List.of(call(name, argsJson));
        return b;
    }

    /**
     * An answer grounded with Google Search, shaped after the recorded groundingMetadata answer (groundingChunks with
     * web sources, webSearchQueries, searchEntryPoint; groundingSupports only with the recorded text). Like Google,
     * it is grounded only when the request enables the {@code googleSearch} tool; otherwise it is a plain answer.
     * The text is the recorded one unless {@link #withText} is set.
     */
    public static Behavior grounded() {
        return of(Kind.GROUNDED);
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
        Behavior b = of(Kind.QUOTA_EXCEEDED);
        b.retryDelay = retryDelay;
        b.perDay = perDay;
        b.status = 429;
        return b;
    }

    /** A 5xx: 500 INTERNAL, 503 UNAVAILABLE "The model is overloaded...", 504 DEADLINE_EXCEEDED, others INTERNAL. */
    public static Behavior serverError(int status) {
        if (status < 500 || status > 599) {
            throw new IllegalArgumentException("serverError needs a 5xx status, got " + status);
        }
        Behavior b = of(Kind.SERVER_ERROR);
        b.status = status;
        return b;
    }

    /** 400 INVALID_ARGUMENT without details: a client error that is not about the key. */
    public static Behavior badRequest(String message) {
        Objects.requireNonNull(message, "badRequest needs a message");
        Behavior b = of(Kind.BAD_REQUEST);
        b.status = 400;
        b.message = message;
        return b;
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
        Behavior b = of(Kind.SEQUENCE);
        b.steps = List.of(steps);
        return b;
    }

    public Behavior withText(String text) {
        Objects.requireNonNull(text, "text");
        return with(b -> b.text = text);
    }

    /** Waits this long before sending anything, headers included (scheduled on the event loop). */
    public Behavior withDelay(Duration firstByte) {
        if (firstByte == null || firstByte.isNegative()) {
            throw new IllegalArgumentException("delay must be >= 0, got " + firstByte);
        }
        return with(b -> b.delay = firstByte);
    }

    /** Streaming: the answer text is split into {@code count} events, {@code spacing} apart. */
    public Behavior withChunks(int count, Duration spacing) {
        if (count < 1 || spacing == null || spacing.isNegative()) {
            throw new IllegalArgumentException("withChunks needs count >= 1 and spacing >= 0, got " + count + ", " + spacing);
        }
        return with(b -> {
            b.chunks = count;
            b.spacing = spacing;
        });
    }

    /** Streaming: after this many events the connection is closed without the end of the chunked body. */
    public Behavior withResetAfterChunks(int chunks) {
        if (chunks < 0) {
            throw new IllegalArgumentException("resetAfterChunks must be >= 0, got " + chunks);
        }
        return with(b -> b.resetAfterChunks = chunks);
    }

    /** The {@code modelVersion} field; by default the model named in the request path. */
    public Behavior withModelVersion(String v) {
        Objects.requireNonNull(v, "modelVersion");
        return with(b -> b.modelVersion = v);
    }

    /**
     * The thoughtSignature Gemini attaches: on the first function call of a {@link #functionCall} answer (any model),
     * or on the last answer part of a text answer (as recorded in vercel google-reasoning-gemini3.json).
     */
    public Behavior withThoughtSignature(String signature) {
        if (signature == null || signature.isEmpty()) {
            throw new IllegalArgumentException("thoughtSignature must be non-empty");
        }
        return with(b -> b.thoughtSignature = signature);
    }

    /** A thought-summary part with this text before the answer (THINKING and FUNCTION_CALL answers). */
    public Behavior withThought(String thoughtSummary) {
        Objects.requireNonNull(thoughtSummary, "thoughtSummary");
        return with(b -> {
            if (b.kind != Kind.THINKING && b.kind != Kind.FUNCTION_CALL) {
                throw new IllegalArgumentException("withThought applies to thinking() and functionCall(), not " + b.kind);
            }
            b.thought = thoughtSummary;
        });
    }

    /** One more call in the same answer (parallel function calls); only on a {@link #functionCall} behaviour. */
    public Behavior andFunctionCall(String name, String argsJson) {
        Call c = call(name, argsJson);
        return with(b -> {
            if (b.kind != Kind.FUNCTION_CALL) {
                throw new IllegalArgumentException("andFunctionCall applies to functionCall(), not " + b.kind);
            }
            List<Call> all = new ArrayList<>(b.calls);
            all.add(c);
            b.calls = List.copyOf(all);
        });
    }

    private static Call call(String name, String argsJson) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a function call needs a name");
        }
        try {
            return new Call(name, Json.parseObject(argsJson.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (JsonException | NullPointerException e) {
            throw new IllegalArgumentException("function call arguments must be a JSON object, got " + argsJson, e);
        }
    }

    /** A changed copy of this behaviour, or of every step of a sequence. */
    private Behavior with(Consumer<Behavior> change) {
        return map(b -> {
            Behavior c = b.copy();
            change.accept(c);
            return c;
        });
    }

    private Behavior map(UnaryOperator<Behavior> f) {
        if (kind != Kind.SEQUENCE) {
            return f.apply(this);
        }
        Behavior b = copy();
        b.steps = steps.stream().map(f).toList();
        return b;
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
        if (kind == Kind.FUNCTION_CALL) {
            sb.append(calls.stream().map(Call::name).toList());
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
