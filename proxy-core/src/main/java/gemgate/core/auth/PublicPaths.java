package gemgate.core.auth;

/**
 * Requests that need neither the password nor a rate-limit token: {@code GET /health} (for load balancers and
 * systemd checks), any {@code OPTIONS} (CORS preflights carry no credentials by design) and {@code GET /} (a banner).
 * HEAD is treated like GET.
 */
public final class PublicPaths {
    private PublicPaths() {}

    /** {@code path} may carry a query string; it is ignored. */
    public static boolean isPublic(String method, String path) {
        if (method == null || path == null) {
            return false;
        }
        if (method.equals("OPTIONS")) {
            return true;
        }
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return false;
        }
        int q = path.indexOf('?');
        String p = q >= 0 ? path.substring(0, q) : path;
        return p.equals("/") || p.equals("/health");
    }
}
