package gemgate.core.error;

/** Carries an {@link ApiError} out of request parsing or handling; the server turns it into a response. */
public final class ApiException extends RuntimeException {
    private final ApiError error;

    public ApiException(ApiError error) {
        super(error.message(), null, false, false);
        this.error = error;
    }

    public ApiError error() {
        return error;
    }
}
