package gemgate.server.emulator;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Writes one streamed answer on the event loop: the head once, then one flushed chunk per event, spaced by a timer
 * (never a sleep) and paused while the channel is not writable, so a slow client never makes the emulator queue
 * more than one event. Events are kept as byte arrays and wrapped only when written, so nothing is left to release
 * when the client goes away. After {@code resetAfter} events the connection is closed without the chunked body's
 * terminator: the client sees a truncated stream.
 */
final class StreamWriter implements EmulatorHandler.Reply {
    private final ChannelHandlerContext ctx;
    private final HttpResponse head;
    private final List<byte[]> events;
    private final byte[] tail;
    private final long spacingNanos;
    private final int resetAfter;
    private final Runnable onDone;
    private int next;
    private boolean finished;
    private boolean waitingForWritable;
    private ScheduledFuture<?> timer;
    private ChannelFuture lastWrite;

    /**
     * @param events framed event bytes, one chunk each
     * @param tail bytes sent with the end of the body (may be empty)
     * @param resetAfter events written before an abrupt close, or -1
     * @param onDone run once, when the stream ends or is cancelled
     */
    StreamWriter(ChannelHandlerContext ctx, HttpResponse head, List<byte[]> events, byte[] tail, long spacingNanos,
            int resetAfter, Runnable onDone) {
        this.ctx = ctx;
        this.head = head;
        this.events = events;
        this.tail = tail;
        this.spacingNanos = spacingNanos;
        this.resetAfter = resetAfter;
        this.onDone = onDone;
    }

    @Override
    public void start() {
        lastWrite = ctx.writeAndFlush(head);
        pump();
    }

    private void pump() {
        timer = null;
        while (!finished) {
            if (resetAfter >= 0 && next >= resetAfter) {
                lastWrite.addListener(ChannelFutureListener.CLOSE);
                finish();
                return;
            }
            if (next == events.size()) {
                LastHttpContent end = tail.length == 0
                        ? LastHttpContent.EMPTY_LAST_CONTENT : new DefaultLastHttpContent(Unpooled.wrappedBuffer(tail));
                ctx.writeAndFlush(end);
                finish();
                return;
            }
            if (!ctx.channel().isWritable()) {
                waitingForWritable = true;
                return;
            }
            lastWrite = ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(events.get(next++))));
            boolean resetNow = resetAfter >= 0 && next >= resetAfter;
            if (spacingNanos > 0 && next < events.size() && !resetNow) {
                timer = ctx.executor().schedule(this::pump, spacingNanos, TimeUnit.NANOSECONDS);
                return;
            }
        }
    }

    @Override
    public void writabilityChanged() {
        if (waitingForWritable && !finished && ctx.channel().isWritable()) {
            waitingForWritable = false;
            pump();
        }
    }

    /** The client went away: stop writing; buffers already queued are released by the closing channel. */
    @Override
    public void cancel() {
        finish();
    }

    private void finish() {
        if (finished) {
            return;
        }
        finished = true;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        onDone.run();
    }
}
