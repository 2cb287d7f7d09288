package gemgate.server.http;

import gemgate.core.error.ApiError;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/** Builds and sends complete (non-streamed) responses; the one place error bodies are put on the wire. */
public final class Responses {
    public static final String JSON = "application/json; charset=utf-8";

    private Responses() {}

    /**
     * Native Gemini routes answer errors in Google's shape, every other route in OpenAI's. Native routes are the
     * ones with a model action ({@code :generateContent}) or under {@code /v1beta/}, {@code /v1alpha/}, {@code /gemini/}.
     */
    public static boolean geminiRoute(String uri) {
        if (uri == null) {
            return false;
        }
        int q = uri.indexOf('?');
        String path = q >= 0 ? uri.substring(0, q) : uri;
        return path.startsWith("/v1beta/") || path.startsWith("/v1alpha/") || path.startsWith("/gemini/") || path.equals("/v1beta")
                || (path.startsWith("/v1/models/") && path.indexOf(':') >= 0);
    }

    public static FullHttpResponse json(HttpResponseStatus status, byte[] body) {
        ByteBuf buf = Unpooled.wrappedBuffer(body);
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, buf);
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, JSON);
        res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        res.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        return res;
    }

    /** The error in the route's shape, with Retry-After when the error carries one. */
    public static FullHttpResponse error(ApiError err, boolean geminiShape) {
        FullHttpResponse res = json(HttpResponseStatus.valueOf(err.status()), geminiShape ? err.geminiBody() : err.openAiBody());
        if (err.retryAfterSeconds() > 0) {
            res.headers().set(HttpHeaderNames.RETRY_AFTER, Long.toString(err.retryAfterSeconds()));
        }
        return res;
    }

    /**
     * Sends {@code err} for {@code req} and honours keep-alive. When {@code closeAfter} is true (for example the
     * request body was not read), the connection is closed once the response is flushed.
     */
    public static ChannelFuture sendError(ChannelHandlerContext ctx, HttpRequest req, ApiError err, boolean closeAfter) {
        FullHttpResponse res = error(err, req != null && geminiRoute(req.uri()));
        return send(ctx, req, res, closeAfter);
    }

    public static ChannelFuture send(ChannelHandlerContext ctx, HttpRequest req, FullHttpResponse res, boolean closeAfter) {
        boolean keepAlive = !closeAfter && req != null && HttpUtil.isKeepAlive(req);
        if (keepAlive) {
            if (req.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
                res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            }
        } else {
            res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        ChannelFuture f = ctx.writeAndFlush(res);
        if (!keepAlive) {
            f.addListener(ChannelFutureListener.CLOSE);
        }
        return f;
    }
}
