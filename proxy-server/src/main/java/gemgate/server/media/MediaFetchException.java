package gemgate.server.media;

import gemgate.core.error.ApiError;

/** A remote media URL could not be fetched; {@link #toApiError()} is the client's 400. The URL is shown masked. */
public final class MediaFetchException extends Exception {
    private final String maskedUrl;
    private final String reason;

    MediaFetchException(String url, String reason) {
        super("cannot fetch " + MediaFetcher.mask(url) + ": " + reason, null, false, false);
        this.maskedUrl = MediaFetcher.mask(url);
        this.reason = reason;
    }

    public String maskedUrl() {
        return maskedUrl;
    }

    public String reason() {
        return reason;
    }

    public ApiError toApiError() {
        return ApiError.badRequest("Could not fetch the media URL " + maskedUrl + ": " + reason, "messages");
    }
}
