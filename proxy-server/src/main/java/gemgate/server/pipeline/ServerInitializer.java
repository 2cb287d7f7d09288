package gemgate.server.pipeline;

import gemgate.core.auth.AuthThrottle;
import gemgate.core.net.CidrSet;
import gemgate.core.ratelimit.ClientRateLimiter;
import gemgate.server.endpoint.Endpoints;
import gemgate.server.metrics.Metrics;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The client connection's pipeline, in this order:
 * <ol>
 *   <li>{@value #IDLE}: idle detection; the router closes only between requests</li>
 *   <li>{@value #CODEC}: HTTP/1.1 codec with explicit line and header limits</li>
 *   <li>{@value #KEEP_ALIVE}: keep-alive bookkeeping</li>
 *   <li>{@link ClientAddressHandler}: the client's address (forwarded headers only from trusted proxies)</li>
 *   <li>{@link AccessLogHandler}: request id ({@code X-Request-Id} on every response), one access line per request,
 *       request metrics, {@code Connection: close} while draining; before every handler that answers</li>
 *   <li>{@link CorsHandler}: CORS headers and preflights (only when origins are configured)</li>
 *   <li>{@link RateLimitHandler}: per-IP limits, before any work is done</li>
 *   <li>{@link AuthHandler}: password check, constant time, throttled on repeated failures; the admin API
 *       (/api/) is screened by its own login instead, still before any body is read</li>
 *   <li>{@link BodyLimitAggregator}: bounded aggregation, after the rejecters so rejected bodies are never buffered</li>
 *   <li>{@link RouterHandler}: dispatch to endpoints</li>
 *   <li>{@link TailExceptionHandler}: releases leftovers, logs, closes</li>
 * </ol>
 */
public final class ServerInitializer extends ChannelInitializer<SocketChannel> {
    public static final String IDLE = "idle";
    public static final String CODEC = "http-codec";
    public static final String KEEP_ALIVE = "keep-alive";

    /** Everything the pipeline needs, built once. The limiter and throttle are shared by all connections. */
    public record Options(Duration idleTimeout, int maxInitialLine, int maxHeaderSize, long maxRequestBody,
            CidrSet trustedProxies, List<String> allowedOrigins, ClientRateLimiter rateLimiter, String password,
            AuthThrottle authThrottle) {}

    /**
     * Operations: the metrics the access log feeds, whether the server is draining for shutdown, the group every
     * client connection joins (so shutdown can find them), and whether /metrics is public.
     */
    public record Ops(Metrics metrics, BooleanSupplier draining, ChannelGroup channels, boolean metricsPublic) {
        public Ops {
            if (metrics == null || draining == null) {
                throw new IllegalArgumentException("metrics and draining are required (channels may be null)");
            }
        }
    }

    private final Options options;
    private final Endpoints endpoints;
    private final Ops ops;

    public ServerInitializer(Options options, Endpoints endpoints, Ops ops) {
        this.options = options;
        this.endpoints = endpoints;
        this.ops = ops;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        if (ops.channels() != null) {
            ops.channels().add(ch);
        }
        ChannelPipeline p = ch.pipeline();
        long idle = options.idleTimeout().toMillis();
        if (idle > 0) {
            p.addLast(IDLE, new IdleStateHandler(0, 0, idle, TimeUnit.MILLISECONDS));
        }
        p.addLast(CODEC, new HttpServerCodec(options.maxInitialLine(), options.maxHeaderSize(), 64 * 1024));
        p.addLast(KEEP_ALIVE, new HttpServerKeepAliveHandler());
        p.addLast(ClientAddressHandler.NAME, new ClientAddressHandler(options.trustedProxies()));
        p.addLast(AccessLogHandler.NAME, new AccessLogHandler(ops.metrics(), ops.draining()));
        if (!options.allowedOrigins().isEmpty()) {
            p.addLast(CorsHandler.NAME, new CorsHandler(options.allowedOrigins()));
        }
        p.addLast(RateLimitHandler.NAME, new RateLimitHandler(options.rateLimiter()));
        p.addLast(AuthHandler.NAME, new AuthHandler(options.password(), options.authThrottle(), ops.metricsPublic(),
                endpoints.admin()));
        p.addLast(BodyLimitAggregator.NAME, new BodyLimitAggregator(options.maxRequestBody()));
        p.addLast(RouterHandler.NAME, new RouterHandler(endpoints));
        p.addLast(TailExceptionHandler.NAME, TailExceptionHandler.INSTANCE);
    }
}
