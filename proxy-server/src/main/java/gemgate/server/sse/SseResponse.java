package gemgate.server.sse;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The client side of one event stream. The head goes out once, lazily: with the first keepalive or the first
 * event, so a request that fails before either still gets a real HTTP status. Every event is flushed on its own,
 * never compressed, never with a length. Keepalive comments go out on a timer, are skipped while the client is not
 * writable, and stop for good at the first data event, at the end, or when the connection closes.
 */
public final class SseResponse {
    private final ChannelHandlerContext ctx;
    private final boolean keepAliveConnection;
    private final Duration keepaliveInterval;
    private final byte[] keepaliveBytes;
    private final String contentType;
    private ScheduledFuture<?> keepaliveTimer;
    private boolean headSent;
    private boolean dataSent;
    private boolean ended;
    private boolean pendingFlush;

    /**
     * @param keepaliveBytes the exact keepalive to send (an SSE comment for OpenAI clients)
     */
    public SseResponse(ChannelHandlerContext ctx, boolean keepAliveConnection, Duration keepaliveInterval, byte[] keepaliveBytes) {
        this(ctx, keepAliveConnection, keepaliveInterval, keepaliveBytes, "text/event-stream; charset=utf-8");
    }

    /**
     * @param contentType the stream's type: an event stream, or {@code application/json} for Gemini's streamed JSON
     *                    array, which is written the same way (head once, flushed pieces, keepalives before data)
     */
    public SseResponse(ChannelHandlerContext ctx, boolean keepAliveConnection, Duration keepaliveInterval, byte[] keepaliveBytes,
            String contentType) {
        this.ctx = ctx;
        this.keepAliveConnection = keepAliveConnection;
        this.keepaliveInterval = keepaliveInterval;
        this.keepaliveBytes = keepaliveBytes;
        this.contentType = contentType;
    }

    /** Starts the keepalive timer (first keepalive after one interval). */
    public void startKeepalives() {
        long ms = keepaliveInterval.toMillis();
        if (ms <= 0 || ended) {
            return;
        }
        keepaliveTimer = ctx.executor().scheduleAtFixedRate(this::keepalive, ms, ms, TimeUnit.MILLISECONDS);
    }

    private void keepalive() {
        if (ended || dataSent || !ctx.channel().isActive()) {
            stopKeepalives();
            return;
        }
        if (!ctx.channel().isWritable()) {
            return; // a slow client is already behind; a keepalive would only add to its queue
        }
        sendHead();
        ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(keepaliveBytes)));
    }

    public void stopKeepalives() {
        if (keepaliveTimer != null) {
            keepaliveTimer.cancel(false);
            keepaliveTimer = null;
        }
    }

    public boolean headSent() {
        return headSent;
    }

    /** True once a data event (not a keepalive) went out: from then on an attempt may not be retried. */
    public boolean dataSent() {
        return dataSent;
    }

    public boolean ended() {
        return ended;
    }

    public boolean isWritable() {
        return ctx.channel().isWritable();
    }

    /** Sends the head now if it has not gone out yet. */
    public void sendHead() {
        if (headSent) {
            return;
        }
        headSent = true;
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        head.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
        head.headers().set("X-Accel-Buffering", "no");
        HttpUtil.setTransferEncodingChunked(head, true);
        if (!keepAliveConnection) {
            head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        ctx.write(head);
    }

    /** Writes and flushes one complete event (already framed, e.g. {@code data: …\n\n}). */
    public void writeEvent(byte[] event) {
        queueEvent(event);
        flush();
    }

    /**
     * Writes one complete event without flushing, for several events that became ready together (all those
     * translated from one upstream read): {@link #flush()} or {@link #end()} then sends them in one system call.
     * Flushing per upstream read rather than per event delays nothing, since the events exist at the same moment.
     */
    public void queueEvent(byte[] event) {
        if (ended) {
            return;
        }
        stopKeepalives();
        sendHead();
        dataSent = true;
        pendingFlush = true;
        ctx.write(new DefaultHttpContent(Unpooled.wrappedBuffer(event)));
    }

    /** Flushes events queued since the last flush. */
    public void flush() {
        if (pendingFlush) {
            pendingFlush = false;
            ctx.flush();
        }
    }

    /** Ends the stream; closes the connection afterwards unless it is keep-alive. */
    public void end() {
        if (ended) {
            return;
        }
        ended = true;
        stopKeepalives();
        sendHead();
        pendingFlush = false;
        var f = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        if (!keepAliveConnection) {
            f.addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Client gone or request abandoned: stop timers, write nothing more. */
    public void abandon() {
        ended = true;
        stopKeepalives();
    }
}
