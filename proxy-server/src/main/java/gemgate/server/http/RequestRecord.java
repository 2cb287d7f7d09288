package gemgate.server.http;

import gemgate.server.metrics.Route;
import io.netty.channel.Channel;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * What the access log says about one request. Created by the access-log handler when the request arrives; the
 * endpoint that answers it adds what only it knows (model, key fingerprint, attempts, tokens). Confined to the
 * connection's event loop. Holds no secret: the path is kept without its query string (which may carry
 * {@code ?key=}), the key only as its fingerprint.
 */
public final class RequestRecord {
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    private static final int MAX_FIELD = 120;

    public final String id;
    public final long startNanos;
    public final String method;
    public final String path;
    public final Route route;
    public final String client;

    public String model;
    public String mode;
    public String keyFingerprint;
    public int attempts;
    public long tokens = -1;
    /** "hit" when answered from the response cache, "miss" when the cache was looked up in vain, else null. */
    public String cache;
    /** The status of an error that travelled inside an already-started stream (the HTTP status was 200). */
    public int streamErrorStatus;

    public RequestRecord(String id, long startNanos, String method, String uri, String client) {
        this.id = id;
        this.startNanos = startNanos;
        this.method = method;
        int q = uri == null ? -1 : uri.indexOf('?');
        this.path = safe(q >= 0 ? uri.substring(0, q) : uri);
        this.route = Route.of(uri);
        this.client = client;
    }

    /** The record of the request now being answered on {@code ch}, or null outside a request. */
    public static RequestRecord current(Channel ch) {
        return ch.attr(Attrs.REQUEST).get();
    }

    /** Our id, or the caller's (nginx's {@code $request_id}) when it is short and plain, so logs line up. */
    public static String newId(String offered) {
        if (offered != null && SAFE_ID.matcher(offered).matches()) {
            return offered;
        }
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return Long.toHexString(r.nextLong() | Long.MIN_VALUE).substring(0, 16);
    }

    /** Printable, short, no spaces or quotes: client-chosen text (paths, model names) cannot forge log lines. */
    public static String safe(String s) {
        if (s == null || s.isEmpty()) {
            return "-";
        }
        int n = Math.min(s.length(), MAX_FIELD);
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            b.append(c > ' ' && c < 0x7f && c != '"' && c != '\\' ? c : '?');
        }
        if (s.length() > MAX_FIELD) {
            b.append("...");
        }
        return b.toString();
    }
}
