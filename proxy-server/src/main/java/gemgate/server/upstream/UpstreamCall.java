package gemgate.server.upstream;

import gemgate.core.error.ApiError;
import gemgate.core.keys.KeyMask;
import gemgate.core.keys.UpstreamFailure;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import io.netty.channel.pool.ChannelPool;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP exchange with Gemini over a pooled connection of the caller's event loop. Everything happens on that
 * loop. The response is handed to the {@link Listener} as it arrives, with bytes copied out of Netty's buffers; the
 * next chunk is read only when the listener asks for it ({@link #resume()}), which is how a slow client slows the
 * upstream read. The connection returns to the pool only after a complete, keep-alive response; any error, timeout
 * or cancel closes it. The key travels only in {@code x-goog-api-key}.
 *
 * <p>The exchange does not care what kind of connection it rides on beyond "send a request, get a response head
 * and body parts", so an HTTP/2 stream can later stand in for the pooled HTTP/1.1 connection.
 */
public final class UpstreamCall {
    private static final Logger log = LoggerFactory.getLogger(UpstreamCall.class);

    /** Callbacks, all on the event loop. */
    public interface Listener {
        /** The response head arrived. */
        void onHead(int status, HttpResponse head);

        /**
         * A piece of the body. Return true to keep reading at once, false to pause until {@link #resume()}.
         */
        boolean onBody(byte[] bytes);

        /** The body ended normally. */
        void onEnd();

        /**
         * The exchange failed: connect error, reset, timeout, or a response larger than allowed.
         *
         * @param kind    what happened
         * @param detail  a message for logs and clients, free of keys
         */
        void onFailure(FailureKind kind, String detail);
    }

    public enum FailureKind {
        CONNECT, TIMEOUT, RESET, TOO_LARGE, POOL_EXHAUSTED;

        /** The failure as the key pool sorts it: a timeout, or else a connection failure (moves on to the next key). */
        public UpstreamFailure toFailure(String detail) {
            return this == TIMEOUT ? UpstreamFailure.timeout(detail)
                    : UpstreamFailure.connection(detail);
        }

        /** What the client is told inside a stream that this failure broke after data went out. */
        public ApiError streamBrokeError(String detail) {
            return this == TIMEOUT ? ApiError.upstreamTimeout(detail)
                    : ApiError.upstreamFailed("The Gemini stream broke off: " + detail);
        }
    }

    private enum State { NEW, ACQUIRING, SENT, RECEIVING, DONE }

    /** A reused connection that fails within this time after the request was sent was stale before we used it. */
    private static final long STALE_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final UpstreamClient client;
    private final EventLoop loop;
    private final HttpMethod method;
    private final String pathAndQuery;
    private final String apiKey;
    private final byte[] body;
    private final Listener listener;
    private long maxBody;

    private State state = State.NEW;
    private ChannelPool pool;
    private Channel channel;
    private boolean reusedConnection;
    private boolean retriedStale;
    private boolean paused;
    private boolean keepAlive;
    private long received;
    private ScheduledFuture<?> timer;
    private long sentAtNanos;

    UpstreamCall(UpstreamClient client, EventLoop loop, HttpMethod method, String pathAndQuery, String apiKey,
            byte[] body, long maxBody, Listener listener) {
        this.client = client;
        this.loop = loop;
        this.method = method;
        this.pathAndQuery = pathAndQuery;
        this.apiKey = apiKey;
        this.body = body;
        this.maxBody = maxBody;
        this.listener = listener;
    }

    /** Starts the exchange; must be called on {@code loop}. */
    public void start() {
        assert loop.inEventLoop();
        if (state != State.NEW) {
            throw new IllegalStateException("an upstream call starts once");
        }
        acquire();
    }

    private void acquire() {
        state = State.ACQUIRING;
        pool = client.poolFor(loop);
        pool.acquire().addListener((Future<Channel> f) -> {
            if (state == State.DONE) {
                // Cancelled while waiting for a connection: hand it straight back.
                if (f.isSuccess()) {
                    pool.release(f.getNow());
                }
                return;
            }
            if (!f.isSuccess()) {
                Throwable c = f.cause();
                // FixedChannelPool: IllegalStateException "Too many outstanding acquire operations", or a
                // TimeoutException when no connection freed up in time. Connect failures are IOExceptions.
                FailureKind kind = c instanceof IllegalStateException || c instanceof java.util.concurrent.TimeoutException
                        ? FailureKind.POOL_EXHAUSTED : FailureKind.CONNECT;
                fail(kind, "cannot connect to " + client.options().hostHeader() + ": " + describe(c));
                return;
            }
            send(f.getNow());
        });
    }

    private void send(Channel ch) {
        channel = ch;
        reusedConnection = Boolean.TRUE.equals(ch.attr(UpstreamClient.USED).get());
        ch.attr(UpstreamClient.USED).set(Boolean.TRUE);
        ch.attr(UpstreamClient.CALL).set(this);
        state = State.SENT;
        sentAtNanos = System.nanoTime();
        FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method,
                client.options().basePath() + pathAndQuery,
                body == null ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        req.headers().set(HttpHeaderNames.HOST, client.options().hostHeader());
        req.headers().set("x-goog-api-key", apiKey);
        req.headers().set(HttpHeaderNames.USER_AGENT, UpstreamClient.USER_AGENT);
        req.headers().set(HttpHeaderNames.ACCEPT, "*/*");
        req.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        if (body != null) {
            req.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
            req.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        }
        armTimer(client.options().firstByteTimeout(), "no answer from Gemini within ");
        ch.writeAndFlush(req).addListener((ChannelFutureListener) wf -> {
            // Only the write on the connection still in use counts: after a stale-connection retry a late failure
            // of the old write must not fail the new attempt.
            if (!wf.isSuccess() && channel == ch && state == State.SENT) {
                connectionLost("could not send the request: " + describe(wf.cause()));
            }
        });
        ch.read();
    }

    // ---- called by UpstreamResponseHandler, on the loop ----

    void onResponse(HttpResponse head) {
        if (state != State.SENT) {
            return;
        }
        state = State.RECEIVING;
        keepAlive = HttpUtil.isKeepAlive(head);
        String type = head.headers().get(io.netty.handler.codec.http.HttpHeaderNames.CONTENT_TYPE);
        if (type != null && type.startsWith("text/event-stream")) {
            // A stream is never held whole: each event is capped by the SSE parser instead (max-sse-event).
            maxBody = Long.MAX_VALUE;
        }
        if (head.decoderResult().isFailure()) {
            fail(FailureKind.RESET, "malformed response from upstream: " + describe(head.decoderResult().cause()));
            return;
        }
        armTimer(client.options().idleTimeout(), "Gemini went silent for more than ");
        listener.onHead(head.status().code(), head);
    }

    /** Returns nothing; decides itself whether to read on. The content is released by the caller. */
    void onContent(HttpContent content) {
        if (state != State.RECEIVING) {
            return;
        }
        if (content.decoderResult().isFailure()) {
            // A corrupt chunked body: the decoder has given up on this connection, and the body is cut short.
            fail(FailureKind.RESET, "malformed response body from upstream: " + describe(content.decoderResult().cause()));
            return;
        }
        ByteBuf buf = content.content();
        int n = buf.readableBytes();
        received += n;
        if (received > maxBody) {
            fail(FailureKind.TOO_LARGE, "the upstream response is larger than the limit of " + maxBody + " bytes");
            return;
        }
        boolean last = content instanceof LastHttpContent;
        boolean more = true;
        if (n > 0) {
            byte[] bytes = new byte[n];
            buf.getBytes(buf.readerIndex(), bytes);
            more = listener.onBody(bytes);
        }
        if (state != State.RECEIVING) {
            return; // the listener cancelled
        }
        if (last) {
            finishOk();
            return;
        }
        armTimer(client.options().idleTimeout(), "Gemini went silent for more than ");
        if (!more) {
            paused = true;
        }
    }

    /**
     * The socket read that delivered the last messages is over: ask for the next one unless the listener paused.
     * Reading here, once per completed read, rather than per message, is what keeps at most one read in flight.
     */
    void onReadComplete() {
        if ((state == State.SENT || state == State.RECEIVING) && !paused && channel != null) {
            channel.read();
        }
    }

    void onChannelInactive() {
        if (state == State.SENT || state == State.RECEIVING || state == State.ACQUIRING) {
            connectionLost("the upstream connection closed");
        }
    }

    void onException(Throwable cause) {
        if (state == State.SENT || state == State.RECEIVING) {
            connectionLost(describe(cause));
        }
    }

    // ---- control from the listener's side ----

    /** Reads the next chunk after {@link Listener#onBody} returned false. */
    public void resume() {
        if (state == State.RECEIVING && paused) {
            paused = false;
            channel.read();
        }
    }

    /** Abandons the exchange (client gone, another attempt won); the connection is closed, not pooled. */
    public void cancel() {
        if (state == State.DONE) {
            return;
        }
        state = State.DONE;
        cancelTimer();
        if (channel != null) {
            detach(false);
        }
    }

    public boolean isDone() {
        return state == State.DONE;
    }

    // ---- internals ----

    private void connectionLost(String detail) {
        // A pooled connection that the server had closed while idle fails right after the request is written and
        // before any response: retry once on a fresh connection. Only right after sending: a connection dropped
        // minutes into a long answer may have had the request processed, and must not be re-sent.
        boolean stale = System.nanoTime() - sentAtNanos < STALE_WINDOW_NANOS;
        if (state == State.SENT && reusedConnection && !retriedStale && stale) {
            retriedStale = true;
            cancelTimer();
            detach(false);
            log.debug("stale pooled upstream connection ({}); retrying on a new one", detail);
            state = State.NEW;
            acquire();
            return;
        }
        fail(state == State.SENT ? FailureKind.CONNECT : FailureKind.RESET, detail);
    }

    private void finishOk() {
        state = State.DONE;
        cancelTimer();
        detach(keepAlive);
        listener.onEnd();
    }

    private void fail(FailureKind kind, String detail) {
        if (state == State.DONE) {
            return;
        }
        cancel();
        listener.onFailure(kind, KeyMask.scrub(detail));
    }

    private void detach(boolean reusable) {
        Channel ch = channel;
        channel = null;
        if (ch == null) {
            return;
        }
        if (ch.attr(UpstreamClient.CALL).get() == this) {
            ch.attr(UpstreamClient.CALL).set(null);
        }
        if (!reusable) {
            ch.close();
        }
        pool.release(ch);
    }

    private void armTimer(Duration d, String what) {
        cancelTimer();
        long ms = d.toMillis();
        if (ms <= 0) {
            return;
        }
        timer = loop.schedule(() -> {
            timer = null;
            fail(FailureKind.TIMEOUT, what + describe(d));
        }, ms, TimeUnit.MILLISECONDS);
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    /** Whole seconds as "30 s"; anything else in milliseconds, so 300 ms or 1.5 s is not reported as "0 s" or "1 s". */
    static String describe(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
    }

    private static String describe(Throwable t) {
        if (t == null) {
            return "unknown error";
        }
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c && (c.getMessage() == null || c instanceof io.netty.handler.codec.DecoderException)) {
            c = c.getCause();
        }
        String m = c.getMessage();
        return c.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }
}
