package gemgate.server;

import gemgate.core.auth.AuthThrottle;
import gemgate.core.config.Settings;
import gemgate.core.keys.KeyPool;
import gemgate.core.models.ModelFilter;
import gemgate.core.ratelimit.ClientRateLimiter;
import gemgate.core.translate.TranslateOptions;
import gemgate.server.endpoint.Endpoints;
import gemgate.server.endpoint.Gateway;
import gemgate.server.endpoint.ModelService;
import gemgate.server.pipeline.ServerInitializer;
import gemgate.server.upstream.UpstreamClient;
import gemgate.server.upstream.UpstreamOptions;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Properties;

/** The assembled proxy: settings in, a serving instance out. Used by main and by the end-to-end tests. */
public final class Gemgate implements AutoCloseable {
    private final ProxyServer server;
    private final UpstreamClient upstream;
    private final Gateway gateway;
    private final InetSocketAddress address;

    private Gemgate(ProxyServer server, UpstreamClient upstream, Gateway gateway, InetSocketAddress address) {
        this.server = server;
        this.upstream = upstream;
        this.gateway = gateway;
        this.address = address;
    }

    public static Gemgate start(Settings s) throws InterruptedException {
        return start(s, Clock.systemUTC());
    }

    public static Gemgate start(Settings s, Clock clock) throws InterruptedException {
        ProxyServer server = new ProxyServer(s.server().ioThreads(), s.server().nativeTransport());
        UpstreamClient upstream = null;
        try {
            upstream = new UpstreamClient(upstreamOptions(s), server.clientChannelClass());
            KeyPool keys = new KeyPool(s.keys().geminiApiKeys(), clock);
            ModelFilter filter = new ModelFilter(s.models().whitelist(), s.models().blocked());
            ModelService models = new ModelService(server.workers().next(), upstream, keys, filter,
                    s.upstream().apiVersion(), s.models().refreshInterval(), clock);
            Gateway gw = new Gateway(keys, upstream, models, filter, TranslateOptions.defaults(), s.upstream().apiVersion(),
                    s.retry().maxRetryNum(), s.retry().maxEmptyResponses(), s.streaming().fakeStreaming(),
                    s.streaming().keepaliveInterval(), s.upstream().maxSseEvent(), clock);
            ServerInitializer.Options po = new ServerInitializer.Options(s.server().idleTimeout(),
                    s.server().maxInitialLine(), s.server().maxHeaderSize(), s.server().maxRequestBody(),
                    s.server().trustedProxies(), s.server().allowedOrigins(),
                    new ClientRateLimiter(s.rateLimit().perMinute(), s.rateLimit().perDay(), s.rateLimit().maxTrackedClients(), clock),
                    s.auth().password(),
                    new AuthThrottle(s.auth().maxFailuresBeforeSlowdown(), s.rateLimit().maxTrackedClients(), clock));
            InetSocketAddress bound = server.start(s.server().host(), s.server().port(),
                    new ServerInitializer(po, new Endpoints(gw, version())));
            models.startBackgroundRefresh();
            return new Gemgate(server, upstream, gw, bound);
        } catch (RuntimeException | InterruptedException e) {
            if (upstream != null) {
                upstream.close();
            }
            server.close();
            throw e;
        }
    }

    static UpstreamOptions upstreamOptions(Settings s) {
        Settings.Upstream u = s.upstream();
        UpstreamOptions.Proxy proxy = u.proxyFor(u.baseUrl().getHost())
                .map(p -> new UpstreamOptions.Proxy(
                        p.type() == gemgate.core.config.ProxyConfig.Type.SOCKS5 ? UpstreamOptions.Proxy.Kind.SOCKS5 : UpstreamOptions.Proxy.Kind.HTTP,
                        p.host(), p.port(), p.username(), p.password()))
                .orElse(null);
        return new UpstreamOptions(u.baseUrl(), u.connectTimeout(), u.firstByteTimeout(), u.idleTimeout(),
                u.maxResponseBody(), u.poolMaxConnections(), u.poolMaxPendingAcquires(), u.poolIdleTimeout(), proxy);
    }

    public int port() {
        return address.getPort();
    }

    public InetSocketAddress address() {
        return address;
    }

    public Gateway gateway() {
        return gateway;
    }

    /** The version from the build, or "dev" when run from classes. */
    public static String version() {
        try (InputStream in = Gemgate.class.getResourceAsStream("/gemgate-version.properties")) {
            if (in == null) {
                return "dev";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "dev");
        } catch (IOException e) {
            return "dev";
        }
    }

    @Override
    public void close() {
        upstream.close();
        server.close();
    }
}
