package gemgate.core.keys;

import gemgate.core.json.Json;
import gemgate.core.json.JsonException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Why one upstream attempt failed, classified so the key pool knows what it says about the key: an invalid or
 * suspended key leaves the rotation, a rate-limited one cools down, a request Google rejects on its own merits
 * ({@link Kind#CLIENT_ERROR}) goes straight back to the client and counts against no key. {@code message} never
 * contains a key; {@code retryAfter} is null when Google gave none; {@code httpStatus} is 0 when there was no response.
 */
public record UpstreamFailure(Kind kind, int httpStatus, String message, Duration retryAfter, boolean perDay) {

    public enum Kind { CLIENT_ERROR, KEY_INVALID, RATE_LIMITED, SERVER_ERROR, TIMEOUT, CONNECTION, EMPTY }

    /** Longest non-JSON body snippet kept as the message. */
    static final int MAX_SNIPPET = 200;

    private static final Pattern HTML_BLOCKS = Pattern.compile("(?is)<(style|script)[^>]*>.*?</\\1>");
    private static final Pattern TAGS = Pattern.compile("(?s)<[^>]*>");
    private static final Pattern SPACES = Pattern.compile("\\s+");
    private static final Pattern DELAY = Pattern.compile("(\\d+(?:\\.\\d+)?)s");

    public UpstreamFailure {
        if (kind == null) {
            throw new IllegalArgumentException("kind is required");
        }
        message = message == null ? "" : KeyMask.scrub(message);
        if (retryAfter != null && retryAfter.isNegative()) {
            throw new IllegalArgumentException("retryAfter must not be negative, got " + retryAfter);
        }
    }

    public static UpstreamFailure timeout(String what) {
        return new UpstreamFailure(Kind.TIMEOUT, 0, what, null, false);
    }

    public static UpstreamFailure connection(String what) {
        return new UpstreamFailure(Kind.CONNECTION, 0, what, null, false);
    }

    public static UpstreamFailure empty() {
        return new UpstreamFailure(Kind.EMPTY, 200, "Gemini returned an empty answer", null, false);
    }

    /** Worth another attempt with another key: everything except a request Google rejects for what it is. */
    public boolean retryable() {
        return kind != Kind.CLIENT_ERROR;
    }

    /**
     * Classifies a Gemini error response: a google.rpc.Status JSON body (also inside a one-element array, as
     * streamed errors come), or HTML/text from a Google front end.
     */
    public static UpstreamFailure fromResponse(int httpStatus, byte[] body) {
        Map<String, Object> error = errorObject(body);
        String message;
        String reason = "";
        String status = "";
        Duration retryAfter = null;
        boolean perDay = false;
        if (error != null) {
            message = Json.str(error, "message");
            status = nullToEmpty(Json.str(error, "status"));
            List<Object> details = Json.list(error, "details");
            for (Object d : details == null ? List.of() : details) {
                if (!(d instanceof Map<?, ?>)) {
                    continue;
                }
                Map<String, Object> detail = Json.asObject(d);
                String type = nullToEmpty(Json.str(detail, "@type"));
                if (type.endsWith("google.rpc.ErrorInfo")) {
                    reason = nullToEmpty(Json.str(detail, "reason"));
                    if (detail.get("metadata") instanceof Map<?, ?>) {
                        perDay |= nullToEmpty(Json.asString(Json.obj(detail, "metadata").get("quota_limit"))).contains("PerDay");
                    }
                } else if (type.endsWith("google.rpc.RetryInfo")) {
                    retryAfter = parseDelay(detail.get("retryDelay"));
                } else if (type.endsWith("google.rpc.QuotaFailure") && detail.get("violations") instanceof List<?> vs) {
                    for (Object v : vs) {
                        if (v instanceof Map<?, ?> vm && vm.get("quotaId") instanceof String q && q.contains("PerDay")) {
                            perDay = true;
                        }
                    }
                }
            }
            if (message == null) {
                message = status.isEmpty() ? "HTTP " + httpStatus : status;
            }
        } else {
            message = snippet(body);
            if (message.isEmpty()) {
                message = "HTTP " + httpStatus + " with an empty body";
            }
        }
        return new UpstreamFailure(classify(httpStatus, reason, status, message), httpStatus, message, retryAfter, perDay);
    }

    private static Kind classify(int http, String reason, String status, String message) {
        String lower = message.toLowerCase(Locale.ROOT);
        if (http == 429) {
            return Kind.RATE_LIMITED;
        }
        if (http == 401 || http == 403) {
            // PERMISSION_DENIED, SERVICE_DISABLED, CONSUMER_SUSPENDED, IAM denials: nothing this key sends will pass.
            return Kind.KEY_INVALID;
        }
        if (http == 400) {
            boolean keyProblem = reason.equals("API_KEY_INVALID") || reason.equals("API_KEY_EXPIRED")
                    || reason.equals("CONSUMER_SUSPENDED") || lower.contains("api key not valid")
                    || lower.contains("api key expired") || status.equals("UNAUTHENTICATED");
            return keyProblem ? Kind.KEY_INVALID : Kind.CLIENT_ERROR;
        }
        if (http == 408 || http >= 500 || http < 400) {
            return Kind.SERVER_ERROR;
        }
        return Kind.CLIENT_ERROR;
    }

    private static Map<String, Object> errorObject(byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        Object tree;
        try {
            tree = Json.parse(body);
        } catch (JsonException e) {
            return null;
        }
        if (tree instanceof List<?> list && !list.isEmpty()) {
            tree = list.get(0);
        }
        if (tree instanceof Map<?, ?> m && m.get("error") instanceof Map<?, ?> err) {
            return Json.asObject(err);
        }
        return null;
    }

    /** google.protobuf.Duration in JSON: "34.4s", "1s", "0.5s". */
    static Duration parseDelay(Object value) {
        if (!(value instanceof String s)) {
            return null;
        }
        var m = DELAY.matcher(s.trim());
        if (!m.matches()) {
            return null;
        }
        BigDecimal seconds = new BigDecimal(m.group(1));
        return Duration.ofMillis(seconds.movePointRight(3).setScale(0, java.math.RoundingMode.CEILING).longValueExact());
    }

    private static String snippet(byte[] body) {
        if (body == null) {
            return "";
        }
        String text = new String(body, 0, Math.min(body.length, 16 * 1024), StandardCharsets.UTF_8);
        text = HTML_BLOCKS.matcher(text).replaceAll(" ");
        text = TAGS.matcher(text).replaceAll(" ");
        text = SPACES.matcher(text).replaceAll(" ").trim();
        return text.length() > MAX_SNIPPET ? text.substring(0, MAX_SNIPPET) + "…" : text;
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
