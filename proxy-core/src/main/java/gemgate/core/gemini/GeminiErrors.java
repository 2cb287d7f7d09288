package gemgate.core.gemini;

import gemgate.core.error.ApiError;
import gemgate.core.json.Json;
import java.util.Map;

/** Turns a google.rpc.Status error object that arrived inside a stream into a client-facing error. */
public final class GeminiErrors {
    private GeminiErrors() {}

    /** {@code errorObject} is the value of "error": {code, message, status}. */
    public static ApiError fromStatus(Map<String, Object> errorObject) {
        long code = Json.num(errorObject, "code", 0);
        String status = Json.str(errorObject, "status");
        String message = Json.str(errorObject, "message");
        String text = (message == null || message.isEmpty() ? "no message" : message)
                + (status == null ? "" : " (" + status + ")");
        if (code >= 400 && code < 500 && code != 429 && code != 499 && code != 408) {
            return ApiError.upstreamRejected((int) code, text);
        }
        return ApiError.upstreamFailed("Gemini failed during the answer: " + text);
    }

    /**
     * The HTTP status an in-stream error object names ({@code code}), for sorting it like an HTTP error; 500 when it
     * names none or an impossible one.
     */
    public static int httpStatus(Map<String, Object> errorObject) {
        long code = Json.num(errorObject, "code", 0);
        return code >= 400 && code < 600 ? (int) code : 500;
    }
}
