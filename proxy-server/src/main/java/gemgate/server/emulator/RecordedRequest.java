package gemgate.server.emulator;

import java.util.Map;

/**
 * One request as the emulator received it. {@code apiKeyHeader} is the {@code x-goog-api-key} header and
 * {@code apiKeyQuery} the {@code ?key=} parameter (each null when absent), kept apart so tests can assert that keys
 * never travel in URLs. {@code headers} has lower-case names; repeated headers are joined with ", ".
 */
public record RecordedRequest(String method, String uri, String path, String apiKeyHeader, String apiKeyQuery,
        Map<String, String> headers, byte[] body) {

    /** The key the emulator used for the request: the header wins over the query parameter, as in Google's front end. */
    public String apiKey() {
        return apiKeyHeader != null ? apiKeyHeader : apiKeyQuery;
    }

    public String bodyText() {
        return new String(body, java.nio.charset.StandardCharsets.UTF_8);
    }
}
