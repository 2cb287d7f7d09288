package gemgate.core.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/** Parses PROXY_URL / HTTPS_PROXY / ALL_PROXY values into a {@link ProxyConfig}. */
final class ProxyUrl {
    static final String EXPECTED =
            "a proxy URL like http://[user:pass@]host:port or socks5://[user:pass@]host:port (socks5h too)";

    private ProxyUrl() {}

    /** @return null for an empty value; throws IllegalArgumentException with the reason otherwise */
    static ProxyConfig parse(String value) {
        String v = value.trim();
        if (v.isEmpty()) {
            return null;
        }
        if (!v.contains("://")) {
            v = "http://" + v; // curl's convention: a bare host:port is an HTTP proxy
        }
        URI uri;
        try {
            uri = new URI(v);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a URL (" + e.getReason() + ")");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        ProxyConfig.Type type;
        int defaultPort;
        switch (scheme) {
            case "http":
                type = ProxyConfig.Type.HTTP;
                defaultPort = 80;
                break;
            case "socks5":
            case "socks5h":
                type = ProxyConfig.Type.SOCKS5;
                defaultPort = 1080;
                break;
            default:
                throw new IllegalArgumentException("unsupported scheme \"" + scheme + "\"");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("no host");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        String path = uri.getRawPath();
        if ((path != null && !path.isEmpty() && !path.equals("/")) || uri.getRawQuery() != null) {
            throw new IllegalArgumentException("a proxy URL has no path or query");
        }
        int port = uri.getPort() == -1 ? defaultPort : uri.getPort();
        String user = null;
        String pass = null;
        String info = uri.getUserInfo(); // percent-decoded
        if (info != null && !info.isEmpty()) {
            int colon = info.indexOf(':');
            user = colon < 0 ? info : info.substring(0, colon);
            pass = colon < 0 ? null : info.substring(colon + 1);
        }
        return new ProxyConfig(type, host, port, user, pass);
    }
}
