package gemgate.server.pipeline;

import static gemgate.server.pipeline.HandlerTestSupport.bodyAndRelease;
import static gemgate.server.pipeline.HandlerTestSupport.finish;
import static gemgate.server.pipeline.HandlerTestSupport.response;
import static org.assertj.core.api.Assertions.assertThat;

import gemgate.core.json.Json;
import gemgate.server.endpoint.Endpoints;
import gemgate.server.endpoint.Exchange;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The router on an embedded channel with a recording handler behind it. The routes exercised here (unknown route,
 * wrong method, malformed request) answer without touching upstream, so the gateway has no upstream client or model
 * service; exchanges in flight are stand-ins registered through the router's {@link Exchange.Owner} side.
 */
class RouterHandlerTest {
    private final Endpoints endpoints = new Endpoints(new gemgate.server.endpoint.Gateway(
            new gemgate.core.keys.KeyPool(List.of(), java.time.Clock.systemUTC()), null, null,
            gemgate.core.models.ModelFilter.allowAll(), gemgate.core.translate.TranslateOptions.defaults(), "v1beta",
            1, 1, false, java.time.Duration.ofSeconds(1), 1 << 20, java.time.Clock.systemUTC(),
            new gemgate.core.config.Settings.Embeddings("gemini-embedding-001", 2048, 2),
            gemgate.server.media.MediaFetcher.disabled(io.netty.channel.socket.nio.NioSocketChannel.class)), "test",
            new gemgate.server.metrics.Metrics());
    private final RouterHandler router = new RouterHandler(endpoints);
    private final List<Object> passedOn = new ArrayList<>();
    private final EmbeddedChannel ch = new EmbeddedChannel(router, new Recorder(passedOn));

    @AfterEach
    void tearDown() {
        assertThat(passedOn).as("the router is terminal: nothing passes it").isEmpty();
        finish(ch);
    }

    /** Records (and releases) whatever the handler under test lets through. */
    private static final class Recorder extends ChannelInboundHandlerAdapter {
        private final List<Object> seen;

        Recorder(List<Object> seen) {
            this.seen = seen;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            seen.add(msg.getClass().getSimpleName());
            ReferenceCountUtil.release(msg);
        }
    }

    /** An exchange in flight that records what the router tells it. */
    private static final class FakeExchange implements Exchange {
        int writable;
        boolean cancelled;

        @Override
        public void onWritable() {
            writable++;
        }

        @Override
        public void cancel() {
            cancelled = true;
        }
    }

    private static FullHttpRequest request(HttpMethod method, String uri) {
        FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri, Unpooled.buffer(0));
        req.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        return req;
    }

    // ---- routes answered at once ----

    @Test
    void unknownRouteGets404InOpenAiShapeAndKeepsTheConnection() {
        FullHttpRequest req = request(HttpMethod.GET, "/v2/nothing?x=1");
        ch.writeInbound(req);
        FullHttpResponse res = response(ch);
        assertThat(res.status().code()).isEqualTo(404);
        assertThat(res.headers().get(HttpHeaderNames.CONTENT_TYPE)).startsWith("application/json");
        Map<String, Object> err = Json.obj(bodyAndRelease(res), "error");
        assertThat(err).containsEntry("type", "invalid_request_error").containsEntry("code", "not_found").containsKey("param");
        assertThat(Json.str(err, "message")).as("the message names the route without the query and hints at /v1")
                .startsWith("Unknown route GET /v2/nothing.").contains("/v1");
        assertThat(req.refCnt()).as("the router releases the request it answered").isZero();
        assertThat(ch.isOpen()).as("a complete bodiless request keeps the connection").isTrue();
    }

    @Test
    void unknownNativeRouteGets404InGoogleShape() {
        ch.writeInbound(request(HttpMethod.GET, "/v1beta/nothing"));
        FullHttpResponse res = response(ch);
        assertThat(res.status().code()).isEqualTo(404);
        Map<String, Object> err = Json.obj(bodyAndRelease(res), "error");
        assertThat(err).as("native Gemini routes answer in google.rpc.Status shape")
                .containsEntry("code", 404L).containsEntry("status", "NOT_FOUND").containsKey("message");
    }

    @Test
    void knownRouteWithTheWrongMethodGets405() {
        ch.writeInbound(request(HttpMethod.GET, "/v1/chat/completions"));
        FullHttpResponse res = response(ch);
        assertThat(res.status().code()).isEqualTo(405);
        Map<String, Object> err = Json.obj(bodyAndRelease(res), "error");
        assertThat(err).containsEntry("code", "method_not_allowed");
        assertThat(Json.str(err, "message")).isEqualTo("Method GET is not allowed on /v1/chat/completions.");

        ch.writeInbound(request(HttpMethod.DELETE, "/models/"));
        FullHttpResponse res2 = response(ch);
        assertThat(res2.status().code()).as("the trailing slash is ignored when matching routes").isEqualTo(405);
        res2.release();
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void malformedHttpGets400AndTheConnectionIsClosed() {
        EmbeddedChannel wire = new EmbeddedChannel(new HttpServerCodec(4096, 8192, 8192), new BodyLimitAggregator(1024),
                new RouterHandler(endpoints));
        wire.writeInbound(Unpooled.copiedBuffer("GET /v1/models HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
                StandardCharsets.US_ASCII));
        String out = drainText(wire);
        assertThat(out).startsWith("HTTP/1.1 400 Bad Request\r\n");
        assertThat(out.toLowerCase()).contains("\r\nconnection: close\r\n");
        Map<String, Object> err = Json.obj(Json.parseObject(body(out)), "error");
        assertThat(err).containsEntry("code", "invalid_request").containsEntry("message", "Malformed HTTP request.");
        assertThat(wire.isOpen()).as("after a request we could not parse, the byte stream cannot be trusted").isFalse();
        finish(wire);
    }

    @Test
    void overlongRequestLineGets414AndTheConnectionIsClosed() {
        EmbeddedChannel wire = new EmbeddedChannel(new HttpServerCodec(64, 8192, 8192), new BodyLimitAggregator(1024),
                new RouterHandler(endpoints));
        wire.writeInbound(Unpooled.copiedBuffer("GET /" + "a".repeat(200) + " HTTP/1.1\r\nHost: x\r\n\r\n",
                StandardCharsets.US_ASCII));
        String out = drainText(wire);
        assertThat(out).startsWith("HTTP/1.1 414 ");
        assertThat(Json.obj(Json.parseObject(body(out)), "error")).containsEntry("code", "uri_too_long");
        assertThat(wire.isOpen()).isFalse();
        finish(wire);
    }

    // ---- the exchange in flight ----

    @Test
    void idleEventClosesOnlyBetweenRequests() {
        FakeExchange ex = new FakeExchange();
        router.exchangeStarted(ex);
        ch.pipeline().fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);
        assertThat(ch.isOpen()).as("a long stream (or a slow first byte) is not idleness").isTrue();
        assertThat(ex.cancelled).isFalse();

        router.exchangeDone(ex);
        ch.pipeline().fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);
        assertThat(ch.isOpen()).as("an idle connection between requests is closed").isFalse();
    }

    @Test
    void closeCancelsTheExchangeAndReleasesTheHeldRequest() {
        FakeExchange ex = new FakeExchange();
        router.exchangeStarted(ex);
        FullHttpRequest held = request(HttpMethod.GET, "/v2/held");
        ch.writeInbound(held);
        assertThat((Object) ch.readOutbound()).as("a pipelined request waits for the current answer").isNull();
        assertThat(held.refCnt()).as("the router holds the pipelined request").isEqualTo(1);

        ch.close();
        assertThat(ex.cancelled).as("a client that went away cancels its upstream work").isTrue();
        assertThat(held.refCnt()).as("the held request is released when the client goes").isZero();
    }

    @Test
    void heldRequestIsAnsweredAfterTheCurrentOne() {
        FakeExchange ex = new FakeExchange();
        router.exchangeStarted(ex);
        FullHttpRequest held = request(HttpMethod.GET, "/v2/held");
        ch.writeInbound(held);
        router.exchangeDone(ex);
        ch.runPendingTasks();
        FullHttpResponse res = response(ch);
        assertThat(Json.str(Json.obj(bodyAndRelease(res), "error"), "message")).startsWith("Unknown route GET /v2/held.");
        assertThat(held.refCnt()).isZero();
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void responsesStayInRequestOrderWhenARequestArrivesBeforeTheHeldOneIsDispatched() {
        FakeExchange ex = new FakeExchange();
        router.exchangeStarted(ex);
        FullHttpRequest second = request(HttpMethod.GET, "/v2/second");
        ch.writeInbound(second);
        router.exchangeDone(ex); // dispatch of the held request is deferred to a task...
        FullHttpRequest third = request(HttpMethod.GET, "/v2/third");
        ch.pipeline().fireChannelRead(third); // ...and the next request is read before that task runs
        ch.runPendingTasks();

        List<String> order = new ArrayList<>();
        Object o;
        while ((o = ch.readOutbound()) != null) {
            order.add(Json.str(Json.obj(bodyAndRelease((FullHttpResponse) o), "error"), "message"));
        }
        assertThat(order).as("HTTP/1.1 answers pipelined requests in the order they came").hasSize(2);
        assertThat(order.get(0)).startsWith("Unknown route GET /v2/second.");
        assertThat(order.get(1)).startsWith("Unknown route GET /v2/third.");
        assertThat(second.refCnt()).isZero();
        assertThat(third.refCnt()).isZero();
    }

    @Test
    void aSecondPipelinedRequestClosesTheConnection() {
        FakeExchange ex = new FakeExchange();
        router.exchangeStarted(ex);
        FullHttpRequest held = request(HttpMethod.GET, "/v2/a");
        FullHttpRequest extra = request(HttpMethod.GET, "/v2/b");
        ch.writeInbound(held, extra);
        assertThat(ch.isOpen()).as("only one pipelined request is held; more is abuse").isFalse();
        assertThat(ex.cancelled).isTrue();
        assertThat(extra.refCnt()).isZero();
        assertThat(held.refCnt()).isZero();
    }

    @Test
    void writabilityIsPassedToTheExchangeInFlight() {
        setWritable(false);
        setWritable(true); // no exchange yet: nothing to tell, nothing breaks

        FakeExchange ex = new FakeExchange();
        router.exchangeStarted(ex);
        setWritable(false);
        assertThat(ex.writable).as("becoming unwritable is not news for the exchange; it checks before reading on")
                .isZero();
        setWritable(true);
        assertThat(ex.writable).as("writable again: the paused upstream read resumes").isEqualTo(1);

        router.exchangeDone(new FakeExchange());
        setWritable(false);
        setWritable(true);
        assertThat(ex.writable).as("a stale exchangeDone does not detach the exchange in flight").isEqualTo(2);

        router.exchangeDone(ex);
        setWritable(false);
        setWritable(true);
        assertThat(ex.writable).as("a finished exchange hears nothing more").isEqualTo(2);
    }

    /** Flips writability; the outbound buffer announces the change from a task, so run it. */
    private void setWritable(boolean writable) {
        ch.unsafe().outboundBuffer().setUserDefinedWritability(1, writable);
        ch.runPendingTasks();
    }

    // ---- helpers ----

    private static String drainText(EmbeddedChannel wire) {
        StringBuilder sb = new StringBuilder();
        Object o;
        while ((o = wire.readOutbound()) != null) {
            ByteBuf b = (ByteBuf) o;
            sb.append(b.toString(StandardCharsets.UTF_8));
            b.release();
        }
        return sb.toString();
    }

    private static byte[] body(String httpText) {
        return httpText.substring(httpText.indexOf("\r\n\r\n") + 4).getBytes(StandardCharsets.UTF_8);
    }
}
