package gemgate.server.pipeline;

import gemgate.core.auth.PublicPaths;
import gemgate.core.error.ApiError;
import gemgate.core.ratelimit.ClientRateLimiter;
import gemgate.server.http.Responses;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.ReferenceCountUtil;

/**
 * Answers 429 (with Retry-After, in the route's error shape) when the client address is over its per-minute or
 * per-day limit; the request goes no further and its body is dropped. Public paths (health, preflight, banner) are
 * not counted, nor is the admin API (/api/): it has its own login throttle, and a page polling a key test's progress
 * must not use up the address's chat allowance. One instance per channel: it tracks the body of the request it rejected.
 */
public final class RateLimitHandler extends ChannelInboundHandlerAdapter {
    public static final String NAME = "rate-limit";

    private final ClientRateLimiter limiter;
    private final RejectedBody rejected = new RejectedBody();

    public RateLimitHandler(ClientRateLimiter limiter) {
        if (limiter == null) {
            throw new IllegalArgumentException("limiter is required");
        }
        this.limiter = limiter;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (rejected.drop(msg)) {
            return;
        }
        if (msg instanceof HttpRequest req && !PublicPaths.isPublic(req.method().name(), req.uri())
                && !PublicPaths.isMetrics(req.method().name(), req.uri()) && !PublicPaths.isAdmin(req.uri())) {
            ClientRateLimiter.Decision d = limiter.tryAcquire(ClientAddressHandler.of(ctx.channel()));
            if (!d.allowed()) {
                rejected.start(req);
                try {
                    Responses.sendError(ctx, req, ApiError.rateLimited(d.message(), d.retryAfterSeconds()), rejected.pending());
                } finally {
                    ReferenceCountUtil.release(req);
                }
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }
}
