package gemgate.core.json;

/** Malformed or unacceptable JSON; the message is safe to show a client. */
public final class JsonException extends RuntimeException {
    public JsonException(String message) {
        super(message);
    }

    public JsonException(String message, Throwable cause) {
        super(message, cause);
    }
}
