package gemgate.server.pipeline;

import static gemgate.server.pipeline.HandlerTestSupport.assertReleased;
import static gemgate.server.pipeline.HandlerTestSupport.bodyAndRelease;
import static gemgate.server.pipeline.HandlerTestSupport.channel;
import static gemgate.server.pipeline.HandlerTestSupport.chunk;
import static gemgate.server.pipeline.HandlerTestSupport.finish;
import static gemgate.server.pipeline.HandlerTestSupport.last;
import static gemgate.server.pipeline.HandlerTestSupport.post;
import static gemgate.server.pipeline.HandlerTestSupport.response;
import static org.assertj.core.api.Assertions.assertThat;

import gemgate.core.json.Json;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BodyLimitAggregatorTest {

    private static EmbeddedChannel channel10() {
        return channel("198.51.100.7", new BodyLimitAggregator(10));
    }

    @Test
    void bodyWithinLimitIsAggregated() {
        EmbeddedChannel ch = channel10();
        ch.writeInbound(post("/v1/chat/completions", 7), chunk("{\"a\""), last(":1}"));
        FullHttpRequest full = ch.readInbound();
        assertThat(full.content().toString(StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}");
        full.release();
        finish(ch);
    }

    @Test
    void contentLengthTooLargeIsRejectedBeforeReading() {
        EmbeddedChannel ch = channel10();
        ch.writeInbound(post("/v1/chat/completions", 11));
        assertThat((Object) ch.readInbound()).isNull();
        FullHttpResponse res = response(ch);
        assertThat(res.status().code()).isEqualTo(413);
        assertThat(res.headers().get(HttpHeaderNames.CONNECTION)).isEqualToIgnoringCase("close");
        Map<String, Object> err = Json.obj(bodyAndRelease(res), "error");
        assertThat(err).containsEntry("code", "request_too_large").containsEntry("type", "invalid_request_error");
        assertThat(Json.str(err, "message")).contains("limit of 10 bytes");
        assertThat(ch.isOpen()).as("we will not read a body we refused").isFalse();
        finish(ch);
    }

    @Test
    void chunkedBodyOverflowingIsRejectedWhileReading() {
        EmbeddedChannel ch = channel10();
        HttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST,
                "/v1beta/models/gemini-2.5-flash:generateContent");
        head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        HttpContent c1 = chunk("123456");
        HttpContent c2 = chunk("7890123");
        LastHttpContent c3 = last("45");
        ch.writeInbound(head, c1, c2, c3);
        assertThat((Object) ch.readInbound()).isNull();
        assertReleased(c1, c2, c3);
        FullHttpResponse res = response(ch);
        assertThat(res.status().code()).isEqualTo(413);
        assertThat(Json.obj(bodyAndRelease(res), "error"))
                .as("Gemini routes get Google's shape").containsEntry("status", "INVALID_ARGUMENT").containsEntry("code", 413L);
        assertThat(ch.isOpen()).isFalse();
        finish(ch);
    }

    @Test
    void expectContinueWithinLimitGets100() {
        EmbeddedChannel ch = channel10();
        ch.writeInbound(post("/v1/chat/completions", 2, "Expect", "100-continue"));
        HttpResponse cont = ch.readOutbound();
        assertThat(cont.status().code()).isEqualTo(100);
        io.netty.util.ReferenceCountUtil.release(cont);
        ch.writeInbound(last("{}"));
        FullHttpRequest full = ch.readInbound();
        assertThat(full.content().readableBytes()).isEqualTo(2);
        full.release();
        finish(ch);
    }

    @Test
    void expectContinueTooLargeGets413AndConnectionStaysUsable() {
        EmbeddedChannel ch = channel10();
        ch.writeInbound(post("/v1/chat/completions", 1000, "Expect", "100-continue"));
        FullHttpResponse res = response(ch);
        assertThat(res.status().code()).isEqualTo(413);
        assertThat(Json.obj(bodyAndRelease(res), "error")).containsEntry("code", "request_too_large");
        assertThat(ch.isOpen()).as("the client sent no body yet, so the connection is still in sync").isTrue();

        ch.writeInbound(post("/v1/chat/completions", 2), last("{}"));
        FullHttpRequest next = ch.readInbound();
        assertThat(next).as("the next request on the same connection works").isNotNull();
        assertThat(next.content().toString(StandardCharsets.UTF_8)).isEqualTo("{}");
        next.release();
        finish(ch);
    }
}
