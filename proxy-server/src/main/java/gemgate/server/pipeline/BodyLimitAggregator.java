package gemgate.server.pipeline;

import gemgate.core.error.ApiError;
import gemgate.server.http.Responses;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.ReferenceCountUtil;

/**
 * Aggregates a request body up to MAX_REQUEST_BODY bytes. Too large gets 413 with our error body (Netty's own is
 * empty, which clients show as a bare status): before reading when Content-Length says so, or while reading a chunked
 * body. The connection is then closed rather than reading the rest of a body nobody wants. With
 * {@code Expect: 100-continue} and a too-large Content-Length the client has sent nothing yet, so the 413 goes
 * instead of the 100 and the connection stays usable. Placed after the rejecting handlers, so unauthenticated
 * clients never make us buffer anything.
 */
public final class BodyLimitAggregator extends HttpObjectAggregator {
    public static final String NAME = "aggregator";

    private final long maxBytes;

    public BodyLimitAggregator(long maxBytes) {
        super(checked(maxBytes));
        this.maxBytes = maxBytes;
    }

    private static int checked(long maxBytes) {
        if (maxBytes < 1 || maxBytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("maxBytes must be 1.." + Integer.MAX_VALUE + " (setting MAX_REQUEST_BODY), got " + maxBytes);
        }
        return (int) maxBytes;
    }

    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        Object res = super.newContinueResponse(start, maxContentLength, pipeline);
        if (res instanceof HttpResponse r && r.status().code() == 413 && start instanceof HttpRequest req) {
            ReferenceCountUtil.release(res);
            return Responses.error(ApiError.payloadTooLarge(maxBytes), Responses.geminiRoute(req.uri()));
        }
        return res;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        if (oversized instanceof HttpRequest req) {
            // The caller releases `oversized` after this returns; the response is built before that.
            Responses.sendError(ctx, req, ApiError.payloadTooLarge(maxBytes), true);
        } else {
            ctx.close();
        }
    }
}
