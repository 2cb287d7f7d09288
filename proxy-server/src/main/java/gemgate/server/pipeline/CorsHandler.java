package gemgate.server.pipeline;

import gemgate.core.error.ApiError;
import gemgate.server.http.Responses;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * CORS for browser clients, off unless ALLOWED_ORIGINS is set. Preflights ({@code OPTIONS} with an {@code Origin})
 * are answered here, before rate limit and auth (browsers send no credentials on a preflight): 204 with the allow
 * headers for an allowed origin, 403 without them otherwise. Every other response to a request from an allowed
 * origin gets {@code Access-Control-Allow-Origin} on its way out, including rejections made further in (429, 401,
 * 413), so a browser client can read why it failed. Sits before the rejecting handlers so their responses pass
 * through it. One instance per channel: it pairs pipelined requests with their responses.
 */
public final class CorsHandler extends ChannelDuplexHandler {
    public static final String NAME = "cors";
    static final String ALLOW_METHODS = "GET, POST, OPTIONS";
    static final String ALLOW_HEADERS = "Authorization, Content-Type, x-goog-api-key, x-goog-api-client";
    static final String MAX_AGE = "86400";
    private static final String NO_ORIGIN = "";

    private final boolean anyOrigin;
    private final Set<String> origins;
    private final boolean enabled;
    private final RejectedBody rejected = new RejectedBody();
    /** The allowed origin (or NO_ORIGIN) of each request still waiting for its response, in order. */
    private final ArrayDeque<String> awaiting = new ArrayDeque<>();

    /** {@code allowedOrigins} like {@code https://app.example.com}, or {@code *}; empty turns CORS off. */
    public CorsHandler(List<String> allowedOrigins) {
        if (allowedOrigins == null) {
            throw new IllegalArgumentException("allowedOrigins is required (empty = CORS off)");
        }
        this.origins = allowedOrigins.stream().map(CorsHandler::normalise).filter(o -> !o.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
        this.anyOrigin = origins.contains("*");
        this.enabled = !origins.isEmpty();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (rejected.drop(msg)) {
            return;
        }
        if (enabled && msg instanceof HttpRequest req) {
            String origin = req.headers().get(HttpHeaderNames.ORIGIN);
            boolean allowed = origin != null && isAllowed(origin);
            if (origin != null && HttpMethod.OPTIONS.equals(req.method())) {
                rejected.start(req);
                try {
                    if (allowed) {
                        Responses.send(ctx, req, preflight(origin, req.headers()), rejected.pending());
                    } else {
                        ApiError err = new ApiError(403, "invalid_request_error", "origin_not_allowed",
                                "Origin " + origin + " is not allowed (setting ALLOWED_ORIGINS).", null, 0);
                        Responses.sendError(ctx, req, err, rejected.pending());
                    }
                } finally {
                    ReferenceCountUtil.release(req);
                }
                return;
            }
            awaiting.add(allowed ? origin : NO_ORIGIN);
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (enabled && msg instanceof HttpResponse res && res.status().codeClass() != HttpStatusClass.INFORMATIONAL) {
            String origin = awaiting.poll();
            HttpHeaders h = res.headers();
            h.add(HttpHeaderNames.VARY, HttpHeaderNames.ORIGIN);
            if (origin != null && !origin.equals(NO_ORIGIN)) {
                h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
                h.set(HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS, HttpHeaderNames.RETRY_AFTER);
            }
        }
        ctx.write(msg, promise);
    }

    private boolean isAllowed(String origin) {
        return anyOrigin || origins.contains(normalise(origin));
    }

    private static FullHttpResponse preflight(String origin, HttpHeaders requestHeaders) {
        FullHttpResponse res = new DefaultFullHttpResponse(io.netty.handler.codec.http.HttpVersion.HTTP_1_1,
                HttpResponseStatus.NO_CONTENT, Unpooled.EMPTY_BUFFER);
        HttpHeaders h = res.headers();
        h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, ALLOW_METHODS);
        String requested = requestHeaders.get(HttpHeaderNames.ACCESS_CONTROL_REQUEST_HEADERS);
        // SDKs add their own headers (x-stainless-*): allow what the browser asks for, on top of ours.
        h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS,
                requested == null || requested.isBlank() ? ALLOW_HEADERS : ALLOW_HEADERS + ", " + requested.trim());
        h.set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, MAX_AGE);
        h.set(HttpHeaderNames.VARY, "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
        return res;
    }

    private static String normalise(String origin) {
        String o = origin.trim().toLowerCase(Locale.ROOT);
        return o.endsWith("/") ? o.substring(0, o.length() - 1) : o;
    }
}
