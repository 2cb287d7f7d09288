package gemgate.server.admin;

import gemgate.core.error.ApiError;
import gemgate.core.error.ApiException;
import gemgate.core.json.Json;
import gemgate.core.keys.KeyMask;
import gemgate.server.http.Responses;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Bodies in and answers out for the admin API: JSON parsing, the answer and error headers, the cookie, key masking. */
final class AdminJson {
    private AdminJson() {}

    static String cookie(String token, long maxAgeSeconds, boolean secure) {
        return AdminGuard.COOKIE + "=" + token + "; Path=/; Max-Age=" + maxAgeSeconds + "; HttpOnly; SameSite=Strict"
                + (secure ? "; Secure" : "");
    }

    static Map<String, Object> jsonObject(FullHttpRequest req) {
        if (req.content().readableBytes() == 0) {
            throw new ApiException(ApiError.badRequest("A JSON object body is required.", null));
        }
        Object v = Json.parse(ByteBufUtil.getBytes(req.content()));
        if (!(v instanceof Map)) {
            throw new ApiException(ApiError.badRequest("The body must be a JSON object.", null));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) v;
        return m;
    }

    /** {@code {"keys": "pasted text"}}, or a list of strings, joined by newlines. */
    static String pastedKeys(FullHttpRequest req) {
        Object keys = jsonObject(req).get("keys");
        if (keys instanceof String s) {
            return s;
        }
        if (keys instanceof List<?> l && l.stream().allMatch(String.class::isInstance)) {
            StringBuilder b = new StringBuilder();
            for (Object o : l) {
                b.append((String) o).append('\n');
            }
            return b.toString();
        }
        throw new ApiException(ApiError.badRequest("The body must be {\"keys\": \"<pasted text with keys>\"} "
                + "(or a list of strings).", "keys"));
    }

    static FullHttpResponse json(HttpResponseStatus status, Map<String, Object> tree) {
        FullHttpResponse res = Responses.json(status, Json.write(tree));
        res.headers().set("X-Content-Type-Options", "nosniff");
        return res;
    }

    static FullHttpResponse errorResponse(ApiError err) {
        FullHttpResponse res = Responses.error(err, false);
        res.headers().set("X-Content-Type-Options", "nosniff");
        if (err.status() == 401) {
            res.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"gemgate-admin\"");
        }
        return res;
    }

    /** A copy of {@code v} with anything shaped like a Google key masked, in keys and values alike. */
    static Object masked(Object v) {
        if (v instanceof String s) {
            return KeyMask.scrub(s);
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, val) -> out.put(KeyMask.scrub(String.valueOf(k)), masked(val)));
            return out;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            for (Object o : l) {
                out.add(masked(o));
            }
            return out;
        }
        return v;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> masked(Map<String, Object> tree) {
        return (Map<String, Object>) masked((Object) tree);
    }
}
