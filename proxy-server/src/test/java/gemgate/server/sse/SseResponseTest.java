package gemgate.server.sse;

import static org.assertj.core.api.Assertions.assertThat;

import gemgate.core.sse.Sse;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The SSE writer on an embedded channel with frozen, simulated time: the outbound queue is the recorder (it only
 * receives what was flushed), and every buffer read from it is released and checked to reach refcount zero.
 */
class SseResponseTest {
    private static final Duration INTERVAL = Duration.ofSeconds(15);
    private static final String EVENT = "data: {\"x\":1}\n\n";

    private EmbeddedChannel ch;
    private ChannelHandlerContext ctx;

    @BeforeEach
    void setUp() {
        ch = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
        ch.freezeTime();
        ctx = ch.pipeline().firstContext();
    }

    @AfterEach
    void tearDown() {
        Object o;
        while ((o = ch.readOutbound()) != null) {
            ReferenceCountUtil.release(o);
        }
        ch.finishAndReleaseAll();
    }

    private SseResponse sse(boolean keepAliveConnection) {
        return new SseResponse(ctx, keepAliveConnection, INTERVAL, Sse.KEEPALIVE);
    }

    private void advance(Duration d) {
        ch.advanceTimeBy(d.toMillis(), TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
    }

    private boolean timerPending() {
        return ch.runScheduledPendingTasks() != -1;
    }

    /** Reads the head, checks it is a streamed SSE head, releases it. */
    private HttpResponse head() {
        Object o = ch.readOutbound();
        assertThat(o).as("the head goes out first").isInstanceOf(HttpResponse.class).isNotInstanceOf(FullHttpResponse.class);
        HttpResponse head = (HttpResponse) o;
        assertThat(head.status().code()).isEqualTo(200);
        assertThat(head.headers().get(HttpHeaderNames.CONTENT_TYPE)).startsWith("text/event-stream");
        assertThat(head.headers().get(HttpHeaderNames.CACHE_CONTROL)).isEqualTo("no-cache");
        assertThat(head.headers().get("X-Accel-Buffering")).as("nginx must not buffer the stream").isEqualTo("no");
        assertThat(HttpUtil.isTransferEncodingChunked(head)).as("a stream is chunked").isTrue();
        assertThat(head.headers().contains(HttpHeaderNames.CONTENT_LENGTH)).as("a stream never has a length").isFalse();
        assertThat(head.headers().contains(HttpHeaderNames.CONTENT_ENCODING)).as("a stream is never compressed").isFalse();
        return head;
    }

    /** Reads one body chunk (not the last), returns its text and checks that releasing it frees the buffer. */
    private String chunk() {
        Object o = ch.readOutbound();
        assertThat(o).as("a body chunk").isInstanceOf(HttpContent.class).isNotInstanceOf(LastHttpContent.class);
        HttpContent c = (HttpContent) o;
        String text = c.content().toString(StandardCharsets.UTF_8);
        c.release();
        assertThat(c.refCnt()).as("a written chunk is freed once its last holder releases it").isZero();
        return text;
    }

    private void assertNothingWritten(String why) {
        assertThat((Object) ch.readOutbound()).as(why).isNull();
    }

    @Test
    void keepaliveIsAnSseComment() {
        assertThat(new String(Sse.KEEPALIVE, StandardCharsets.US_ASCII)).isEqualTo(": keepalive\n\n");
    }

    @Test
    void headIsLazyAndKeepalivesComeEveryInterval() {
        SseResponse sse = sse(true);
        sse.startKeepalives();
        advance(INTERVAL.minusMillis(1));
        assertNothingWritten("nothing, not even the head, goes out before the first keepalive is due");
        assertThat(sse.headSent()).as("a request that fails now can still get a real HTTP status").isFalse();

        advance(Duration.ofMillis(1));
        HttpResponse head = head();
        assertThat(head.headers().contains(HttpHeaderNames.CONNECTION)).as("keep-alive connection: no Connection: close")
                .isFalse();
        assertThat(chunk()).isEqualTo(": keepalive\n\n");
        assertNothingWritten("one keepalive per interval");

        advance(INTERVAL);
        assertThat(chunk()).as("the next keepalive, with no second head").isEqualTo(": keepalive\n\n");
        advance(INTERVAL);
        assertThat(chunk()).isEqualTo(": keepalive\n\n");
        assertThat(sse.dataSent()).as("keepalives are not data: the attempt may still be retried").isFalse();
        sse.abandon();
    }

    @Test
    void keepalivesAreSkippedWhileTheClientIsNotWritable() {
        SseResponse sse = sse(true);
        sse.startKeepalives();
        ch.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
        assertThat(ch.isWritable()).isFalse();

        advance(INTERVAL);
        advance(INTERVAL);
        assertNothingWritten("a slow client's queue gets no keepalives");
        assertThat(sse.headSent()).isFalse();
        assertThat(timerPending()).as("skipping is not stopping: the timer keeps running").isTrue();

        ch.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
        advance(INTERVAL);
        head();
        assertThat(chunk()).as("keepalives resume once the client drains").isEqualTo(": keepalive\n\n");
        sse.abandon();
    }

    @Test
    void keepalivesStopForGoodAtTheFirstDataEvent() {
        SseResponse sse = sse(true);
        sse.startKeepalives();
        advance(INTERVAL);
        head();
        chunk();

        sse.writeEvent(EVENT.getBytes(StandardCharsets.UTF_8));
        assertThat(chunk()).as("each event is flushed as soon as it is written").isEqualTo(EVENT);
        assertThat(sse.dataSent()).isTrue();
        assertThat(timerPending()).as("the keepalive timer is cancelled at the first data event").isFalse();

        advance(INTERVAL);
        advance(INTERVAL);
        assertNothingWritten("no keepalive after data");
    }

    @Test
    void firstEventSendsTheHeadThenTheEvent() {
        SseResponse sse = sse(true);
        sse.startKeepalives();
        sse.writeEvent(EVENT.getBytes(StandardCharsets.UTF_8));
        head();
        assertThat(chunk()).isEqualTo(EVENT);
        sse.writeEvent("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        assertThat(chunk()).as("the head is sent once").isEqualTo("data: [DONE]\n\n");
        assertThat(timerPending()).isFalse();
    }

    @Test
    void queuedEventsGoOutTogetherAtTheNextFlush() {
        SseResponse sse = sse(true);
        sse.queueEvent(EVENT.getBytes(StandardCharsets.UTF_8));
        sse.queueEvent("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        assertNothingWritten("queued events wait for the flush (one write for one upstream read)");
        assertThat(sse.dataSent()).isTrue();
        sse.flush();
        head();
        assertThat(chunk()).isEqualTo(EVENT);
        assertThat(chunk()).isEqualTo("data: [DONE]\n\n");
        sse.flush();
        assertNothingWritten("a second flush has nothing to send");
    }

    @Test
    void endWritesTheLastContentAndKeepsAKeepAliveConnectionOpen() {
        SseResponse sse = sse(true);
        sse.startKeepalives();
        sse.writeEvent(EVENT.getBytes(StandardCharsets.UTF_8));
        head();
        chunk();

        sse.end();
        assertThat((Object) ch.readOutbound()).as("end() terminates the chunked body").isInstanceOf(LastHttpContent.class);
        assertThat(sse.ended()).isTrue();
        assertThat(ch.isOpen()).as("a keep-alive connection stays open for the next request").isTrue();

        sse.writeEvent(EVENT.getBytes(StandardCharsets.UTF_8));
        sse.end();
        assertNothingWritten("nothing is written after the end");
    }

    @Test
    void endWithoutDataStillSendsAHeadAndClosesANonKeepAliveConnection() {
        SseResponse sse = sse(false);
        sse.startKeepalives();
        sse.end();
        HttpResponse head = head();
        assertThat(head.headers().get(HttpHeaderNames.CONNECTION)).isEqualToIgnoringCase("close");
        assertThat((Object) ch.readOutbound()).isInstanceOf(LastHttpContent.class);
        assertThat(ch.isOpen()).as("a non-keep-alive connection is closed after the last chunk").isFalse();
        assertThat(timerPending()).as("end() cancels the keepalive timer").isFalse();
    }

    @Test
    void closedConnectionStopsTheKeepaliveTimer() {
        SseResponse sse = sse(true);
        sse.startKeepalives();
        ch.close();
        advance(INTERVAL);
        assertNothingWritten("nothing is written to a closed connection");
        assertThat(timerPending()).as("the first tick after close cancels the timer").isFalse();
        assertThat(sse.headSent()).isFalse();
    }

    @Test
    void abandonStopsEverything() {
        SseResponse sse = sse(true);
        sse.startKeepalives();
        sse.abandon();
        assertThat(timerPending()).isFalse();
        sse.writeEvent(EVENT.getBytes(StandardCharsets.UTF_8));
        sse.end();
        advance(INTERVAL);
        assertNothingWritten("an abandoned stream writes nothing");
        assertThat(ch.isOpen()).as("abandon() itself does not close the connection").isTrue();
    }

    @Test
    void zeroIntervalMeansNoKeepalives() {
        SseResponse sse = new SseResponse(ctx, true, Duration.ZERO, Sse.KEEPALIVE);
        sse.startKeepalives();
        assertThat(timerPending()).isFalse();
        sse.end();
        head();
        assertThat((Object) ch.readOutbound()).isInstanceOf(LastHttpContent.class);
    }
}
