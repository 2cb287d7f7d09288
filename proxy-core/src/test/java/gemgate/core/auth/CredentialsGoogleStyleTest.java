package gemgate.core.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CredentialsGoogleStyleTest {
    @Test
    void googleStyleIsTheHeaderOrTheKeyParameterNeverBearer() {
        assertThat(Credentials.googleStyle(Map.of("x-goog-api-key", "pw")::get, "/v1/models")).isTrue();
        assertThat(Credentials.googleStyle(Map.<String, String>of()::get, "/v1/models?key=pw")).isTrue();
        assertThat(Credentials.googleStyle(Map.of("Authorization", "Bearer pw")::get, "/v1/models"))
                .as("OpenAI SDKs authenticate with Bearer").isFalse();
        assertThat(Credentials.googleStyle(Map.of("x-goog-api-key", " ")::get, "/v1/models?key=")).isFalse();
    }
}
