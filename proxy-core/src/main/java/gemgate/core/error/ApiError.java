package gemgate.core.error;

import gemgate.core.json.Json;
import java.util.Map;

/**
 * One client-facing error: HTTP status, OpenAI {@code type}, machine-readable {@code code}, a message written for the
 * person who reads it, the offending request field ({@code param}, may be null) and, for 429/503, the seconds a client
 * should wait ({@code retryAfterSeconds}, 0 when none). The one place that builds both error body shapes.
 */
public record ApiError(int status, String type, String code, String message, String param, long retryAfterSeconds) {

    public ApiError {
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("status must be an HTTP error status 400-599, got " + status);
        }
        if (type == null || code == null || message == null) {
            throw new IllegalArgumentException("type, code and message are required");
        }
        if (retryAfterSeconds < 0) {
            throw new IllegalArgumentException("retryAfterSeconds must be >= 0, got " + retryAfterSeconds);
        }
    }

    // ---- the catalogue ----

    public static ApiError badRequest(String message, String param) {
        return new ApiError(400, "invalid_request_error", "invalid_request", message, param, 0);
    }

    public static ApiError invalidJson(String detail) {
        return new ApiError(400, "invalid_request_error", "invalid_json",
                "The request body is not valid JSON: " + detail, null, 0);
    }

    public static ApiError unauthorized() {
        return new ApiError(401, "invalid_request_error", "invalid_api_key",
                "Incorrect or missing password. Send it as 'Authorization: Bearer <PASSWORD>', 'x-goog-api-key' or '?key='.",
                null, 0);
    }

    public static ApiError notFound(String method, String path) {
        return new ApiError(404, "invalid_request_error", "not_found",
                "Unknown route " + method + " " + path + ". OpenAI clients use the base URL http://HOST:PORT/v1.", null, 0);
    }

    public static ApiError methodNotAllowed(String method, String path) {
        return new ApiError(405, "invalid_request_error", "method_not_allowed",
                "Method " + method + " is not allowed on " + path + ".", null, 0);
    }

    public static ApiError payloadTooLarge(long maxBytes) {
        return new ApiError(413, "invalid_request_error", "request_too_large",
                "The request body is larger than the limit of " + maxBytes + " bytes (setting MAX_REQUEST_BODY).", null, 0);
    }

    /** The client's own rate limit (never used for upstream quota: SillyTavern retries 429 silently for minutes). */
    public static ApiError rateLimited(String message, long retryAfterSeconds) {
        return new ApiError(429, "rate_limit_error", "rate_limit_exceeded", message, null, Math.max(1, retryAfterSeconds));
    }

    public static ApiError noKeysConfigured() {
        return new ApiError(503, "service_unavailable", "no_keys_configured",
                "no Gemini API keys configured: set GEMINI_API_KEYS and restart.", null, 30);
    }

    /** Every key is invalid, cooling down or already tried: the message says which and when one comes back. */
    public static ApiError keysUnavailable(String message, long retryAfterSeconds) {
        return new ApiError(503, "service_unavailable", "no_usable_keys", message, null, Math.max(1, retryAfterSeconds));
    }

    /** Gemini rejected the request itself (not the key); its message is passed on. */
    public static ApiError upstreamRejected(int status, String upstreamMessage) {
        int s = status >= 400 && status < 500 && status != 429 ? status : 400;
        return new ApiError(s, "invalid_request_error", "upstream_rejected", "Gemini rejected the request: " + upstreamMessage, null, 0);
    }

    /** Too many Gemini calls in flight on this proxy: the connection pool and its wait queue are full. */
    public static ApiError proxyBusy() {
        return new ApiError(503, "service_unavailable", "proxy_busy",
                "The proxy has too many Gemini calls in flight (upstream pool-max-connections and pool-max-pending-acquires are full). Try again shortly.",
                null, 1);
    }

    public static ApiError upstreamFailed(String message) {
        return new ApiError(502, "upstream_error", "upstream_failed", message, null, 0);
    }

    public static ApiError upstreamTimeout(String message) {
        return new ApiError(504, "upstream_error", "upstream_timeout", message, null, 0);
    }

    public static ApiError emptyResponses(int attempts) {
        return new ApiError(502, "upstream_error", "empty_response",
                "Gemini returned an empty answer " + attempts + " times in a row (setting MAX_EMPTY_RESPONSES). Try rephrasing the prompt.",
                null, 0);
    }

    public static ApiError modelNotAllowed(String model) {
        return new ApiError(400, "invalid_request_error", "model_not_allowed",
                "The model '" + model + "' is not available on this proxy (BLOCKED_MODELS / WHITELIST_MODELS).", "model", 0);
    }

    public static ApiError internal() {
        return new ApiError(500, "server_error", "internal_error",
                "Internal error in the proxy; the log has details.", null, 0);
    }

    // ---- the admin API (/api/) ----

    /** No valid admin session: none sent, unknown, ended or expired. */
    public static ApiError adminLoginRequired() {
        return new ApiError(401, "invalid_request_error", "admin_login_required",
                "Log in first: POST /api/login with {\"password\": \"<WEB_PASSWORD>\"}, then send the session cookie or "
                        + "'Authorization: Bearer <token>'. The session may have expired.", null, 0);
    }

    public static ApiError adminWrongPassword() {
        return new ApiError(401, "invalid_request_error", "invalid_password",
                "Wrong password (WEB_PASSWORD; the same as PASSWORD when it is not set).", "password", 0);
    }

    /** Too many failed logins from this address: try again after {@code retryAfterSeconds}. */
    public static ApiError loginThrottled(long retryAfterSeconds) {
        long s = Math.max(1, retryAfterSeconds);
        return new ApiError(429, "rate_limit_error", "login_throttled",
                "Too many failed logins from this address. Try again in " + s + " s.", null, s);
    }

    /** A state-changing admin call from another site (Origin or Sec-Fetch-Site), refused as a possible CSRF. */
    public static ApiError crossSiteRequest() {
        return new ApiError(403, "invalid_request_error", "cross_site_request",
                "Cross-site requests to the admin API are refused. Call it from the same origin or from a script.",
                null, 0);
    }

    public static ApiError unsupportedMediaType(String expected) {
        return new ApiError(415, "invalid_request_error", "unsupported_media_type",
                "The request body must be sent with 'Content-Type: " + expected + "'.", null, 0);
    }

    /** The admin API is not wired to a key pool in this build or configuration. */
    public static ApiError adminUnavailable() {
        return new ApiError(503, "service_unavailable", "admin_unavailable",
                "The admin API is not available in this server.", null, 0);
    }

    /** No key with this id (ids are the ones GET /api/keys lists). */
    public static ApiError keyNotFound(String id) {
        return new ApiError(404, "invalid_request_error", "key_not_found",
                "No key with id '" + gemgate.core.keys.KeyMask.scrub(id) + "'. GET /api/keys lists the ids.", "id", 0);
    }

    /** The request conflicts with what is going on (for example a key test already running). */
    public static ApiError conflict(String message) {
        return new ApiError(409, "invalid_request_error", "conflict", message, null, 0);
    }

    public ApiError withMessage(String newMessage) {
        return new ApiError(status, type, code, newMessage, param, retryAfterSeconds);
    }

    // ---- body shapes ----

    /** {@code {"error":{"message","type","param","code"}}}: all four keys always present, as OpenAI's schema requires. */
    public Map<String, Object> openAiTree() {
        return Json.object("error", Json.object("message", message, "type", type, "param", param, "code", code));
    }

    public byte[] openAiBody() {
        return Json.write(openAiTree());
    }

    /** google.rpc.Status over JSON: {@code {"error":{"code":<http>,"message":…,"status":"<CANONICAL>"}}}. */
    public byte[] geminiBody() {
        return Json.write(Json.object("error", Json.object("code", status, "message", message, "status", canonicalStatus())));
    }

    /** Google's canonical code name for this status. */
    public String canonicalStatus() {
        return switch (status) {
            case 400, 413 -> "INVALID_ARGUMENT";
            case 401 -> "UNAUTHENTICATED";
            case 403 -> "PERMISSION_DENIED";
            case 404 -> "NOT_FOUND";
            case 409 -> "ABORTED";
            case 415 -> "INVALID_ARGUMENT";
            case 429 -> "RESOURCE_EXHAUSTED";
            case 499 -> "CANCELLED";
            case 501 -> "UNIMPLEMENTED";
            case 502, 503 -> "UNAVAILABLE";
            case 504 -> "DEADLINE_EXCEEDED";
            default -> status < 500 ? "FAILED_PRECONDITION" : "INTERNAL";
        };
    }
}
