package gemgate.core.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class CredentialsTest {

    private static Function<String, String> headers(String... kv) {
        Map<String, String> m = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m::get;
    }

    @Test
    void googHeaderWinsOverQueryAndBearer() {
        assertThat(Credentials.extract(headers("x-goog-api-key", "g", "Authorization", "Bearer b"), "/v1beta/models?key=q"))
                .isEqualTo("g");
    }

    @Test
    void queryWinsOverBearer() {
        assertThat(Credentials.extract(headers("Authorization", "Bearer b"), "/v1beta/models?alt=sse&key=q%2B1"))
                .isEqualTo("q+1");
    }

    @Test
    void bearerSchemeIsCaseInsensitive() {
        assertThat(Credentials.extract(headers("authorization", "bearer  tok "), "/v1/chat/completions")).isEqualTo("tok");
        assertThat(Credentials.extract(headers("Authorization", "BEARER tok"), "/")).isEqualTo("tok");
        assertThat(Credentials.extract(headers("Authorization", "Basic dXNlcjpwYXNz"), "/")).isNull();
        assertThat(Credentials.extract(headers("Authorization", "Bearer "), "/")).isNull();
    }

    @Test
    void noneIsNull() {
        assertThat(Credentials.extract(headers(), "/v1/models")).isNull();
        assertThat(Credentials.extract(headers("x-goog-api-key", " "), "/v1/models?keys=x")).isNull();
    }

    @Test
    void matchesIsExact() {
        assertThat(Credentials.matches("secret", "secret")).isTrue();
        assertThat(Credentials.matches("secret ", "secret")).isFalse();
        assertThat(Credentials.matches("Secret", "secret")).isFalse();
        assertThat(Credentials.matches("", "secret")).isFalse();
        assertThat(Credentials.matches(null, "secret")).isFalse();
        assertThat(Credentials.matches("a-much-longer-guess-than-the-password", "secret")).isFalse();
        assertThat(Credentials.matches("пароль", "пароль")).isTrue();
    }

    @Test
    void stripKeyParamKeepsEverythingElse() {
        assertThat(Credentials.stripKeyParam("/v1beta/models/m:streamGenerateContent?alt=sse&key=pw"))
                .isEqualTo("/v1beta/models/m:streamGenerateContent?alt=sse");
        assertThat(Credentials.stripKeyParam("/v1beta/models?key=pw")).isEqualTo("/v1beta/models");
        assertThat(Credentials.stripKeyParam("/v1beta/models?key=a&pageSize=5&%6Bey=b"))
                .as("an encoded name is still the key parameter").isEqualTo("/v1beta/models?pageSize=5");
        assertThat(Credentials.stripKeyParam("/v1beta/models?keys=1&monkey=2")).isEqualTo("/v1beta/models?keys=1&monkey=2");
        assertThat(Credentials.stripKeyParam("/health")).isEqualTo("/health");
    }

    @Test
    void publicPaths() {
        assertThat(PublicPaths.isPublic("GET", "/health")).isTrue();
        assertThat(PublicPaths.isPublic("GET", "/health?verbose=1")).isTrue();
        assertThat(PublicPaths.isPublic("GET", "/")).isTrue();
        assertThat(PublicPaths.isPublic("OPTIONS", "/v1/chat/completions")).isTrue();
        assertThat(PublicPaths.isPublic("POST", "/health")).isFalse();
        assertThat(PublicPaths.isPublic("GET", "/v1/models")).isFalse();
        assertThat(PublicPaths.isPublic("GET", "/healthz")).isFalse();
    }
}
