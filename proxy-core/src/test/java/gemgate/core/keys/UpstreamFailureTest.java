package gemgate.core.keys;

import static org.assertj.core.api.Assertions.assertThat;

import gemgate.core.keys.UpstreamFailure.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class UpstreamFailureTest {

    private static byte[] fixture(String name) throws IOException {
        try (InputStream in = UpstreamFailureTest.class.getResourceAsStream(name)) {
            assertThat(in).as("fixture %s is on the test classpath", name).isNotNull();
            return in.readAllBytes();
        }
    }

    @Test
    void invalidKeyIsTakenOutOfRotation() throws IOException {
        UpstreamFailure f = UpstreamFailure.fromResponse(400, fixture("unary-failure-api-key.json"));
        assertThat(f.kind()).as("400 API_KEY_INVALID is the key's fault, not the request's").isEqualTo(Kind.KEY_INVALID);
        assertThat(f.message()).isEqualTo("API key not valid. Please pass a valid API key.");
        assertThat(f.retryable()).isTrue();
    }

    @Test
    void invalidKeyIsRecognisedByMessageAlone() {
        byte[] body = "{\"error\":{\"code\":400,\"message\":\"API key not valid. Please pass a valid API key.\",\"status\":\"INVALID_ARGUMENT\"}}"
                .getBytes(StandardCharsets.UTF_8);
        assertThat(UpstreamFailure.fromResponse(400, body).kind()).isEqualTo(Kind.KEY_INVALID);
        byte[] expired = "{\"error\":{\"code\":400,\"message\":\"API key expired. Please renew the API key.\",\"status\":\"INVALID_ARGUMENT\",\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.ErrorInfo\",\"reason\":\"API_KEY_EXPIRED\"}]}}"
                .getBytes(StandardCharsets.UTF_8);
        assertThat(UpstreamFailure.fromResponse(400, expired).kind()).isEqualTo(Kind.KEY_INVALID);
    }

    @Test
    void disabledApiAndPermissionDeniedInvalidateTheKey() throws IOException {
        UpstreamFailure disabled = UpstreamFailure.fromResponse(403, fixture("unary-failure-generativelanguage-api-not-enabled.json"));
        assertThat(disabled.kind()).isEqualTo(Kind.KEY_INVALID);
        assertThat(disabled.message()).startsWith("Generative Language API has not been used in project 12345678");
        assertThat(UpstreamFailure.fromResponse(403, fixture("unary-failure-iam-permission-denied.json")).kind())
                .isEqualTo(Kind.KEY_INVALID);
        byte[] suspended = ("{\"error\":{\"code\":403,\"message\":\"Permission denied: Consumer 'api_key:AIza" + "SyA1234567890abcdefghijklmnopqrstuv' has been suspended.\",\"status\":\"PERMISSION_DENIED\",\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.ErrorInfo\",\"reason\":\"CONSUMER_SUSPENDED\"}]}}")
                .getBytes(StandardCharsets.UTF_8);
        UpstreamFailure s = UpstreamFailure.fromResponse(403, suspended);
        assertThat(s.kind()).isEqualTo(Kind.KEY_INVALID);
        assertThat(s.message()).as("a key quoted by Google must never reach logs or clients")
                .doesNotContain("AIza" + "SyA1234567890abcdefghijklmnopqrstuv").contains("AIza…stuv");
        assertThat(UpstreamFailure.fromResponse(401, new byte[0]).kind()).isEqualTo(Kind.KEY_INVALID);
    }

    @Test
    void unknownModelGoesBackToTheClient() throws IOException {
        UpstreamFailure f = UpstreamFailure.fromResponse(404, fixture("unary-failure-unknown-model.json"));
        assertThat(f.kind()).isEqualTo(Kind.CLIENT_ERROR);
        assertThat(f.retryable()).as("retrying a bad request on other keys only burns quota").isFalse();
        assertThat(f.message()).startsWith("models/gemini-5.0-flash is not found");
        UpstreamFailure real = UpstreamFailure.fromResponse(404, fixture("error-404-model-not-found-v1beta-real.json"));
        assertThat(real.kind()).isEqualTo(Kind.CLIENT_ERROR);
        assertThat(real.httpStatus()).isEqualTo(404);
    }

    @Test
    void badRequestAboutTheRequestIsAClientError() {
        byte[] body = "{\"error\":{\"code\":400,\"message\":\"Invalid JSON payload received. Unknown name \\\"foo\\\"\",\"status\":\"INVALID_ARGUMENT\"}}"
                .getBytes(StandardCharsets.UTF_8);
        assertThat(UpstreamFailure.fromResponse(400, body).kind()).isEqualTo(Kind.CLIENT_ERROR);
        assertThat(UpstreamFailure.fromResponse(413, "Request Entity Too Large".getBytes(StandardCharsets.UTF_8)).kind())
                .isEqualTo(Kind.CLIENT_ERROR);
    }

    @Test
    void rateLimitCarriesRetryDelayAndPerMinuteQuota() throws IOException {
        UpstreamFailure f = UpstreamFailure.fromResponse(429, fixture("google-429-retry-info.json"));
        assertThat(f.kind()).isEqualTo(Kind.RATE_LIMITED);
        assertThat(f.retryAfter()).isEqualTo(Duration.ofMillis(34_400));
        assertThat(f.perDay()).as("GenerateRequestsPerMinute... is not a daily quota").isFalse();
        assertThat(f.message()).isEqualTo("You exceeded your current quota, please check your plan.");
    }

    @Test
    void vertexQuotaExceededWithoutRetryInfo() throws IOException {
        UpstreamFailure f = UpstreamFailure.fromResponse(429, fixture("vertexai-unary-failure-quota-exceeded.json"));
        assertThat(f.kind()).isEqualTo(Kind.RATE_LIMITED);
        assertThat(f.retryAfter()).as("no RetryInfo detail: the pool applies its default").isNull();
        assertThat(f.perDay()).isFalse();
    }

    @Test
    void perDayQuotaIsDetected() {
        byte[] body = ("{\"error\":{\"code\":429,\"message\":\"quota\",\"status\":\"RESOURCE_EXHAUSTED\",\"details\":["
                + "{\"@type\":\"type.googleapis.com/google.rpc.QuotaFailure\",\"violations\":[{\"quotaMetric\":\"m\",\"quotaId\":\"GenerateRequestsPerDayPerProjectPerModel-FreeTier\"}]},"
                + "{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\",\"retryDelay\":\"1s\"}]}}").getBytes(StandardCharsets.UTF_8);
        UpstreamFailure f = UpstreamFailure.fromResponse(429, body);
        assertThat(f.perDay()).isTrue();
        assertThat(f.retryAfter()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void retryDelayFormats() {
        assertThat(UpstreamFailure.parseDelay("0.5s")).isEqualTo(Duration.ofMillis(500));
        assertThat(UpstreamFailure.parseDelay("1s")).isEqualTo(Duration.ofSeconds(1));
        assertThat(UpstreamFailure.parseDelay("34.4s")).isEqualTo(Duration.ofMillis(34_400));
        assertThat(UpstreamFailure.parseDelay("soon")).isNull();
        assertThat(UpstreamFailure.parseDelay(12)).isNull();
    }

    @Test
    void serverErrorsAndHtmlFrontEndPages() throws IOException {
        byte[] overloaded = "{\"error\":{\"code\":503,\"message\":\"The model is overloaded. Please try again later.\",\"status\":\"UNAVAILABLE\"}}"
                .getBytes(StandardCharsets.UTF_8);
        UpstreamFailure f = UpstreamFailure.fromResponse(503, overloaded);
        assertThat(f.kind()).isEqualTo(Kind.SERVER_ERROR);
        assertThat(f.message()).isEqualTo("The model is overloaded. Please try again later.");
        assertThat(UpstreamFailure.fromResponse(408, new byte[0]).kind()).isEqualTo(Kind.SERVER_ERROR);

        UpstreamFailure html = UpstreamFailure.fromResponse(502, fixture("unary-failure-invalid-location-url-not-found.html"));
        assertThat(html.kind()).isEqualTo(Kind.SERVER_ERROR);
        assertThat(html.message()).as("HTML is reduced to readable text without styles")
                .startsWith("Error 404 (Not Found)!!1").doesNotContain("<").doesNotContain("margin:")
                .hasSizeLessThanOrEqualTo(UpstreamFailure.MAX_SNIPPET + 1);
        assertThat(UpstreamFailure.fromResponse(404, fixture("unary-failure-invalid-location-url-not-found.html")).kind())
                .isEqualTo(Kind.CLIENT_ERROR);
    }

    @Test
    void streamedErrorInsideAnArray() {
        byte[] body = "[{\"error\":{\"code\":429,\"message\":\"Resource exhausted\",\"status\":\"RESOURCE_EXHAUSTED\"}}]"
                .getBytes(StandardCharsets.UTF_8);
        UpstreamFailure f = UpstreamFailure.fromResponse(429, body);
        assertThat(f.kind()).isEqualTo(Kind.RATE_LIMITED);
        assertThat(f.message()).isEqualTo("Resource exhausted");
    }

    @Test
    void factoriesForFailuresWithoutAResponse() {
        assertThat(UpstreamFailure.timeout("no first byte in 30 s").kind()).isEqualTo(Kind.TIMEOUT);
        assertThat(UpstreamFailure.connection("connection reset").retryable()).isTrue();
        assertThat(UpstreamFailure.empty().kind()).isEqualTo(Kind.EMPTY);
        assertThat(UpstreamFailure.connection("x").httpStatus()).isZero();
    }
}
