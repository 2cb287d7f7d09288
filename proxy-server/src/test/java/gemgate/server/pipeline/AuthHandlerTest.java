package gemgate.server.pipeline;

import static gemgate.server.pipeline.HandlerTestSupport.assertReleased;
import static gemgate.server.pipeline.HandlerTestSupport.bodyAndRelease;
import static gemgate.server.pipeline.HandlerTestSupport.channel;
import static gemgate.server.pipeline.HandlerTestSupport.chunk;
import static gemgate.server.pipeline.HandlerTestSupport.finish;
import static gemgate.server.pipeline.HandlerTestSupport.get;
import static gemgate.server.pipeline.HandlerTestSupport.last;
import static gemgate.server.pipeline.HandlerTestSupport.post;
import static gemgate.server.pipeline.HandlerTestSupport.response;
import static org.assertj.core.api.Assertions.assertThat;

import gemgate.core.auth.AuthThrottle;
import gemgate.core.json.Json;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AuthHandlerTest {
    private static final String PASSWORD = "s3cret-proxy-pw";
    private final HandlerTestSupport.MutableClock clock = new HandlerTestSupport.MutableClock();

    private EmbeddedChannel channelWithThreshold(int failuresBeforeSlowdown) {
        return channel("198.51.100.7", new AuthHandler(PASSWORD, new AuthThrottle(failuresBeforeSlowdown, 100, clock)));
    }

    @Test
    void bearerPasswordPassesAndIsStripped() {
        EmbeddedChannel ch = channelWithThreshold(5);
        HttpRequest req = get("/v1/chat/completions?stream=true", "Authorization", "Bearer " + PASSWORD);
        ch.writeInbound(req, LastHttpContent.EMPTY_LAST_CONTENT);
        HttpRequest passed = ch.readInbound();
        assertThat(passed).isSameAs(req);
        assertThat(passed.headers().contains(HttpHeaderNames.AUTHORIZATION))
                .as("the proxy password must never travel further").isFalse();
        assertThat(passed.uri()).isEqualTo("/v1/chat/completions?stream=true");
        assertThat((Object) ch.readInbound()).isSameAs(LastHttpContent.EMPTY_LAST_CONTENT);
        finish(ch);
    }

    @Test
    void googHeaderAndQueryKeyAreStripped() {
        EmbeddedChannel ch = channelWithThreshold(5);
        HttpRequest req = get("/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse&key=" + PASSWORD,
                "x-goog-api-key", PASSWORD, "Authorization", "Bearer something-else");
        ch.writeInbound(req);
        HttpRequest passed = ch.readInbound();
        assertThat(passed.headers().contains("x-goog-api-key")).isFalse();
        assertThat(passed.headers().contains(HttpHeaderNames.AUTHORIZATION)).isFalse();
        assertThat(passed.uri()).isEqualTo("/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse");
        finish(ch);
    }

    @Test
    void wrongPasswordGets401AndNextRequestWorks() {
        EmbeddedChannel ch = channelWithThreshold(5);
        ch.writeInbound(get("/v1/models", "Authorization", "Bearer wrong"), LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat((Object) ch.readInbound()).isNull();
        FullHttpResponse res = response(ch);
        assertThat(res.status().code()).isEqualTo(401);
        assertThat(res.headers().get(HttpHeaderNames.WWW_AUTHENTICATE)).isEqualTo("Bearer");
        Map<String, Object> err = Json.obj(bodyAndRelease(res), "error");
        assertThat(err).containsEntry("code", "invalid_api_key").containsEntry("type", "invalid_request_error");
        assertThat(ch.isOpen()).isTrue();

        HttpRequest ok = get("/v1/models", "Authorization", "Bearer " + PASSWORD);
        ch.writeInbound(ok);
        assertThat((Object) ch.readInbound()).as("a following request on the same connection works").isSameAs(ok);
        finish(ch);
    }

    @Test
    void missingPasswordOnGeminiRouteGetsGoogleShape() {
        EmbeddedChannel ch = channelWithThreshold(5);
        ch.writeInbound(get("/v1beta/models"));
        Map<String, Object> err = Json.obj(bodyAndRelease(response(ch)), "error");
        assertThat(err).containsEntry("code", 401L).containsEntry("status", "UNAUTHENTICATED");
        finish(ch);
    }

    @Test
    void rejectedBodyIsReleasedAndConnectionClosed() {
        EmbeddedChannel ch = channelWithThreshold(5);
        HttpContent c1 = chunk("{\"messages\":");
        LastHttpContent c2 = last("[]}");
        ch.writeInbound(post("/v1/chat/completions", 15), c1, c2);
        assertThat((Object) ch.readInbound()).isNull();
        assertReleased(c1, c2);
        FullHttpResponse res = response(ch);
        assertThat(res.status().code()).isEqualTo(401);
        assertThat(res.headers().get(HttpHeaderNames.CONNECTION)).isEqualToIgnoringCase("close");
        res.release();
        assertThat(ch.isOpen()).isFalse();
        finish(ch);
    }

    @Test
    void publicPathsNeedNoPassword() {
        EmbeddedChannel ch = channelWithThreshold(5);
        HttpRequest health = get("/health");
        ch.writeInbound(health);
        assertThat((Object) ch.readInbound()).isSameAs(health);
        finish(ch);
    }

    @Test
    void repeatedFailuresAreDelayedOnTheEventLoop() {
        EmbeddedChannel ch = channelWithThreshold(1);
        ch.freezeTime();
        ch.writeInbound(get("/v1/models", "Authorization", "Bearer wrong1"), LastHttpContent.EMPTY_LAST_CONTENT);
        response(ch).release();

        HttpContent c1 = chunk("x");
        LastHttpContent c2 = last("y");
        ch.writeInbound(post("/v1/chat/completions", 2, "Authorization", "Bearer wrong2"), c1, c2);
        assertReleased(c1, c2);
        assertThat((Object) ch.readOutbound()).as("the second failure waits 250 ms").isNull();
        ch.advanceTimeBy(249, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat((Object) ch.readOutbound()).isNull();

        HttpRequest meanwhile = get("/v1/models", "Authorization", "Bearer " + PASSWORD);
        ch.writeInbound(meanwhile);
        assertThat((Object) ch.readInbound()).as("nothing overtakes a pending 401").isNull();

        ch.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        FullHttpResponse res = response(ch);
        assertThat(res.status().code()).isEqualTo(401);
        assertThat(res.headers().get(HttpHeaderNames.CONNECTION)).isEqualToIgnoringCase("close");
        res.release();
        assertThat(ch.isOpen()).as("a delayed 401 closes the connection").isFalse();
        finish(ch);
    }

    @Test
    void channelClosedDuringTheDelayJustReleases() {
        EmbeddedChannel ch = channelWithThreshold(0);
        ch.freezeTime();
        HttpContent c1 = chunk("x");
        ch.writeInbound(post("/v1/chat/completions", 2, "Authorization", "Bearer wrong"), c1);
        assertReleased(c1);
        ch.close();
        ch.advanceTimeBy(10, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat((Object) ch.readOutbound()).as("nothing is written to a closed channel").isNull();
        finish(ch);
    }
}
