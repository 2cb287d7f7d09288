package gemgate.server.admin;

import gemgate.core.auth.Credentials;
import gemgate.core.auth.LoginThrottle;
import gemgate.core.auth.Sessions;
import gemgate.core.config.Settings;
import gemgate.core.error.ApiError;
import gemgate.core.error.ApiException;
import gemgate.core.json.Json;
import gemgate.core.json.JsonException;
import gemgate.core.keys.KeyMask;
import gemgate.core.log.RateLimitedLog;
import gemgate.server.endpoint.Exchange;
import gemgate.server.http.RequestRecord;
import gemgate.server.http.Responses;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin JSON API under {@code /api/}: login, sessions, and the routes of {@link AdminBackend}. It is not behind
 * the API password; it authenticates itself. {@code POST /api/login} with {@code {"password": WEB_PASSWORD}}
 * (constant-time check; failures per address delayed, then refused with 429) opens a session whose token comes back
 * in an HttpOnly, SameSite=Strict cookie and in the body; every other route needs that cookie or
 * {@code Authorization: Bearer <token>}. State-changing calls authenticated by the cookie must not come from another
 * site, and bodies must be JSON. Every answer is {@code Cache-Control: no-store}; errors are OpenAI-shaped; every
 * answer but the explicit export has anything shaped like a Google key masked. Nothing here logs a body, a password
 * or a token. With no backend, every route answers 503.
 *
 * <p>{@link #screen} runs on the request head before the body is read (from the auth handler), so an unauthenticated
 * client never makes the server buffer a body; {@link #dispatch} runs on the complete request and checks again.
 */
public final class AdminApi {
    private static final Logger log = LoggerFactory.getLogger(AdminApi.class);
    /** Largest login body: {"password": "..."} needs far less. */
    static final int LOGIN_MAX_BODY = 4096;
    private static final List<String> RESERVED = List.of("test", "clear-invalid", "export");

    private final AdminBackend backend;
    private final String webPassword;
    private final Sessions sessions;
    private final LoginThrottle throttle;
    private final AdminGuard guard;
    private final RateLimitedLog warnings;

    /**
     * @param backend what the routes do; null when there is none (every route then answers 503)
     * @param webPassword the login password (WEB_PASSWORD, or PASSWORD when unset)
     */
    public AdminApi(AdminBackend backend, String webPassword, Sessions sessions, LoginThrottle throttle,
            gemgate.core.net.CidrSet trustedProxies, List<String> allowedOrigins, Clock clock) {
        if (webPassword == null || webPassword.isEmpty()) {
            throw new IllegalArgumentException("webPassword must not be empty (setting WEB_PASSWORD or PASSWORD)");
        }
        if (sessions == null || throttle == null || clock == null) {
            throw new IllegalArgumentException("sessions, throttle and clock are required");
        }
        this.backend = backend;
        this.webPassword = webPassword;
        this.sessions = sessions;
        this.throttle = throttle;
        this.guard = new AdminGuard(trustedProxies, allowedOrigins);
        this.warnings = new RateLimitedLog(log, Duration.ofMinutes(1), 64, clock);
    }

    /** The admin API as configured by {@code s}; {@code backend} may be null (503 on every route). */
    public static AdminApi create(Settings s, AdminBackend backend, Clock clock) {
        Settings.AdminLogin a = s.auth().admin();
        return new AdminApi(backend, a.webPassword(),
                new Sessions(a.sessionIdleTimeout(), a.sessionMaxAge(), a.maxSessions(), clock, new SecureRandom()),
                new LoginThrottle(s.auth().maxFailuresBeforeSlowdown(), a.loginMaxFailures(),
                        s.rateLimit().maxTrackedClients(), clock),
                s.server().trustedProxies(), s.server().allowedOrigins(), clock);
    }

    /** The open sessions (for example to end them all when the admin password changes). */
    public Sessions sessions() {
        return sessions;
    }

    public LoginThrottle loginThrottle() {
        return throttle;
    }

    // ---- checks ----

    /** The outcome of the header checks: an error, or the session (null on the login route). */
    private record Checked(ApiError error, Sessions.Session session, AdminGuard.Via via) {
        static Checked fail(ApiError e) {
            return new Checked(e, null, null);
        }
    }

    private static boolean isLogin(String path) {
        return path.equals("/api/login");
    }

    /**
     * Checks a request that carries a body before the body is read: backend present, login bodies small, a valid
     * session on every other route, and for state-changing calls a JSON body and no cross-site origin. Null to let it
     * through; else the error to answer with (see {@link #reject}). Requests without a body always pass: nothing
     * would be buffered, and {@link #dispatch} makes the same checks in request order (an answer here could overtake
     * a delayed one still pending on the connection).
     */
    public ApiError screen(ChannelHandlerContext ctx, HttpRequest head) {
        if (!AdminGuard.hasBody(head) && !HttpUtil.is100ContinueExpected(head)) {
            return null;
        }
        return check(ctx, head, normalise(head.uri())).error();
    }

    private Checked check(ChannelHandlerContext ctx, HttpRequest head, String path) {
        if (backend == null) {
            return Checked.fail(ApiError.adminUnavailable());
        }
        boolean changes = AdminGuard.changesState(head.method());
        if (isLogin(path)) {
            if (HttpUtil.isTransferEncodingChunked(head) || HttpUtil.getContentLength(head, 0L) > LOGIN_MAX_BODY) {
                return Checked.fail(ApiError.payloadTooLarge(LOGIN_MAX_BODY));
            }
            if (changes) {
                ApiError e = guard.crossSite(ctx.channel(), head);
                if (e == null) {
                    e = AdminGuard.contentType(head);
                }
                if (e != null) {
                    return Checked.fail(e);
                }
            }
            return new Checked(null, null, null);
        }
        Sessions.Session session = null;
        for (String token : AdminGuard.tokens(head)) {
            session = sessions.use(token);
            if (session != null) {
                break;
            }
        }
        if (session == null) {
            return Checked.fail(ApiError.adminLoginRequired());
        }
        AdminGuard.Via via = AdminGuard.via(head);
        if (changes) {
            ApiError e = via == AdminGuard.Via.COOKIE ? guard.crossSite(ctx.channel(), head) : null;
            if (e == null) {
                e = AdminGuard.contentType(head);
            }
            if (e != null) {
                return Checked.fail(e);
            }
        }
        return new Checked(null, session, via);
    }

    /** Answers an error for an admin request, in the admin API's shape and headers. */
    public void reject(ChannelHandlerContext ctx, HttpRequest req, ApiError err, boolean closeAfter) {
        Responses.send(ctx, req, AdminJson.errorResponse(err), closeAfter);
    }

    // ---- dispatch ----

    /**
     * Handles a complete admin request (the caller releases it). {@code path} is the request path without query and
     * trailing slash. A delayed answer (a failed login) registers itself with {@code owner}.
     */
    public void dispatch(ChannelHandlerContext ctx, FullHttpRequest req, String path, Exchange.Owner owner) {
        HttpMethod m = req.method();
        try {
            Checked c = check(ctx, req, path);
            if (c.error() != null) {
                reject(ctx, req, c.error(), false);
                return;
            }
            if (isLogin(path)) {
                if (!m.equals(HttpMethod.POST)) {
                    throw new ApiException(ApiError.methodNotAllowed(m.name(), path));
                }
                login(ctx, req, owner);
                return;
            }
            route(ctx, req, path, c);
        } catch (ApiException e) {
            reject(ctx, req, e.error(), false);
        } catch (JsonException e) {
            reject(ctx, req, ApiError.invalidJson(e.getMessage()), false);
        } catch (RuntimeException e) {
            warnings.warn("internal:" + e.getClass().getName(), "admin API: internal error on {} {} (connection {})", m,
                    RequestRecord.safe(path), ctx.channel().id(), e);
            reject(ctx, req, ApiError.internal(), false);
        }
    }

    private void route(ChannelHandlerContext ctx, FullHttpRequest req, String path, Checked c) {
        HttpMethod m = req.method();
        String[] seg = path.substring(1).split("/", -1); // "api", ...
        String p = path;
        Map<String, Object> answer;
        HttpResponseStatus status = HttpResponseStatus.OK;
        boolean fullKeys = false;
        if (p.equals("/api/logout")) {
            allow(m, p, HttpMethod.POST);
            logout(ctx, req, c);
            return;
        } else if (p.equals("/api/session")) {
            allow(m, p, HttpMethod.GET);
            answer = Json.object("authenticated", true, "session", c.session().id(),
                    "via", c.via() == AdminGuard.Via.BEARER ? "bearer" : "cookie",
                    "expires_at", c.session().expires().toString(), "max_expires_at", c.session().maxExpires().toString());
        } else if (p.equals("/api/keys")) {
            allow(m, p, HttpMethod.GET, HttpMethod.POST);
            if (m.equals(HttpMethod.GET)) {
                answer = backend.listKeys();
            } else {
                answer = backend.addKeys(AdminJson.pastedKeys(req));
                audit(ctx, c, "added keys");
            }
        } else if (p.equals("/api/keys/test")) {
            allow(m, p, HttpMethod.GET, HttpMethod.POST);
            if (m.equals(HttpMethod.GET)) {
                answer = backend.testProgress();
            } else {
                answer = backend.testAllKeys();
                status = HttpResponseStatus.ACCEPTED;
                audit(ctx, c, "started a test of all keys");
            }
        } else if (p.equals("/api/keys/clear-invalid")) {
            allow(m, p, HttpMethod.POST);
            answer = backend.clearInvalidKeys();
            audit(ctx, c, "cleared invalid keys");
        } else if (p.equals("/api/keys/export")) {
            allow(m, p, HttpMethod.POST);
            List<String> keys = backend.exportValidKeys();
            answer = Json.object("keys", new ArrayList<Object>(keys), "count", keys.size());
            fullKeys = true;
            audit(ctx, c, "exported " + keys.size() + " valid keys");
        } else if (seg.length == 3 && seg[1].equals("keys") && !RESERVED.contains(seg[2])) {
            allow(m, p, HttpMethod.DELETE);
            String id = keyId(seg[2]);
            answer = backend.removeKey(id);
            audit(ctx, c, "removed key " + RequestRecord.safe(KeyMask.scrub(id)));
        } else if (seg.length == 4 && seg[1].equals("keys") && (seg[3].equals("disable") || seg[3].equals("enable"))) {
            allow(m, p, HttpMethod.POST);
            String id = keyId(seg[2]);
            boolean disable = seg[3].equals("disable");
            answer = backend.setKeyDisabled(id, disable);
            audit(ctx, c, (disable ? "disabled key " : "enabled key ") + RequestRecord.safe(KeyMask.scrub(id)));
        } else if (p.equals("/api/stats")) {
            allow(m, p, HttpMethod.GET);
            answer = backend.stats();
        } else if (p.equals("/api/stats/reset")) {
            allow(m, p, HttpMethod.POST);
            answer = backend.resetStats();
            audit(ctx, c, "reset the statistics");
        } else if (p.equals("/api/settings")) {
            allow(m, p, HttpMethod.GET, HttpMethod.PATCH, HttpMethod.PUT);
            if (m.equals(HttpMethod.GET)) {
                answer = backend.settings();
            } else {
                Map<String, Object> changes = AdminJson.jsonObject(req);
                answer = backend.updateSettings(changes);
                audit(ctx, c, "changed settings " + RequestRecord.safe(KeyMask.scrub(String.join(",", changes.keySet()))));
            }
        } else {
            throw new ApiException(ApiError.notFound(m.name(), p)
                    .withMessage("Unknown admin route " + m.name() + " " + RequestRecord.safe(p) + ". See the README, section Admin API."));
        }
        if (answer == null) {
            throw new IllegalStateException("the admin backend answered null for " + m + " " + p);
        }
        send(ctx, req, status, fullKeys ? answer : AdminJson.masked(answer));
    }

    private static void allow(HttpMethod m, String path, HttpMethod... allowed) {
        for (HttpMethod a : allowed) {
            if (a.equals(m)) {
                return;
            }
        }
        throw new ApiException(ApiError.methodNotAllowed(m.name(), path));
    }

    private static String keyId(String raw) {
        String id;
        try {
            id = java.net.URLDecoder.decode(raw.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            throw new ApiException(ApiError.badRequest("The key id in the path is not validly percent-encoded.", "id"));
        }
        if (id.isEmpty() || id.length() > 200) {
            throw new ApiException(ApiError.keyNotFound(id.length() > 200 ? id.substring(0, 200) : id));
        }
        return id;
    }

    // ---- login, logout ----

    private void login(ChannelHandlerContext ctx, FullHttpRequest req, Exchange.Owner owner) {
        String ip = clientIp(ctx);
        long locked = throttle.lockedForSeconds(ip);
        if (locked > 0) {
            warnings.warn("locked:" + ip, "admin login refused for {}: too many failed logins, locked for {} s more",
                    RequestRecord.safe(ip), locked);
            throw new ApiException(ApiError.loginThrottled(locked));
        }
        Map<String, Object> body = AdminJson.jsonObject(req);
        if (!(body.get("password") instanceof String presented) || presented.isEmpty()) {
            throw new ApiException(ApiError.badRequest("The body must be {\"password\": \"<WEB_PASSWORD>\"}.", "password"));
        }
        if (Credentials.matches(presented, webPassword)) {
            throttle.onSuccess(ip);
            Sessions.Login l = sessions.create();
            log.info("admin login from {}: session {} opened ({} open)", RequestRecord.safe(ip), l.session().id(),
                    sessions.open());
            FullHttpResponse res = AdminJson.json(HttpResponseStatus.OK, Json.object("token", l.token(), "session", l.session().id(),
                    "expires_at", l.session().expires().toString(), "max_expires_at", l.session().maxExpires().toString()));
            res.headers().add(HttpHeaderNames.SET_COOKIE, AdminJson.cookie(l.token(), sessions.maxAge().toSeconds(),
                    guard.secure(ctx.channel(), req)));
            Responses.send(ctx, req, res, false);
            return;
        }
        Duration delay = throttle.onFailure(ip);
        warnings.warn("failed:" + ip, "admin login failed from {} ({} recent failures from this address, {} since start)",
                RequestRecord.safe(ip), throttle.failures(ip), throttle.totalFailures());
        if (delay.isZero()) {
            reject(ctx, req, ApiError.adminWrongPassword(), false);
            return;
        }
        new DelayedAnswer(ctx, req, owner).start(delay);
    }

    private void logout(ChannelHandlerContext ctx, FullHttpRequest req, Checked c) {
        for (String token : AdminGuard.tokens(req)) {
            sessions.end(token);
        }
        log.info("admin logout from {}: session {} ended", RequestRecord.safe(clientIp(ctx)), c.session().id());
        FullHttpResponse res = AdminJson.json(HttpResponseStatus.OK, Json.object("logged_out", true));
        res.headers().add(HttpHeaderNames.SET_COOKIE, AdminJson.cookie("", 0, guard.secure(ctx.channel(), req)));
        Responses.send(ctx, req, res, false);
    }

    /** A failed login's 401, sent after the throttle's delay, on the event loop; never blocks. */
    private final class DelayedAnswer implements Exchange {
        private final ChannelHandlerContext ctx;
        private final HttpRequest head;
        private final Exchange.Owner owner;
        private ScheduledFuture<?> timer;

        DelayedAnswer(ChannelHandlerContext ctx, FullHttpRequest req, Exchange.Owner owner) {
            this.ctx = ctx;
            this.owner = owner;
            // Only what the response needs: the request itself is released when dispatch returns.
            this.head = new DefaultHttpRequest(req.protocolVersion(), req.method(), req.uri());
            String connection = req.headers().get(HttpHeaderNames.CONNECTION);
            if (connection != null) {
                head.headers().set(HttpHeaderNames.CONNECTION, connection);
            }
        }

        void start(Duration delay) {
            owner.exchangeStarted(this);
            timer = ctx.executor().schedule(this::fire, delay.toMillis(), TimeUnit.MILLISECONDS);
        }

        private void fire() {
            if (ctx.channel().isActive()) {
                reject(ctx, head, ApiError.adminWrongPassword(), false);
            }
            owner.exchangeDone(this);
        }

        @Override
        public void cancel() {
            if (timer != null) {
                timer.cancel(false);
            }
        }
    }

    // ---- answers ----

    private void send(ChannelHandlerContext ctx, HttpRequest req, HttpResponseStatus status, Map<String, Object> tree) {
        Responses.send(ctx, req, AdminJson.json(status, tree), false);
    }

    private void audit(ChannelHandlerContext ctx, Checked c, String what) {
        log.info("admin: session {} from {} {}", c.session().id(), RequestRecord.safe(clientIp(ctx)), what);
    }

    private static String clientIp(ChannelHandlerContext ctx) {
        String ip = ctx.channel().attr(gemgate.server.http.Attrs.CLIENT_IP).get();
        if (ip != null) {
            return ip;
        }
        return ctx.channel().remoteAddress() instanceof java.net.InetSocketAddress isa && isa.getAddress() != null
                ? isa.getAddress().getHostAddress() : "unknown";
    }

    /** The path without query and trailing slash, as the route table sees it. */
    static String normalise(String uri) {
        int q = uri.indexOf('?');
        String path = q >= 0 ? uri.substring(0, q) : uri;
        if (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return path;
    }
}
