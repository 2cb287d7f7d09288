package gemgate.server.pipeline;

import gemgate.core.auth.AuthThrottle;
import gemgate.core.auth.Credentials;
import gemgate.core.auth.PublicPaths;
import gemgate.core.error.ApiError;
import gemgate.server.admin.AdminApi;
import gemgate.server.http.Responses;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Checks the proxy password (x-goog-api-key, ?key= or Bearer; constant-time) on every non-public request. A wrong or
 * missing one gets 401; a client that keeps failing gets its 401 later and later ({@link AuthThrottle}), scheduled on
 * the event loop, never by blocking, and the connection is closed after a delayed 401 (a brute-forcer gains nothing by
 * pipelining). On success the password is removed from the request (both headers and the query parameter), so it can
 * never travel further, to Gemini or into a log. The admin API (/api/) is screened by its own login instead
 * ({@link AdminApi#screen}), still before its body is read. One instance per channel.
 */
public final class AuthHandler extends ChannelInboundHandlerAdapter {
    public static final String NAME = "auth";
    /**
     * Set by this handler (and removed when a client sends it) on a request that authenticated with
     * {@code x-goog-api-key} or {@code ?key=}: routes shared by OpenAI and Gemini clients answer such a request in
     * Google's format. The credential itself is gone by then.
     */
    public static final String GOOGLE_STYLE_AUTH = "x-gemgate-google-auth";

    private final String password;
    private final AuthThrottle throttle;
    private final RejectedBody rejected = new RejectedBody();
    /** Set while a delayed 401 is scheduled; from then on the connection only waits to be closed. */
    private ScheduledFuture<?> delayedReject;

    private final boolean metricsPublic;
    private final AdminApi admin;

    public AuthHandler(String password, AuthThrottle throttle) {
        this(password, throttle, false);
    }

    /** @param metricsPublic whether GET /metrics is served without the password (METRICS_REQUIRE_PASSWORD=false) */
    public AuthHandler(String password, AuthThrottle throttle, boolean metricsPublic) {
        this(password, throttle, metricsPublic, null);
    }

    /**
     * @param admin screens admin API requests (/api/) instead of the password check, before their body is read; when
     *     null they pass on unchecked (the route table then answers 503)
     */
    public AuthHandler(String password, AuthThrottle throttle, boolean metricsPublic, AdminApi admin) {
        if (password == null || password.isEmpty()) {
            throw new IllegalArgumentException("password must not be empty (setting PASSWORD)");
        }
        if (throttle == null) {
            throw new IllegalArgumentException("throttle is required");
        }
        this.password = password;
        this.throttle = throttle;
        this.metricsPublic = metricsPublic;
        this.admin = admin;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (delayedReject != null) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (rejected.drop(msg)) {
            return;
        }
        if (!(msg instanceof HttpRequest req)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (PublicPaths.isPublic(req.method().name(), req.uri(), metricsPublic)) {
            stripPassword(req);
            ctx.fireChannelRead(req);
            return;
        }
        if (PublicPaths.isAdmin(req.uri())) {
            screenAdmin(ctx, req);
            return;
        }
        String ip = ClientAddressHandler.of(ctx.channel());
        String presented = Credentials.extract(name -> req.headers().get(name), req.uri());
        if (Credentials.matches(presented, password)) {
            throttle.onSuccess(ip);
            boolean googleStyle = Credentials.googleStyle(name -> req.headers().get(name), req.uri());
            stripPassword(req);
            if (googleStyle) {
                req.headers().set(GOOGLE_STYLE_AUTH, "1");
            }
            ctx.fireChannelRead(req);
            return;
        }
        Duration delay = throttle.onFailure(ip);
        rejected.start(req);
        if (delay.isZero()) {
            try {
                sendUnauthorized(ctx, req, rejected.pending());
            } finally {
                ReferenceCountUtil.release(req);
            }
            return;
        }
        // Keep only what the response needs (route shape, HTTP version); the request itself is released now.
        HttpRequest head = new DefaultHttpRequest(req.protocolVersion(), req.method(), req.uri());
        ReferenceCountUtil.release(req);
        delayedReject = ctx.executor().schedule(() -> {
            if (ctx.channel().isActive()) {
                sendUnauthorized(ctx, head, true);
            }
        }, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * The admin API has its own login: its session token travels in the Authorization header or a cookie, so the
     * Authorization header stays; an API password sent out of habit (x-goog-api-key, ?key=) is removed.
     */
    private void screenAdmin(ChannelHandlerContext ctx, HttpRequest req) {
        ApiError err = admin == null ? null : admin.screen(ctx, req);
        if (err == null) {
            req.headers().remove(Credentials.GOOG_API_KEY);
            String uri = req.uri();
            String stripped = Credentials.stripKeyParam(uri);
            if (!stripped.equals(uri)) {
                req.setUri(stripped);
            }
            ctx.fireChannelRead(req);
            return;
        }
        rejected.start(req);
        try {
            admin.reject(ctx, req, err, rejected.pending());
        } finally {
            ReferenceCountUtil.release(req);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (delayedReject != null) {
            delayedReject.cancel(false);
        }
        super.channelInactive(ctx);
    }

    private static void sendUnauthorized(ChannelHandlerContext ctx, HttpRequest req, boolean close) {
        FullHttpResponse res = Responses.error(ApiError.unauthorized(), Responses.geminiRoute(req.uri()));
        res.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
        Responses.send(ctx, req, res, close);
    }

    private static void stripPassword(HttpRequest req) {
        req.headers().remove(GOOGLE_STYLE_AUTH);
        req.headers().remove(Credentials.GOOG_API_KEY);
        req.headers().remove(HttpHeaderNames.AUTHORIZATION);
        String uri = req.uri();
        String stripped = Credentials.stripKeyParam(uri);
        if (!stripped.equals(uri)) {
            req.setUri(stripped);
        }
    }
}
