package gemgate.server.admin;

import gemgate.core.error.ApiError;
import gemgate.core.net.CidrSet;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Header-only checks of admin requests: where the session token is (Bearer header, else cookie), whether a
 * state-changing call could be a cross-site request forgery, whether its body is JSON, and whether the client reached
 * us over https (for the cookie's {@code Secure}). Stateless and thread-safe.
 */
final class AdminGuard {
    static final String COOKIE = "gemgate_session";

    private final CidrSet trustedProxies;
    /** ALLOWED_ORIGINS entries other than "*", normalised: browser apps the operator trusts by name. */
    private final Set<String> trustedOrigins;

    AdminGuard(CidrSet trustedProxies, List<String> allowedOrigins) {
        if (trustedProxies == null || allowedOrigins == null) {
            throw new IllegalArgumentException("trustedProxies and allowedOrigins are required (empty for none)");
        }
        this.trustedProxies = trustedProxies;
        this.trustedOrigins = allowedOrigins.stream().map(o -> o.trim().toLowerCase(Locale.ROOT))
                .map(o -> o.endsWith("/") ? o.substring(0, o.length() - 1) : o)
                .filter(o -> !o.isEmpty() && !o.equals("*")).collect(Collectors.toUnmodifiableSet());
    }

    /** Where a credential came from; CSRF matters only for the cookie, which the browser sends by itself. */
    enum Via { BEARER, COOKIE }

    /** The candidate tokens: the Bearer one alone when the header is there, else every session cookie. */
    static List<String> tokens(HttpRequest req) {
        List<String> out = new ArrayList<>(1);
        String auth = req.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (auth != null) {
            String a = auth.trim();
            if (a.length() > 7 && a.regionMatches(true, 0, "Bearer ", 0, 7)) {
                out.add(a.substring(7).trim());
            }
            return out;
        }
        for (String header : req.headers().getAll(HttpHeaderNames.COOKIE)) {
            for (String pair : header.split(";")) {
                int eq = pair.indexOf('=');
                if (eq > 0 && pair.substring(0, eq).trim().equals(COOKIE)) {
                    String v = pair.substring(eq + 1).trim();
                    if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
                        v = v.substring(1, v.length() - 1);
                    }
                    if (out.size() < 4) {
                        out.add(v);
                    }
                }
            }
        }
        return out;
    }

    static Via via(HttpRequest req) {
        return req.headers().contains(HttpHeaderNames.AUTHORIZATION) ? Via.BEARER : Via.COOKIE;
    }

    static boolean changesState(HttpMethod m) {
        return !m.equals(HttpMethod.GET) && !m.equals(HttpMethod.HEAD) && !m.equals(HttpMethod.OPTIONS);
    }

    static boolean hasBody(HttpRequest req) {
        return HttpUtil.isTransferEncodingChunked(req) || HttpUtil.getContentLength(req, 0L) > 0;
    }

    /** 415 unless a request that carries a body declares it as JSON; a form or text/plain body never passes. */
    static ApiError contentType(HttpRequest req) {
        if (!hasBody(req)) {
            return null;
        }
        String ct = req.headers().get(HttpHeaderNames.CONTENT_TYPE);
        if (ct != null) {
            int semi = ct.indexOf(';');
            String type = (semi >= 0 ? ct.substring(0, semi) : ct).trim();
            if (type.equalsIgnoreCase("application/json")) {
                return null;
            }
        }
        return ApiError.unsupportedMediaType("application/json");
    }

    /**
     * 403 when the browser says the request comes from another site: {@code Sec-Fetch-Site} other than same-origin
     * or none (typed in), or, from browsers that do not send it, an {@code Origin} whose host is not the one the
     * request was sent to. Scripts send neither header and pass. Origins named in ALLOWED_ORIGINS pass.
     */
    ApiError crossSite(Channel ch, HttpRequest req) {
        String origin = req.headers().get(HttpHeaderNames.ORIGIN);
        if (origin != null && trustedOrigins.contains(stripSlash(origin.trim().toLowerCase(Locale.ROOT)))) {
            return null;
        }
        String site = req.headers().get("Sec-Fetch-Site");
        if (site != null) {
            String s = site.trim().toLowerCase(Locale.ROOT);
            return s.equals("same-origin") || s.equals("none") ? null : ApiError.crossSiteRequest();
        }
        if (origin == null) {
            return null;
        }
        String originHost = originAuthority(origin.trim());
        if (originHost == null) {
            return ApiError.crossSiteRequest(); // "null" (sandboxed frames, file:) or garbage
        }
        if (originHost.equals(authority(req.headers().get(HttpHeaderNames.HOST)))) {
            return null;
        }
        if (fromTrustedProxy(ch)) {
            String fwd = firstValue(req.headers().get("X-Forwarded-Host"));
            if (fwd != null && originHost.equals(authority(fwd))) {
                return null;
            }
        }
        return ApiError.crossSiteRequest();
    }

    /** True when a trusted proxy (TRUSTED_PROXIES) says the client used https. */
    boolean secure(Channel ch, HttpRequest req) {
        String proto = firstValue(req.headers().get("X-Forwarded-Proto"));
        return proto != null && proto.equalsIgnoreCase("https") && fromTrustedProxy(ch);
    }

    private boolean fromTrustedProxy(Channel ch) {
        return ch.remoteAddress() instanceof InetSocketAddress isa && isa.getAddress() != null
                && !trustedProxies.isEmpty() && trustedProxies.contains(isa.getAddress());
    }

    private static String firstValue(String header) {
        if (header == null) {
            return null;
        }
        int comma = header.indexOf(',');
        String v = (comma >= 0 ? header.substring(0, comma) : header).trim();
        return v.isEmpty() ? null : v;
    }

    private static String stripSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    /** {@code https://Example.com:443} -> {@code example.com}; null when not an http(s) origin. */
    static String originAuthority(String origin) {
        try {
            URI u = new URI(origin);
            String scheme = u.getScheme();
            if (u.getHost() == null || scheme == null
                    || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
                return null;
            }
            int port = u.getPort();
            boolean defaultPort = port < 0 || (scheme.equalsIgnoreCase("http") && port == 80)
                    || (scheme.equalsIgnoreCase("https") && port == 443);
            String host = u.getHost().toLowerCase(Locale.ROOT);
            return defaultPort ? host : host + ":" + port;
        } catch (java.net.URISyntaxException e) {
            return null;
        }
    }

    /** A Host header value without a default port, lower-cased; null when absent. */
    static String authority(String host) {
        if (host == null) {
            return null;
        }
        String h = host.trim().toLowerCase(Locale.ROOT);
        if (h.endsWith(":80")) {
            h = h.substring(0, h.length() - 3);
        } else if (h.endsWith(":443")) {
            h = h.substring(0, h.length() - 4);
        }
        return h;
    }
}
