package gemgate.server.upstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.pool.AbstractChannelPoolHandler;
import io.netty.channel.pool.ChannelHealthChecker;
import io.netty.channel.pool.ChannelPool;
import io.netty.channel.pool.FixedChannelPool;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.DefaultNameResolver;
import io.netty.resolver.NoopAddressResolverGroup;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorGroup;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * Async HTTP/1.1 client to Gemini with one connection pool per event loop, so an upstream connection always lives
 * on the same thread as the client connection it serves (no cross-thread hand-offs, no locks on the data path).
 * TLS uses the JDK provider (works on Termux) with hostname verification; DNS runs on a small separate executor so
 * the JDK's blocking resolver never stalls an event loop; an optional HTTP CONNECT or SOCKS5 proxy sits in front.
 */
public final class UpstreamClient implements AutoCloseable {
    public static final String USER_AGENT = "gemgate/" + java.util.Objects.requireNonNullElse(
            UpstreamClient.class.getPackage().getImplementationVersion(), "dev");

    static final AttributeKey<UpstreamCall> CALL = AttributeKey.valueOf("gemgate.upstreamCall");
    static final AttributeKey<Boolean> USED = AttributeKey.valueOf("gemgate.upstreamUsed");

    private final UpstreamOptions options;
    private final Class<? extends SocketChannel> channelClass;
    private final SslContext sslContext;
    private final EventExecutorGroup dnsExecutors;
    private final AddressResolverGroup<? extends SocketAddress> resolverGroup;
    private final SocketAddress remote;
    private final InetSocketAddress proxyAddress;
    private final Map<EventLoop, ChannelPool> pools = new ConcurrentHashMap<>();

    public UpstreamClient(UpstreamOptions options, Class<? extends SocketChannel> channelClass) {
        this.options = options;
        this.channelClass = channelClass;
        try {
            this.sslContext = options.tls() ? SslContextBuilder.forClient().sslProvider(SslProvider.JDK).build() : null;
        } catch (SSLException e) {
            throw new IllegalStateException("cannot set up TLS for the upstream client: " + e.getMessage(), e);
        }
        if (options.proxy() != null) {
            // The proxy resolves the target; its own address is resolved once, here, at start-up.
            this.dnsExecutors = null;
            this.resolverGroup = NoopAddressResolverGroup.INSTANCE;
            this.proxyAddress = new InetSocketAddress(options.proxy().host(), options.proxy().port());
        } else {
            this.dnsExecutors = new DefaultEventExecutorGroup(1, r -> {
                Thread t = new Thread(r, "gemgate-dns");
                t.setDaemon(true);
                return t;
            });
            this.resolverGroup = new OffLoopResolverGroup(dnsExecutors);
            this.proxyAddress = null;
        }
        this.remote = InetSocketAddress.createUnresolved(options.host(), options.port());
    }

    public UpstreamOptions options() {
        return options;
    }

    /**
     * Prepares an exchange on {@code loop} (the client channel's loop). Call {@link UpstreamCall#start()} to run it.
     *
     * @param pathAndQuery for example {@code /v1beta/models/gemini-2.5-flash:generateContent}; never holds the key
     */
    public UpstreamCall call(EventLoop loop, HttpMethod method, String pathAndQuery, String apiKey, byte[] body,
            UpstreamCall.Listener listener) {
        if (pathAndQuery.contains("key=")) {
            throw new IllegalArgumentException("keys travel in the x-goog-api-key header, never in the URL");
        }
        return new UpstreamCall(this, loop, method, pathAndQuery, apiKey, body, options.maxResponseBody(), listener);
    }

    ChannelPool poolFor(EventLoop loop) {
        return pools.computeIfAbsent(loop, this::newPool);
    }

    private ChannelPool newPool(EventLoop loop) {
        Bootstrap b = new Bootstrap()
                .group(loop)
                .channel(channelClass)
                .resolver(resolverGroup)
                .remoteAddress(remote)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, options.connectTimeout().toMillis()));
        AbstractChannelPoolHandler handler = new AbstractChannelPoolHandler() {
            @Override
            public void channelCreated(Channel ch) {
                ch.pipeline().addLast(new UpstreamChannelInitializer(options, sslContext, proxyAddress));
            }
        };
        long acquireTimeout = Math.max(1000, options.connectTimeout().toMillis() * 3);
        return new FixedChannelPool(b, handler, ChannelHealthChecker.ACTIVE, FixedChannelPool.AcquireTimeoutAction.FAIL,
                acquireTimeout, options.poolMaxConnections(), options.poolMaxPendingAcquires(), true, true);
    }

    /** How many per-event-loop pools exist (at most one per loop). */
    int pools() {
        return pools.size();
    }

    @Override
    public void close() {
        pools.values().forEach(ChannelPool::close);
        pools.clear();
        if (dnsExecutors != null) {
            dnsExecutors.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    /** The JDK resolver (it honours /etc/hosts and Android's setup) on a separate executor, never on an event loop. */
    private static final class OffLoopResolverGroup extends AddressResolverGroup<InetSocketAddress> {
        private final EventExecutorGroup executors;

        OffLoopResolverGroup(EventExecutorGroup executors) {
            this.executors = executors;
        }

        @Override
        protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
            return new DefaultNameResolver(executors.next()).asAddressResolver();
        }
    }

    /** A GET without a body (model list). */
    public UpstreamCall get(EventLoop loop, String pathAndQuery, String apiKey, UpstreamCall.Listener l) {
        return call(loop, HttpMethod.GET, pathAndQuery, apiKey, null, l);
    }
}
