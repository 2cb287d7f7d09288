package gemgate.server.pipeline;

import gemgate.server.http.Attrs;
import gemgate.server.http.RequestRecord;
import gemgate.server.metrics.Metrics;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayDeque;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives every request an id and writes one access line when its answer ends: request id, client address, route,
 * model, key fingerprint, status, latency, tokens. The id goes back as {@code X-Request-Id} on every response
 * (errors, rejections and streams included), and the counters behind {@code /metrics} are updated here. It sits
 * after the client-address handler and before every handler that answers, so it sees each response head and end.
 * While the server drains for shutdown, responses carry {@code Connection: close} and the connection is closed after
 * the answer in flight. One instance per connection; event-loop confined.
 */
public final class AccessLogHandler extends ChannelDuplexHandler {
    public static final String NAME = "access-log";
    public static final String REQUEST_ID = "X-Request-Id";
    private static final Logger access = LoggerFactory.getLogger("gemgate.access");

    private final Metrics metrics;
    private final BooleanSupplier draining;
    /** Requests received and not yet answered, oldest first (more than one only when the client pipelines). */
    private final ArrayDeque<RequestRecord> open = new ArrayDeque<>(2);
    private int headStatus;
    private boolean streamCounted;

    public AccessLogHandler(Metrics metrics, BooleanSupplier draining) {
        if (metrics == null || draining == null) {
            throw new IllegalArgumentException("metrics and draining are required");
        }
        this.metrics = metrics;
        this.draining = draining;
    }

    /** True when no request is being answered on this connection (it may be closed for shutdown). */
    public boolean idle() {
        return open.isEmpty();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        metrics.connectionOpened();
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof HttpRequest req) {
            RequestRecord r = new RequestRecord(RequestRecord.newId(req.headers().get(REQUEST_ID)), System.nanoTime(),
                    req.method().name(), req.uri(), ClientAddressHandler.of(ctx.channel()));
            open.addLast(r);
            metrics.requestStarted();
            if (open.size() == 1) {
                ctx.channel().attr(Attrs.REQUEST).set(r);
            }
        }
        super.channelRead(ctx, msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        RequestRecord r = open.peekFirst();
        if (msg instanceof HttpResponse res && res.status().code() < 200) {
            ctx.write(msg, promise); // 100 Continue: the answer is still to come
            return;
        }
        boolean last = msg instanceof LastHttpContent;
        if (msg instanceof HttpResponse res && r != null) {
            res.headers().set(REQUEST_ID, r.id);
            headStatus = res.status().code();
            String type = res.headers().get(HttpHeaderNames.CONTENT_TYPE);
            if (!last && type != null && type.startsWith("text/event-stream")) {
                streamCounted = true;
                metrics.streamOpened();
            }
            if (draining.getAsBoolean()) {
                res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            }
        }
        if (last && r != null && headStatus != 0) {
            boolean close = draining.getAsBoolean();
            finish(ctx, r, headStatus, false);
            if (close) {
                promise = promise.unvoid();
                promise.addListener(ChannelFutureListener.CLOSE);
            }
        }
        ctx.write(msg, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        // Answers cut short by the client leaving (or by a failure): 499 if nothing was sent, else what was.
        while (!open.isEmpty()) {
            finish(ctx, open.peekFirst(), headStatus != 0 ? headStatus : 499, true);
        }
        metrics.connectionClosed();
        super.channelInactive(ctx);
    }

    private void finish(ChannelHandlerContext ctx, RequestRecord r, int status, boolean aborted) {
        open.pollFirst();
        ctx.channel().attr(Attrs.REQUEST).set(open.peekFirst());
        long nanos = System.nanoTime() - r.startNanos;
        if (streamCounted) {
            metrics.streamClosed();
        }
        headStatus = 0;
        streamCounted = false;
        metrics.requestFinished(r.route, status, nanos);
        metrics.tokens(r.tokens);
        boolean quiet = r.route.quiet() && status < 400;
        if (quiet ? access.isDebugEnabled() : access.isInfoEnabled()) {
            String line = line(r, status, nanos / 1_000_000, aborted);
            if (quiet) {
                access.debug(line);
            } else {
                access.info(line);
            }
        }
    }

    static String line(RequestRecord r, int status, long ms, boolean aborted) {
        StringBuilder b = new StringBuilder(160);
        b.append("id=").append(r.id).append(" client=").append(r.client).append(' ').append(r.method).append(' ')
                .append(r.path).append(" route=").append(r.route.label()).append(" status=").append(status);
        if (r.streamErrorStatus != 0) {
            b.append(" stream_error=").append(r.streamErrorStatus);
        }
        if (aborted) {
            b.append(" aborted");
        }
        b.append(" ms=").append(ms);
        if (r.model != null) {
            b.append(" model=").append(RequestRecord.safe(r.model));
        }
        if (r.mode != null) {
            b.append(" mode=").append(r.mode);
        }
        if (r.keyFingerprint != null) {
            b.append(" key=").append(r.keyFingerprint).append(" attempts=").append(r.attempts);
        }
        if (r.tokens >= 0) {
            b.append(" tokens=").append(r.tokens);
        }
        if (r.cache != null) {
            b.append(" cache=").append(r.cache);
        }
        return b.toString();
    }
}
