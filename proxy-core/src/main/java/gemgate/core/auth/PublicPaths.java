package gemgate.core.auth;

/**
 * Requests that need neither the password nor a rate-limit token: {@code GET /health} (for load balancers and
 * systemd checks), any {@code OPTIONS} (CORS preflights carry no credentials by design) and {@code GET /} (a banner).
 * {@code GET /metrics} joins them only when the operator turned its password off (METRICS_REQUIRE_PASSWORD=false).
 * HEAD is treated like GET.
 */
public final class PublicPaths {
    public static final String METRICS = "/metrics";

    private PublicPaths() {}

    /** {@code path} may carry a query string; it is ignored. /metrics needs the password. */
    public static boolean isPublic(String method, String path) {
        return isPublic(method, path, false);
    }

    /** As {@link #isPublic(String, String)}, with /metrics public when {@code metricsPublic}. */
    public static boolean isPublic(String method, String path, boolean metricsPublic) {
        if (method == null || path == null) {
            return false;
        }
        if (method.equals("OPTIONS")) {
            return true;
        }
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return false;
        }
        String p = withoutQuery(path);
        return p.equals("/") || p.equals("/health") || (metricsPublic && p.equals(METRICS));
    }

    /**
     * True for a scrape of /metrics. Scrapes are exempt from the per-IP request limits whether or not they need the
     * password: a Prometheus scraping every 15 s makes 5760 requests a day, which would otherwise exhaust the daily
     * limit of its address within hours.
     */
    public static boolean isMetrics(String method, String path) {
        return method != null && path != null && (method.equals("GET") || method.equals("HEAD"))
                && withoutQuery(path).equals(METRICS);
    }

    /**
     * True for the admin API ({@code /api} and everything under {@code /api/}): it is never checked against the API
     * password, because it authenticates itself with its own login (WEB_PASSWORD and a session).
     */
    public static boolean isAdmin(String path) {
        if (path == null) {
            return false;
        }
        String p = withoutQuery(path);
        return p.equals("/api") || p.startsWith("/api/");
    }

    private static String withoutQuery(String path) {
        int q = path.indexOf('?');
        return q >= 0 ? path.substring(0, q) : path;
    }
}
