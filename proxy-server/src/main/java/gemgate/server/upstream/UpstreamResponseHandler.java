package gemgate.server.upstream;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.timeout.IdleStateEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards what the upstream connection receives to the exchange that currently owns the connection. Messages are
 * released here after the exchange has copied what it needs. Data on a connection nobody owns, or a pooled
 * connection idle past its limit, closes the connection.
 */
final class UpstreamResponseHandler extends SimpleChannelInboundHandler<HttpObject> {
    private static final Logger log = LoggerFactory.getLogger(UpstreamResponseHandler.class);

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
        UpstreamCall call = ctx.channel().attr(UpstreamClient.CALL).get();
        if (call == null) {
            log.debug("unexpected data on idle upstream connection {}; closing it", ctx.channel().id());
            ctx.close();
            return;
        }
        if (msg instanceof HttpResponse head) {
            call.onResponse(head);
        }
        if (msg instanceof HttpContent content) {
            call.onContent(content);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        UpstreamCall call = ctx.channel().attr(UpstreamClient.CALL).get();
        if (call != null) {
            call.onReadComplete();
        }
        super.channelReadComplete(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        UpstreamCall call = ctx.channel().attr(UpstreamClient.CALL).get();
        if (call != null) {
            call.onChannelInactive();
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        UpstreamCall call = ctx.channel().attr(UpstreamClient.CALL).get();
        if (call != null) {
            call.onException(cause);
        } else {
            log.debug("error on idle upstream connection {}: {}", ctx.channel().id(), cause.toString());
        }
        ctx.close();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent && ctx.channel().attr(UpstreamClient.CALL).get() == null) {
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }
}
