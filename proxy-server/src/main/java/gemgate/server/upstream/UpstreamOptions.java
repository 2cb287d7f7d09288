package gemgate.server.upstream;

import java.net.URI;
import java.time.Duration;

/**
 * What the upstream client needs from the settings, kept separate so the client does not depend on the whole
 * configuration tree.
 *
 * @param baseUrl        upstream base URL, http or https, without a trailing slash
 * @param proxy          outbound proxy for the upstream host, or null for a direct connection
 */
public record UpstreamOptions(
        URI baseUrl,
        Duration connectTimeout,
        Duration firstByteTimeout,
        Duration idleTimeout,
        long maxResponseBody,
        int poolMaxConnections,
        int poolMaxPendingAcquires,
        Duration poolIdleTimeout,
        Proxy proxy) {

    /** An outbound HTTP CONNECT or SOCKS5 proxy. */
    public record Proxy(Kind kind, String host, int port, String username, String password) {
        public enum Kind { HTTP, SOCKS5 }

        @Override
        public String toString() {
            return kind.name().toLowerCase() + "://" + (username != null ? "***@" : "") + host + ":" + port;
        }
    }

    public UpstreamOptions {
        String scheme = baseUrl.getScheme();
        if (!"http".equals(scheme) && !"https".equals(scheme)) {
            throw new IllegalArgumentException("upstream base URL must be http or https, got " + baseUrl);
        }
        if (baseUrl.getHost() == null) {
            throw new IllegalArgumentException("upstream base URL has no host: " + baseUrl);
        }
        if (poolMaxConnections < 1 || poolMaxPendingAcquires < 1) {
            throw new IllegalArgumentException("pool sizes must be >= 1");
        }
    }

    public boolean tls() {
        return "https".equals(baseUrl.getScheme());
    }

    public String host() {
        return baseUrl.getHost();
    }

    public int port() {
        int p = baseUrl.getPort();
        return p > 0 ? p : tls() ? 443 : 80;
    }

    /** Path prefix of the base URL ("" or "/something"), for users who chain through their own reverse proxy. */
    public String basePath() {
        String p = baseUrl.getRawPath();
        if (p == null || p.isEmpty() || p.equals("/")) {
            return "";
        }
        return p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }

    /** Host header value: host, plus the port when it is not the scheme's default. */
    public String hostHeader() {
        int p = baseUrl.getPort();
        String h = host().contains(":") ? "[" + host() + "]" : host();
        return p > 0 && p != (tls() ? 443 : 80) ? h + ":" + p : h;
    }
}
