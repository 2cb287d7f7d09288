package gemgate.server.pipeline;

import static gemgate.server.pipeline.HandlerTestSupport.assertReleased;
import static gemgate.server.pipeline.HandlerTestSupport.bodyAndRelease;
import static gemgate.server.pipeline.HandlerTestSupport.channel;
import static gemgate.server.pipeline.HandlerTestSupport.finish;
import static gemgate.server.pipeline.HandlerTestSupport.get;
import static gemgate.server.pipeline.HandlerTestSupport.post;
import static gemgate.server.pipeline.HandlerTestSupport.response;
import static org.assertj.core.api.Assertions.assertThat;

import gemgate.core.auth.AuthThrottle;
import gemgate.core.json.Json;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.buffer.Unpooled;
import gemgate.server.http.Responses;
import java.util.List;
import org.junit.jupiter.api.Test;

class CorsHandlerTest {
    private static final String APP = "https://app.example.com";

    private static HttpRequest preflight(String origin) {
        HttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.OPTIONS, "/v1/chat/completions",
                Unpooled.buffer(0));
        req.headers().set(HttpHeaderNames.ORIGIN, origin);
        req.headers().set(HttpHeaderNames.ACCESS_CONTROL_REQUEST_METHOD, "POST");
        req.headers().set(HttpHeaderNames.ACCESS_CONTROL_REQUEST_HEADERS, "authorization, content-type, x-stainless-os");
        return req;
    }

    private static EmbeddedChannel withAuthBehind(List<String> origins) {
        return channel("198.51.100.7", new CorsHandler(origins),
                new AuthHandler("pw", new AuthThrottle(5, 10, new HandlerTestSupport.MutableClock())));
    }

    @Test
    void preflightFromAllowedOriginIsAnsweredWithoutAuth() {
        EmbeddedChannel ch = withAuthBehind(List.of(APP));
        HttpRequest req = preflight(APP);
        ch.writeInbound(req);
        assertReleased(req);
        assertThat((Object) ch.readInbound()).isNull();
        FullHttpResponse res = response(ch);
        assertThat(res.status()).isEqualTo(HttpResponseStatus.NO_CONTENT);
        assertThat(res.headers().get(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN)).isEqualTo(APP);
        assertThat(res.headers().get(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS)).contains("POST").contains("OPTIONS");
        assertThat(res.headers().get(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS))
                .contains("Authorization", "Content-Type", "x-goog-api-key", "x-stainless-os");
        assertThat(res.headers().get(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE)).isEqualTo("86400");
        res.release();
        assertThat(ch.isOpen()).isTrue();
        finish(ch);
    }

    @Test
    void preflightFromOtherOriginIs403WithoutAllowHeaders() {
        EmbeddedChannel ch = withAuthBehind(List.of(APP));
        ch.writeInbound(preflight("https://evil.example.net"));
        FullHttpResponse res = response(ch);
        assertThat(res.status().code()).isEqualTo(403);
        assertThat(res.headers().contains(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN)).isFalse();
        assertThat(res.headers().contains(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS)).isFalse();
        assertThat(Json.obj(bodyAndRelease(res), "error")).containsEntry("code", "origin_not_allowed");
        finish(ch);
    }

    @Test
    void wildcardAllowsAnyOrigin() {
        EmbeddedChannel ch = withAuthBehind(List.of("*"));
        ch.writeInbound(preflight("http://localhost:5173"));
        FullHttpResponse res = response(ch);
        assertThat(res.headers().get(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN)).isEqualTo("http://localhost:5173");
        res.release();
        finish(ch);
    }

    @Test
    void rejectionsFurtherInCarryTheAllowOrigin() {
        EmbeddedChannel ch = withAuthBehind(List.of(APP + "/"));
        ch.writeInbound(post("/v1/chat/completions", 0, "Origin", APP), LastHttpContent.EMPTY_LAST_CONTENT);
        FullHttpResponse res = response(ch);
        assertThat(res.status().code()).isEqualTo(401);
        assertThat(res.headers().get(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN))
                .as("a browser client must be able to read why it failed").isEqualTo(APP);
        assertThat(res.headers().get(HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS)).isEqualTo("retry-after");
        assertThat(res.headers().getAll(HttpHeaderNames.VARY)).contains("origin");
        res.release();
        finish(ch);
    }

    @Test
    void responsesArePairedWithTheirRequestsInOrder() {
        EmbeddedChannel ch = channel("198.51.100.7", new CorsHandler(List.of(APP)));
        ch.writeInbound(get("/health", "Origin", APP), get("/health", "Origin", "https://other.example"), get("/health"));
        for (int i = 0; i < 3; i++) {
            ch.readInbound();
        }
        FullHttpResponse a = Responses.json(HttpResponseStatus.OK, new byte[0]);
        FullHttpResponse b = Responses.json(HttpResponseStatus.OK, new byte[0]);
        FullHttpResponse c = Responses.json(HttpResponseStatus.OK, new byte[0]);
        ch.writeOutbound(a, b, c);
        assertThat(a.headers().get(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN)).isEqualTo(APP);
        assertThat(b.headers().contains(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN)).isFalse();
        assertThat(c.headers().contains(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN)).isFalse();
        finish(ch);
    }

    @Test
    void disabledAddsNothingAndPassesPreflightOn() {
        EmbeddedChannel ch = channel("198.51.100.7", new CorsHandler(List.of()));
        HttpRequest req = preflight(APP);
        ch.writeInbound(req);
        assertThat((Object) ch.readInbound()).as("without ALLOWED_ORIGINS the router decides").isSameAs(req);
        FullHttpResponse res = Responses.json(HttpResponseStatus.OK, new byte[0]);
        ch.writeOutbound(res);
        assertThat(res.headers().contains(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN)).isFalse();
        assertThat(res.headers().contains(HttpHeaderNames.VARY)).isFalse();
        io.netty.util.ReferenceCountUtil.release(req);
        finish(ch);
    }
}
