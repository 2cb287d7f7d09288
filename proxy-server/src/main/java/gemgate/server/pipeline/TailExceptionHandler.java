package gemgate.server.pipeline;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last in the pipeline: anything that reaches it unhandled is released, expected disconnects are logged at debug,
 * anything else at warn with the channel id; the connection is closed. Never a stack trace to the client.
 */
@ChannelHandler.Sharable
public final class TailExceptionHandler extends ChannelInboundHandlerAdapter {
    public static final String NAME = "tail";
    public static final TailExceptionHandler INSTANCE = new TailExceptionHandler();
    private static final Logger log = LoggerFactory.getLogger(TailExceptionHandler.class);

    private TailExceptionHandler() {}

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            log.debug("connection {} closed: {}", ctx.channel().id(), cause.toString());
        } else {
            log.warn("unexpected error on connection {}; closing it", ctx.channel().id(), cause);
        }
        ctx.close();
    }
}
