package gemgate.core.auth;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import java.util.function.Function;

/**
 * Where clients put the proxy password and how it is checked. The places are hajimi's, in its order:
 * {@code x-goog-api-key} header (what Gemini SDKs send), {@code ?key=} (Gemini REST style), then
 * {@code Authorization: Bearer} (OpenAI SDKs). A present but wrong earlier credential wins over a later one, as in hajimi.
 */
public final class Credentials {
    public static final String GOOG_API_KEY = "x-goog-api-key";
    public static final String AUTHORIZATION = "Authorization";
    public static final String KEY_PARAM = "key";

    private Credentials() {}

    /**
     * The credential the client presented, or null if none. {@code header} looks a header up by name
     * (case-insensitively, as Netty's headers do) and returns null when absent; {@code uri} is the raw request URI.
     */
    public static String extract(Function<String, String> header, String uri) {
        String goog = header.apply(GOOG_API_KEY);
        if (goog != null && !goog.isBlank()) {
            return goog.trim();
        }
        String key = queryParam(uri, KEY_PARAM);
        if (key != null && !key.isEmpty()) {
            return key;
        }
        String auth = header.apply(AUTHORIZATION);
        if (auth != null) {
            String a = auth.trim();
            if (a.length() > 7 && a.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
                String token = a.substring(7).trim();
                return token.isEmpty() ? null : token;
            }
        }
        return null;
    }

    /**
     * True when the credential {@link #extract} finds came the Google way ({@code x-goog-api-key} or {@code ?key=})
     * rather than as a Bearer token: how Gemini clients and OpenAI clients tell themselves apart on shared routes.
     */
    public static boolean googleStyle(Function<String, String> header, String uri) {
        String goog = header.apply(GOOG_API_KEY);
        if (goog != null && !goog.isBlank()) {
            return true;
        }
        String key = queryParam(uri, KEY_PARAM);
        return key != null && !key.isEmpty();
    }

    /**
     * Constant-time check of {@code presented} against {@code expected}: both are hashed with SHA-256 first, so
     * neither the content nor the length of the password shows in the timing. Null presented never matches.
     */
    public static boolean matches(String presented, String expected) {
        if (presented == null || expected == null) {
            return false;
        }
        return MessageDigest.isEqual(sha256(presented), sha256(expected));
    }

    /** The URI without any {@code key} query parameter; everything else is kept byte for byte. */
    public static String stripKeyParam(String uri) {
        int q = uri.indexOf('?');
        if (q < 0) {
            return uri;
        }
        StringBuilder kept = new StringBuilder(uri.length());
        boolean removed = false;
        for (String pair : uri.substring(q + 1).split("&", -1)) {
            if (isKeyParam(pair)) {
                removed = true;
                continue;
            }
            if (pair.isEmpty()) {
                continue;
            }
            if (kept.length() > 0) {
                kept.append('&');
            }
            kept.append(pair);
        }
        if (!removed) {
            return uri;
        }
        String path = uri.substring(0, q);
        return kept.length() == 0 ? path : path + "?" + kept;
    }

    private static boolean isKeyParam(String pair) {
        int eq = pair.indexOf('=');
        return decode(eq >= 0 ? pair.substring(0, eq) : pair).equals(KEY_PARAM);
    }

    static String queryParam(String uri, String name) {
        if (uri == null) {
            return null;
        }
        int q = uri.indexOf('?');
        if (q < 0) {
            return null;
        }
        for (String pair : uri.substring(q + 1).split("&")) {
            int eq = pair.indexOf('=');
            String n = decode(eq >= 0 ? pair.substring(0, eq) : pair);
            if (n.equals(name)) {
                return eq >= 0 ? decode(pair.substring(eq + 1)) : "";
            }
        }
        return null;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            return s;
        }
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the JDK", e);
        }
    }
}
