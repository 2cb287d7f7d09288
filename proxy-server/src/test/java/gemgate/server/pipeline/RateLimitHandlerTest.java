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

import gemgate.core.json.Json;
import gemgate.core.net.CidrSet;
import gemgate.core.ratelimit.ClientRateLimiter;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RateLimitHandlerTest {
    private final HandlerTestSupport.MutableClock clock = new HandlerTestSupport.MutableClock();

    private EmbeddedChannel channelWithLimit(int perMinute) {
        return channel("198.51.100.7", new ClientAddressHandler(CidrSet.of()),
                new RateLimitHandler(new ClientRateLimiter(perMinute, 0, 100, clock)));
    }

    @Test
    void overLimitGets429AndTheConnectionStaysUsable() {
        EmbeddedChannel ch = channelWithLimit(1);
        HttpRequest first = get("/v1/models");
        ch.writeInbound(first, LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat((Object) ch.readInbound()).isSameAs(first);
        assertThat((Object) ch.readInbound()).isSameAs(LastHttpContent.EMPTY_LAST_CONTENT);

        ch.writeInbound(get("/v1/models"), LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat((Object) ch.readInbound()).as("a limited request never goes further, nor its empty last content").isNull();
        FullHttpResponse res = response(ch);
        assertThat(res.status().code()).isEqualTo(429);
        assertThat(res.headers().get(HttpHeaderNames.RETRY_AFTER)).isEqualTo("60");
        assertThat(res.headers().contains(HttpHeaderNames.CONNECTION, "close", true)).isFalse();
        Map<String, Object> err = Json.obj(bodyAndRelease(res), "error");
        assertThat(err).containsEntry("type", "rate_limit_error").containsEntry("code", "rate_limit_exceeded").containsKey("param");
        assertThat(Json.str(err, "message")).isEqualTo(
                "Too many requests from your address: limit is 1 per minute (MAX_REQUESTS_PER_MINUTE). Try again in 60 s.");
        assertThat(ch.isOpen()).as("a bodiless rejected request leaves the connection usable").isTrue();

        clock.advance(Duration.ofSeconds(60));
        HttpRequest third = get("/v1/models");
        ch.writeInbound(third, LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat((Object) ch.readInbound()).as("the next request on the same connection works").isSameAs(third);
        finish(ch);
    }

    @Test
    void geminiRoutesGetGoogleShape() {
        EmbeddedChannel ch = channelWithLimit(1);
        ch.writeInbound(post("/v1beta/models/gemini-2.5-flash:generateContent", 0));
        ch.writeInbound(post("/v1beta/models/gemini-2.5-flash:generateContent", 0));
        Map<String, Object> err = Json.obj(bodyAndRelease(response(ch)), "error");
        assertThat(err).containsEntry("code", 429L).containsEntry("status", "RESOURCE_EXHAUSTED");
        finish(ch);
    }

    @Test
    void bodyOfARejectedRequestIsReleasedAndConnectionClosed() {
        EmbeddedChannel ch = channelWithLimit(1);
        ch.writeInbound(get("/v1/models"), LastHttpContent.EMPTY_LAST_CONTENT);
        ch.readInbound();
        ch.readInbound();

        HttpContent c1 = chunk("{\"mod");
        LastHttpContent c2 = last("el\":1}");
        ch.writeInbound(post("/v1/chat/completions", 11), c1, c2);
        assertThat((Object) ch.readInbound()).as("no part of a rejected request goes further").isNull();
        assertReleased(c1, c2);
        FullHttpResponse res = response(ch);
        assertThat(res.status().code()).isEqualTo(429);
        assertThat(res.headers().get(HttpHeaderNames.CONNECTION)).isEqualToIgnoringCase("close");
        res.release();
        assertThat(ch.isOpen()).as("a body we did not read means closing").isFalse();
        finish(ch);
    }

    @Test
    void fullRequestIsReleased() {
        EmbeddedChannel ch = channelWithLimit(1);
        ch.writeInbound(get("/v1/models"), LastHttpContent.EMPTY_LAST_CONTENT);
        ch.readInbound();
        ch.readInbound();
        DefaultFullHttpRequest full = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/v1/chat/completions",
                Unpooled.copiedBuffer("{}", StandardCharsets.UTF_8));
        full.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 2);
        ch.writeInbound(full);
        assertReleased(full);
        response(ch).release();
        assertThat(ch.isOpen()).as("the whole body was received, keep-alive holds").isTrue();
        finish(ch);
    }

    @Test
    void publicPathsAreNotCounted() {
        EmbeddedChannel ch = channelWithLimit(1);
        for (int i = 0; i < 5; i++) {
            HttpRequest health = get("/health");
            ch.writeInbound(health);
            assertThat((Object) ch.readInbound()).isSameAs(health);
        }
        HttpRequest api = get("/v1/models");
        ch.writeInbound(api);
        assertThat((Object) ch.readInbound()).as("health checks used none of the budget").isSameAs(api);
        finish(ch);
    }
}
