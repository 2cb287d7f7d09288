package gemgate.server.metrics;

import java.util.Locale;

/** The bounded set of route labels used by the access log and the metrics: never the raw path. */
public enum Route {
    CHAT, MODELS, EMBEDDINGS, NATIVE, HEALTH, METRICS, ROOT, OTHER;

    final String label = name().toLowerCase(Locale.ROOT);

    public String label() {
        return label;
    }

    /** Classifies a request path (query string ignored; with or without {@code /v1}). */
    public static Route of(String uri) {
        if (uri == null) {
            return OTHER;
        }
        int q = uri.indexOf('?');
        String p = q >= 0 ? uri.substring(0, q) : uri;
        if (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        if (p.startsWith("/aistudio/")) {
            p = p.substring("/aistudio".length()); // hajimi's aliases of the OpenAI routes
        }
        switch (p) {
            case "/v1/chat/completions", "/chat/completions":
                return CHAT;
            case "/v1/models", "/models":
                return MODELS;
            case "/v1/embeddings", "/embeddings":
                return EMBEDDINGS;
            case "/health", "/healthz":
                return HEALTH;
            case "/metrics":
                return METRICS;
            case "/":
                return ROOT;
            default:
                if (p.startsWith("/v1beta/") || p.startsWith("/v1alpha/") || p.startsWith("/gemini/") || (p.startsWith("/v1/models/") && p.indexOf(':') > 0)) {
                    return NATIVE;
                }
                return OTHER;
        }
    }

    /** Health checks and scrapes arrive every few seconds; their access lines go to debug. */
    public boolean quiet() {
        return this == HEALTH || this == METRICS;
    }
}
