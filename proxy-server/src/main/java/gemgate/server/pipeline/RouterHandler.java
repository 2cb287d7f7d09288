package gemgate.server.pipeline;

import gemgate.server.endpoint.Endpoints;
import gemgate.server.endpoint.Exchange;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.timeout.IdleStateEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands each complete request to its endpoint and keeps track of the one exchange in flight on this connection:
 * passes it writability changes (backpressure), cancels it when the client goes away, closes idle connections only
 * between requests, and holds one pipelined request until the current one is answered.
 */
public final class RouterHandler extends SimpleChannelInboundHandler<FullHttpRequest> implements Exchange.Owner {
    public static final String NAME = "router";
    private static final Logger log = LoggerFactory.getLogger(RouterHandler.class);

    private final Endpoints endpoints;
    private ChannelHandlerContext ctx;
    private Exchange active;
    private FullHttpRequest pending;

    public RouterHandler(Endpoints endpoints) {
        super(true);
        this.endpoints = endpoints;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        if (active == null && pending != null) {
            // The held request's deferred dispatch has not run yet: it goes first, so answers keep request order.
            dispatchPending();
        }
        if (active != null) {
            if (pending != null) {
                log.debug("client {} pipelined more than one request; closing", ctx.channel().id());
                ctx.close();
                return;
            }
            pending = req.retain();
            return;
        }
        endpoints.dispatch(ctx, req, this);
    }

    @Override
    public void exchangeStarted(Exchange exchange) {
        active = exchange;
    }

    @Override
    public void exchangeDone(Exchange exchange) {
        if (active != exchange) {
            return;
        }
        active = null;
        if (pending != null) {
            // Deferred, not nested: the finishing exchange may still be on the stack. The request stays in `pending`
            // until then, so a request read in between queues behind it instead of overtaking it.
            ctx.executor().execute(this::dispatchPending);
        }
    }

    private void dispatchPending() {
        FullHttpRequest next = pending;
        if (next == null || active != null) {
            return; // already dispatched, released on close, or waiting behind a newer exchange
        }
        pending = null;
        try {
            if (ctx.channel().isActive()) {
                endpoints.dispatch(ctx, next, this);
            }
        } finally {
            next.release();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().isWritable() && active != null) {
            active.onWritable();
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            if (active == null) {
                ctx.close();
            }
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        Exchange a = active;
        active = null;
        if (a != null) {
            a.cancel();
        }
        if (pending != null) {
            pending.release();
            pending = null;
        }
        super.channelInactive(ctx);
    }
}
