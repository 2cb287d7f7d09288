package gemgate.core.config;

import java.util.Objects;

/**
 * An outbound proxy for upstream connections. {@code username}/{@code password} are null when the proxy needs no
 * credentials. {@link #toString()} never shows the credentials.
 */
public record ProxyConfig(Type type, String host, int port, String username, String password) {
    /** HTTP CONNECT proxy, or SOCKS5 (host names are resolved by the proxy, so socks5h behaves the same). */
    public enum Type { HTTP, SOCKS5 }

    public ProxyConfig {
        Objects.requireNonNull(type, "type");
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("proxy host must be non-empty");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("proxy port must be 1-65535, got " + port);
        }
        if (password != null && username == null) {
            throw new IllegalArgumentException("proxy password given without a username");
        }
    }

    public boolean hasCredentials() {
        return username != null;
    }

    @Override
    public String toString() {
        String scheme = type == Type.HTTP ? "http" : "socks5";
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return scheme + "://" + (hasCredentials() ? "(credentials hidden)@" : "") + h + ":" + port;
    }
}
