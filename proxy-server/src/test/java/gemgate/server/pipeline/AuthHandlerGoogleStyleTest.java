package gemgate.server.pipeline;

import static gemgate.server.pipeline.HandlerTestSupport.channel;
import static gemgate.server.pipeline.HandlerTestSupport.finish;
import static gemgate.server.pipeline.HandlerTestSupport.get;
import static org.assertj.core.api.Assertions.assertThat;

import gemgate.core.auth.AuthThrottle;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpRequest;
import org.junit.jupiter.api.Test;

/** The mark that lets shared routes (/v1/models) tell Gemini clients from OpenAI clients after the password is gone. */
class AuthHandlerGoogleStyleTest {
    private static final String PASSWORD = "s3cret-proxy-pw";

    private static HttpRequest pass(HttpRequest req) {
        EmbeddedChannel ch = channel("198.51.100.7", new AuthHandler(PASSWORD, new AuthThrottle(5, 100, new HandlerTestSupport.MutableClock())));
        ch.writeInbound(req);
        HttpRequest passed = ch.readInbound();
        finish(ch);
        return passed;
    }

    @Test
    void googleStyleAuthIsMarkedAndBearerIsNot() {
        assertThat(pass(get("/v1/models", "x-goog-api-key", PASSWORD)).headers().get(AuthHandler.GOOGLE_STYLE_AUTH)).isEqualTo("1");
        HttpRequest viaKey = pass(get("/v1/models?key=" + PASSWORD));
        assertThat(viaKey.headers().get(AuthHandler.GOOGLE_STYLE_AUTH)).isEqualTo("1");
        assertThat(viaKey.uri()).as("?key= is removed before routing").isEqualTo("/v1/models");
        assertThat(pass(get("/v1/models", "Authorization", "Bearer " + PASSWORD)).headers().contains(AuthHandler.GOOGLE_STYLE_AUTH))
                .isFalse();
    }

    @Test
    void aClientCannotSendTheMarkItself() {
        HttpRequest forged = pass(get("/v1/models", "Authorization", "Bearer " + PASSWORD, AuthHandler.GOOGLE_STYLE_AUTH, "1"));
        assertThat(forged.headers().contains(AuthHandler.GOOGLE_STYLE_AUTH)).as("only the auth handler sets the mark").isFalse();
        HttpRequest publicPath = pass(get("/health", AuthHandler.GOOGLE_STYLE_AUTH, "1"));
        assertThat(publicPath.headers().contains(AuthHandler.GOOGLE_STYLE_AUTH)).isFalse();
    }
}
