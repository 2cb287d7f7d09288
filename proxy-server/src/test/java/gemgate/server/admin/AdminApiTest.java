package gemgate.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import gemgate.core.auth.AuthThrottle;
import gemgate.core.auth.LoginThrottle;
import gemgate.core.auth.Sessions;
import gemgate.core.json.Json;
import gemgate.core.keys.KeyPool;
import gemgate.core.models.ModelFilter;
import gemgate.core.net.CidrSet;
import gemgate.core.translate.TranslateOptions;
import gemgate.server.endpoint.Endpoints;
import gemgate.server.endpoint.Gateway;
import gemgate.server.metrics.Metrics;
import gemgate.server.pipeline.AccessLogHandler;
import gemgate.server.pipeline.AuthHandler;
import gemgate.server.pipeline.BodyLimitAggregator;
import gemgate.server.pipeline.ClientAddressHandler;
import gemgate.server.pipeline.RouterHandler;
import gemgate.server.testutil.LogCapture;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The admin API in the real pipeline order (client address, access log, auth screen, aggregator, router) on an
 * embedded channel, with a fake backend that records calls and a clock moved by hand.
 */
class AdminApiTest {
    private static final String WEB_PASSWORD = "Adm1n-Secret-Pw";
    private static final String API_PASSWORD = "api-password-xyz";
    private static final String HOST = "gemgate.example:7860";

    private final MutableClock clock = new MutableClock();
    private final FakeAdminBackend backend = new FakeAdminBackend();
    private final List<EmbeddedChannel> channels = new ArrayList<>();
    private AdminApi admin = api(backend);

    @AfterEach
    void tearDown() {
        for (EmbeddedChannel ch : channels) {
            Object o;
            while ((o = ch.readOutbound()) != null) {
                ReferenceCountUtil.release(o);
            }
            ch.finishAndReleaseAll();
        }
    }

    // ---- set-up ----

    private AdminApi api(AdminBackend b) {
        // 1 free failure, locked after 3, sessions idle 12 h, 7 d at most, 4 at once.
        return new AdminApi(b, WEB_PASSWORD,
                new Sessions(Duration.ofHours(12), Duration.ofDays(7), 4, clock, new SecureRandom()),
                new LoginThrottle(1, 3, 100, clock), CidrSet.parse(List.of("10.0.0.0/8")), List.of("https://app.example"),
                clock);
    }

    private EmbeddedChannel channel(String peerIp) {
        InetSocketAddress peer;
        try {
            peer = new InetSocketAddress(InetAddress.getByName(peerIp), 40_000);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
        Gateway gw = new Gateway(new KeyPool(List.of(), Clock.systemUTC()), null, null, ModelFilter.allowAll(),
                TranslateOptions.defaults(), "v1beta", 1, 1, false, Duration.ofSeconds(1), 1 << 20, Clock.systemUTC(),
                new gemgate.core.config.Settings.Embeddings("gemini-embedding-001", 2048, 2),
                gemgate.server.media.MediaFetcher.disabled(io.netty.channel.socket.nio.NioSocketChannel.class));
        Endpoints endpoints = new Endpoints(gw, "test", new Metrics(), admin);
        EmbeddedChannel ch = new EmbeddedChannel(
                new ClientAddressHandler(CidrSet.parse(List.of("10.0.0.0/8"))),
                new AccessLogHandler(new Metrics(), () -> false),
                new AuthHandler(API_PASSWORD, new AuthThrottle(5, 100, clock), false, endpoints.admin()),
                new BodyLimitAggregator(1 << 20),
                new RouterHandler(endpoints)) {
            @Override
            protected SocketAddress remoteAddress0() {
                return peer;
            }
        };
        ch.freezeTime();
        channels.add(ch);
        return ch;
    }

    private EmbeddedChannel channel() {
        return channel("192.0.2.7");
    }

    private static FullHttpRequest req(HttpMethod m, String uri, String json, String... headers) {
        byte[] body = json == null ? new byte[0] : json.getBytes(StandardCharsets.UTF_8);
        FullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, m, uri,
                body.length == 0 ? Unpooled.buffer(0) : Unpooled.copiedBuffer(body));
        r.headers().set(HttpHeaderNames.HOST, HOST);
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        if (json != null) {
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        }
        for (int i = 0; i < headers.length; i += 2) {
            r.headers().set(headers[i], headers[i + 1]);
        }
        return r;
    }

    /** The answer: status, headers and parsed body; the response is released. */
    private record Answer(int status, io.netty.handler.codec.http.HttpHeaders headers, Map<String, Object> body, String raw) {
        @SuppressWarnings("unchecked")
        Map<String, Object> error() {
            return (Map<String, Object>) body.get("error");
        }

        String code() {
            return error() == null ? null : (String) error().get("code");
        }
    }

    private static Answer read(EmbeddedChannel ch) {
        Object out = ch.readOutbound();
        assertThat(out).as("a response was written").isInstanceOf(FullHttpResponse.class);
        FullHttpResponse res = (FullHttpResponse) out;
        try {
            String raw = res.content().toString(StandardCharsets.UTF_8);
            return new Answer(res.status().code(), res.headers().copy(), Json.parseObject(raw.getBytes(StandardCharsets.UTF_8)), raw);
        } finally {
            res.release();
        }
    }

    private static Answer call(EmbeddedChannel ch, FullHttpRequest r) {
        ch.writeInbound(r);
        assertThat(r.refCnt()).as("the request is released once answered").isZero();
        Answer a = read(ch);
        assertThat(a.headers().get(HttpHeaderNames.CACHE_CONTROL)).as("every admin answer is no-store").isEqualTo("no-store");
        return a;
    }

    private String login(EmbeddedChannel ch) {
        Answer a = call(ch, req(HttpMethod.POST, "/api/login", "{\"password\":\"" + WEB_PASSWORD + "\"}"));
        assertThat(a.status()).isEqualTo(200);
        return (String) a.body().get("token");
    }

    private static String cookie(String token) {
        return "theme=dark; " + AdminGuard.COOKIE + "=" + token;
    }

    /** Every route with a method it serves; bodies where needed. */
    private static final Object[][] ROUTES = {
        {HttpMethod.GET, "/api/session", null},
        {HttpMethod.POST, "/api/logout", null},
        {HttpMethod.GET, "/api/keys", null},
        {HttpMethod.POST, "/api/keys", "{\"keys\":\"k\"}"},
        {HttpMethod.DELETE, "/api/keys/" + FakeAdminBackend.KNOWN_ID, null},
        {HttpMethod.POST, "/api/keys/" + FakeAdminBackend.KNOWN_ID + "/disable", null},
        {HttpMethod.POST, "/api/keys/" + FakeAdminBackend.KNOWN_ID + "/enable", null},
        {HttpMethod.POST, "/api/keys/test", null},
        {HttpMethod.GET, "/api/keys/test", null},
        {HttpMethod.POST, "/api/keys/clear-invalid", null},
        {HttpMethod.POST, "/api/keys/export", null},
        {HttpMethod.GET, "/api/stats", null},
        {HttpMethod.POST, "/api/stats/reset", null},
        {HttpMethod.GET, "/api/settings", null},
        {HttpMethod.PATCH, "/api/settings", "{\"FAKE_STREAMING\":false}"},
        {HttpMethod.PUT, "/api/settings", "{\"FAKE_STREAMING\":true}"},
        {HttpMethod.GET, "/api/nowhere", null},
    };

    // ---- tests ----

    @Test
    void everyRouteRefusesNoSessionAWrongOneAnExpiredOneAndTheApiPassword() {
        EmbeddedChannel ch = channel();
        String token = login(ch);
        clock.advance(Duration.ofHours(12));
        String forged = "A".repeat(43);
        for (Object[] r : ROUTES) {
            HttpMethod m = (HttpMethod) r[0];
            String path = (String) r[1];
            String body = (String) r[2];
            List<FullHttpRequest> attempts = List.of(
                    req(m, path, body),
                    req(m, path, body, "Authorization", "Bearer " + forged),
                    req(m, path, body, "Cookie", cookie(forged)),
                    req(m, path, body, "Authorization", "Bearer " + token),
                    req(m, path, body, "Cookie", cookie(token)),
                    req(m, path, body, "Authorization", "Bearer " + API_PASSWORD),
                    req(m, path + "?key=" + API_PASSWORD, body, "x-goog-api-key", API_PASSWORD));
            for (FullHttpRequest attempt : attempts) {
                Answer a = call(ch, attempt);
                assertThat(a.status()).as("%s %s without a valid session", m, path).isEqualTo(401);
                assertThat(a.code()).isEqualTo("admin_login_required");
                assertThat(a.headers().get(HttpHeaderNames.WWW_AUTHENTICATE)).contains("Bearer");
            }
        }
        assertThat(backend.calls).as("nothing reaches the backend without a session").isEmpty();
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void loginSetsAHardenedCookieAndTheCookieOpensEveryRoute() {
        EmbeddedChannel ch = channel();
        Answer login = call(ch, req(HttpMethod.POST, "/api/login", "{\"password\":\"" + WEB_PASSWORD + "\"}"));
        assertThat(login.status()).isEqualTo(200);
        String token = (String) login.body().get("token");
        assertThat(token).matches("[A-Za-z0-9_-]{43}");
        String setCookie = login.headers().get(HttpHeaderNames.SET_COOKIE);
        assertThat(setCookie).as("the cookie carries the token and is locked down")
                .startsWith(AdminGuard.COOKIE + "=" + token + ";")
                .contains("; HttpOnly", "; SameSite=Strict", "; Path=/", "; Max-Age=604800")
                .doesNotContain("Secure");

        List<String> expected = List.of("listKeys", "addKeys:1", "removeKey:" + FakeAdminBackend.KNOWN_ID,
                "setKeyDisabled:" + FakeAdminBackend.KNOWN_ID + ":true", "setKeyDisabled:" + FakeAdminBackend.KNOWN_ID + ":false",
                "testAllKeys", "testProgress", "clearInvalidKeys", "exportValidKeys", "stats", "resetStats", "settings",
                "updateSettings:[FAKE_STREAMING]", "updateSettings:[FAKE_STREAMING]");
        for (Object[] r : ROUTES) {
            HttpMethod m = (HttpMethod) r[0];
            String path = (String) r[1];
            if (path.equals("/api/logout")) {
                continue;
            }
            Answer a = call(ch, req(m, path, (String) r[2], "Cookie", cookie(token)));
            if (path.equals("/api/nowhere")) {
                assertThat(a.status()).as("unknown admin path, logged in").isEqualTo(404);
                assertThat(a.code()).isEqualTo("not_found");
            } else if (m.equals(HttpMethod.POST) && path.equals("/api/keys/test")) {
                assertThat(a.status()).as("a key test starts in the background").isEqualTo(202);
                assertThat(a.body()).containsEntry("running", true);
            } else {
                assertThat(a.status()).as("%s %s with the cookie", m, path).isEqualTo(200);
            }
        }
        assertThat(backend.calls).as("each route calls its backend method once").containsExactlyElementsOf(expected);
        assertThat(backend.lastSettingsChange).containsEntry("FAKE_STREAMING", true);
    }

    @Test
    void bearerTokenWorksForScriptsAndSessionSaysHow() {
        EmbeddedChannel ch = channel();
        String token = login(ch);
        Answer s = call(ch, req(HttpMethod.GET, "/api/session", null, "Authorization", "Bearer " + token));
        assertThat(s.status()).isEqualTo(200);
        assertThat(s.body()).containsEntry("authenticated", true).containsEntry("via", "bearer");
        assertThat(s.raw()).as("the session answer does not repeat the token").doesNotContain(token);
        Answer c = call(ch, req(HttpMethod.GET, "/api/session", null, "Cookie", cookie(token)));
        assertThat(c.body()).containsEntry("via", "cookie");
        Answer wrongBearer = call(ch, req(HttpMethod.GET, "/api/session", null, "Authorization", "Bearer " + "B".repeat(43),
                "Cookie", cookie(token)));
        assertThat(wrongBearer.status()).as("a wrong Bearer is not rescued by a cookie").isEqualTo(401);
    }

    @Test
    void logoutEndsTheSessionAndClearsTheCookie() {
        EmbeddedChannel ch = channel();
        String token = login(ch);
        String other = login(ch);
        Answer out = call(ch, req(HttpMethod.POST, "/api/logout", null, "Cookie", cookie(token)));
        assertThat(out.status()).isEqualTo(200);
        assertThat(out.headers().get(HttpHeaderNames.SET_COOKIE)).startsWith(AdminGuard.COOKIE + "=;").contains("Max-Age=0");
        assertThat(call(ch, req(HttpMethod.GET, "/api/session", null, "Cookie", cookie(token))).status())
                .as("the token is dead after logout").isEqualTo(401);
        assertThat(call(ch, req(HttpMethod.GET, "/api/session", null, "Authorization", "Bearer " + token)).status())
                .isEqualTo(401);
        assertThat(call(ch, req(HttpMethod.GET, "/api/session", null, "Authorization", "Bearer " + other)).status())
                .as("other sessions live on").isEqualTo(200);
    }

    @Test
    void sessionSlidesWithUseAndEndsWhenIdle() {
        EmbeddedChannel ch = channel();
        String token = login(ch);
        for (int i = 0; i < 3; i++) {
            clock.advance(Duration.ofHours(11));
            assertThat(call(ch, req(HttpMethod.GET, "/api/session", null, "Cookie", cookie(token))).status()).isEqualTo(200);
        }
        clock.advance(Duration.ofHours(12));
        assertThat(call(ch, req(HttpMethod.GET, "/api/keys", null, "Cookie", cookie(token))).status()).isEqualTo(401);
    }

    @Test
    void failedLoginsAreDelayedThenRefusedWith429AndNeverLogThePassword() {
        try (LogCapture logs = LogCapture.open(Level.DEBUG, org.slf4j.Logger.ROOT_LOGGER_NAME, "gemgate", "io.netty")) {
            EmbeddedChannel ch = channel();
            Answer first = call(ch, req(HttpMethod.POST, "/api/login", "{\"password\":\"guess-1\"}"));
            assertThat(first.status()).isEqualTo(401);
            assertThat(first.code()).isEqualTo("invalid_password");
            assertThat(first.headers().get(HttpHeaderNames.SET_COOKIE)).isNull();

            FullHttpRequest second = req(HttpMethod.POST, "/api/login", "{\"password\":\"guess-2\"}");
            ch.writeInbound(second);
            assertThat(second.refCnt()).isZero();
            assertThat((Object) ch.readOutbound()).as("the second failure is answered after 1 s").isNull();
            FullHttpRequest meanwhile = req(HttpMethod.GET, "/api/session", null);
            ch.writeInbound(meanwhile);
            assertThat((Object) ch.readOutbound()).as("a pipelined request waits behind the delayed 401").isNull();
            ch.advanceTimeBy(999, TimeUnit.MILLISECONDS);
            ch.runScheduledPendingTasks();
            assertThat((Object) ch.readOutbound()).isNull();
            ch.advanceTimeBy(1, TimeUnit.MILLISECONDS);
            ch.runScheduledPendingTasks();
            assertThat(read(ch).status()).isEqualTo(401);
            ch.runPendingTasks();
            assertThat(read(ch).status()).as("then the held request is answered").isEqualTo(401);

            ch.writeInbound(req(HttpMethod.POST, "/api/login", "{\"password\":\"guess-3\"}"));
            ch.advanceTimeBy(2, TimeUnit.SECONDS);
            ch.runScheduledPendingTasks();
            assertThat(read(ch).status()).as("third failure after 2 s").isEqualTo(401);

            Answer locked = call(ch, req(HttpMethod.POST, "/api/login", "{\"password\":\"" + WEB_PASSWORD + "\"}"));
            assertThat(locked.status()).as("locked out: even the right password is not checked").isEqualTo(429);
            assertThat(locked.code()).isEqualTo("login_throttled");
            assertThat(locked.headers().get(HttpHeaderNames.RETRY_AFTER)).isEqualTo("900");

            Answer otherClient = call(channel("198.51.100.9"),
                    req(HttpMethod.POST, "/api/login", "{\"password\":\"" + WEB_PASSWORD + "\"}"));
            assertThat(otherClient.status()).as("the lockout is per address").isEqualTo(200);

            clock.advance(Duration.ofMinutes(15));
            assertThat(call(ch, req(HttpMethod.POST, "/api/login", "{\"password\":\"" + WEB_PASSWORD + "\"}")).status())
                    .as("15 min after the last failure the address may log in").isEqualTo(200);

            String all = String.join("\n", logs.lines());
            assertThat(all).as("failed logins are logged").contains("admin login failed from 192.0.2.7");
            assertThat(all).as("the lockout is logged").contains("admin login refused for 192.0.2.7");
            assertThat(all).as("no password, right or wrong, reaches the log")
                    .doesNotContain(WEB_PASSWORD, "guess-1", "guess-2", "guess-3");
        }
    }

    @Test
    void loginBodyMustBeSmallJsonWithAPassword() {
        EmbeddedChannel ch = channel();
        assertThat(call(ch, req(HttpMethod.POST, "/api/login", "{}")).status()).isEqualTo(400);
        assertThat(call(ch, req(HttpMethod.POST, "/api/login", "{\"password\":1}")).status()).isEqualTo(400);
        Answer notJson = call(ch, req(HttpMethod.POST, "/api/login", "password=" + WEB_PASSWORD,
                "Content-Type", "application/x-www-form-urlencoded"));
        assertThat(notJson.status()).as("a form post (what a cross-site form sends) is refused").isEqualTo(415);
        assertThat(call(ch, req(HttpMethod.GET, "/api/login", null)).status()).isEqualTo(405);
        assertThat(admin.loginThrottle().totalFailures()).as("malformed logins test no password").isZero();

        HttpRequest big = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/api/login");
        big.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 5000);
        big.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        HttpContent part = new DefaultHttpContent(Unpooled.copiedBuffer("{\"password\":\"", StandardCharsets.UTF_8));
        ch.writeInbound(big, part);
        assertThat(part.refCnt()).as("an oversized login body is dropped, not buffered").isZero();
        Answer tooBig = read(ch);
        assertThat(tooBig.status()).isEqualTo(413);
        assertThat(ch.isOpen()).as("the rest of the body is not read").isFalse();
    }

    @Test
    void unauthenticatedBodiesAreNeverBuffered() {
        EmbeddedChannel ch = channel();
        HttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/api/keys");
        head.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 100_000);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        HttpContent part = new DefaultHttpContent(Unpooled.copiedBuffer("{\"keys\":\"", StandardCharsets.UTF_8));
        ch.writeInbound(head, part);
        assertThat(part.refCnt()).isZero();
        assertThat(read(ch).status()).as("401 on the head, before the body").isEqualTo(401);
        assertThat(ch.isOpen()).isFalse();
        assertThat(backend.calls).isEmpty();
    }

    @Test
    void cookieAuthenticatedChangesFromAnotherSiteAreRefused() {
        EmbeddedChannel ch = channel();
        String token = login(ch);
        String c = cookie(token);
        String path = "/api/keys/clear-invalid";
        assertThat(call(ch, req(HttpMethod.POST, path, null, "Cookie", c, "Origin", "https://evil.example")).code())
                .isEqualTo("cross_site_request");
        assertThat(call(ch, req(HttpMethod.POST, path, null, "Cookie", c, "Sec-Fetch-Site", "cross-site")).status())
                .isEqualTo(403);
        assertThat(call(ch, req(HttpMethod.POST, path, null, "Cookie", c, "Sec-Fetch-Site", "same-site")).status())
                .isEqualTo(403);
        assertThat(call(ch, req(HttpMethod.POST, path, null, "Cookie", c, "Origin", "null")).status()).isEqualTo(403);
        assertThat(call(ch, req(HttpMethod.DELETE, "/api/keys/" + FakeAdminBackend.KNOWN_ID, null, "Cookie", c,
                "Origin", "http://gemgate.example:7860.evil.example")).status()).isEqualTo(403);
        assertThat(call(ch, req(HttpMethod.POST, "/api/login", "{\"password\":\"" + WEB_PASSWORD + "\"}",
                "Origin", "https://evil.example")).status()).as("no login from another site either").isEqualTo(403);
        assertThat(call(ch, req(HttpMethod.POST, "/api/keys", "k1 k2", "Cookie", c, "Content-Type", "text/plain")).status())
                .as("a text/plain body (what a no-preflight cross-site fetch sends) is refused").isEqualTo(415);
        assertThat(backend.calls).as("nothing refused reached the backend").isEmpty();

        assertThat(call(ch, req(HttpMethod.POST, path, null, "Cookie", c, "Origin", "http://gemgate.example:7860",
                "Sec-Fetch-Site", "same-origin")).status()).as("our own page").isEqualTo(200);
        assertThat(call(ch, req(HttpMethod.POST, path, null, "Cookie", c, "Origin", "http://GemGate.example:7860")).status())
                .as("Origin host = Host, for browsers without Sec-Fetch-Site").isEqualTo(200);
        assertThat(call(ch, req(HttpMethod.POST, path, null, "Cookie", c)).status()).as("a script sends no Origin").isEqualTo(200);
        assertThat(call(ch, req(HttpMethod.POST, path, null, "Cookie", c, "Origin", "https://app.example",
                "Sec-Fetch-Site", "cross-site")).status()).as("an origin named in ALLOWED_ORIGINS").isEqualTo(200);
        assertThat(call(ch, req(HttpMethod.POST, path, null, "Authorization", "Bearer " + token,
                "Origin", "https://evil.example")).status()).as("a Bearer token is never sent by a browser on its own")
                .isEqualTo(200);
        assertThat(call(ch, req(HttpMethod.GET, "/api/keys", null, "Cookie", c, "Sec-Fetch-Site", "cross-site")).status())
                .as("reads change nothing (SameSite=Strict keeps the cookie home anyway)").isEqualTo(200);
    }

    @Test
    void originBehindATrustedProxyMatchesForwardedHostAndTheCookieIsSecure() {
        EmbeddedChannel ch = channel("10.0.0.2");
        Answer login = call(ch, req(HttpMethod.POST, "/api/login", "{\"password\":\"" + WEB_PASSWORD + "\"}",
                "X-Forwarded-Proto", "https", "X-Forwarded-For", "203.0.113.5", "Host", "127.0.0.1:7860",
                "X-Forwarded-Host", "admin.example", "Origin", "https://admin.example"));
        assertThat(login.status()).isEqualTo(200);
        assertThat(login.headers().get(HttpHeaderNames.SET_COOKIE)).as("https at the proxy: Secure cookie").endsWith("; Secure");

        EmbeddedChannel direct = channel("203.0.113.5");
        Answer spoofed = call(direct, req(HttpMethod.POST, "/api/login", "{\"password\":\"" + WEB_PASSWORD + "\"}",
                "X-Forwarded-Proto", "https", "X-Forwarded-Host", "evil.example", "Origin", "https://evil.example"));
        assertThat(spoofed.status()).as("forwarded headers from an untrusted peer are ignored").isEqualTo(403);
        Answer plain = call(direct, req(HttpMethod.POST, "/api/login", "{\"password\":\"" + WEB_PASSWORD + "\"}",
                "X-Forwarded-Proto", "https"));
        assertThat(plain.headers().get(HttpHeaderNames.SET_COOKIE)).doesNotContain("Secure");
    }

    @Test
    void onlyTheExplicitExportShowsFullKeys() {
        EmbeddedChannel ch = channel();
        String c = cookie(login(ch));
        String full = FakeAdminBackend.KNOWN_ID.isEmpty() ? "" : FakeAdminBackend.FULL_KEY;
        for (Object[] r : ROUTES) {
            if (((String) r[1]).equals("/api/keys/export") || ((String) r[1]).equals("/api/logout")) {
                continue;
            }
            Answer a = call(ch, req((HttpMethod) r[0], (String) r[1], (String) r[2], "Cookie", c));
            assertThat(a.raw()).as("%s %s masks keys the backend left in", r[0], r[1]).doesNotContain(full);
        }
        Answer list = call(ch, req(HttpMethod.GET, "/api/keys", null, "Cookie", c));
        assertThat(list.raw()).contains(gemgate.core.keys.KeyMask.mask(full));
        assertThat(call(ch, req(HttpMethod.GET, "/api/keys/export", null, "Cookie", c)).status())
                .as("export is POST only: no link or prefetch triggers it").isEqualTo(405);
        Answer export = call(ch, req(HttpMethod.POST, "/api/keys/export", null, "Cookie", c));
        assertThat(export.status()).isEqualTo(200);
        assertThat(export.body()).containsEntry("keys", List.of(full)).containsEntry("count", 1L);
        assertThat(export.headers().get(HttpHeaderNames.CACHE_CONTROL)).isEqualTo("no-store");
    }

    @Test
    void backendErrorsAndWrongMethodsAreOpenAiShaped() {
        EmbeddedChannel ch = channel();
        String c = cookie(login(ch));
        Answer unknown = call(ch, req(HttpMethod.DELETE, "/api/keys/ffffffff", null, "Cookie", c));
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.code()).isEqualTo("key_not_found");
        assertThat(unknown.error()).containsKeys("message", "type", "param", "code");
        Answer bad = call(ch, req(HttpMethod.PATCH, "/api/settings", "{\"NO_SUCH_SETTING\":1}", "Cookie", c));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.error()).containsEntry("param", "NO_SUCH_SETTING");
        assertThat(call(ch, req(HttpMethod.POST, "/api/settings", "{}", "Cookie", c)).status()).isEqualTo(405);
        assertThat(call(ch, req(HttpMethod.DELETE, "/api/keys/test", null, "Cookie", c)).status())
                .as("reserved words are routes, not key ids").isEqualTo(405);
        assertThat(call(ch, req(HttpMethod.POST, "/api/keys", "{\"keys\":", "Cookie", c)).code()).isEqualTo("invalid_json");
        assertThat(call(ch, req(HttpMethod.POST, "/api/keys", "{\"keys\":7}", "Cookie", c)).status()).isEqualTo(400);
        assertThat(call(ch, req(HttpMethod.DELETE, "/api/keys/%zz", null, "Cookie", c)).status())
                .as("a malformed id is the client's error, not a 500").isEqualTo(400);
        Answer trailing = call(ch, req(HttpMethod.GET, "/api/keys/?x=1", null, "Cookie", c));
        assertThat(trailing.status()).as("trailing slash and query are ignored").isEqualTo(200);
    }

    @Test
    void withoutABackendEveryAdminRouteAnswers503() {
        admin = api(null);
        EmbeddedChannel ch = channel();
        Answer login = call(ch, req(HttpMethod.POST, "/api/login", "{\"password\":\"" + WEB_PASSWORD + "\"}"));
        assertThat(login.status()).isEqualTo(503);
        assertThat(login.code()).isEqualTo("admin_unavailable");
        assertThat(call(ch, req(HttpMethod.GET, "/api/keys", null)).status()).isEqualTo(503);
    }

    /** A clock tests move by hand. */
    static final class MutableClock extends Clock {
        private volatile Instant now = Instant.parse("2026-05-01T12:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }
}
