package gemgate.server.upstream;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.proxy.HttpProxyHandler;
import io.netty.handler.proxy.ProxyHandler;
import io.netty.handler.proxy.Socks5ProxyHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * Upstream channel pipeline, in order: optional outbound proxy, TLS (skipped for http:// in tests), HTTP client
 * codec, pool idle eviction, and the handler that forwards to the current exchange.
 */
final class UpstreamChannelInitializer extends ChannelInitializer<Channel> {
    static final String PROXY = "proxy";
    static final String TLS = "tls";
    static final String CODEC = "http-client-codec";
    static final String IDLE = "pool-idle";
    static final String RESPONSE = "upstream-response";

    private final UpstreamOptions options;
    private final SslContext ssl;
    private final InetSocketAddress proxyAddress;

    UpstreamChannelInitializer(UpstreamOptions options, SslContext ssl, InetSocketAddress proxyAddress) {
        this.options = options;
        this.ssl = ssl;
        this.proxyAddress = proxyAddress;
    }

    @Override
    protected void initChannel(Channel ch) {
        ChannelPipeline p = ch.pipeline();
        UpstreamOptions.Proxy proxy = options.proxy();
        if (proxy != null) {
            ProxyHandler h = proxy.kind() == UpstreamOptions.Proxy.Kind.SOCKS5
                    ? (proxy.username() != null
                            ? new Socks5ProxyHandler(proxyAddress, proxy.username(), proxy.password())
                            : new Socks5ProxyHandler(proxyAddress))
                    : (proxy.username() != null
                            ? new HttpProxyHandler(proxyAddress, proxy.username(), proxy.password())
                            : new HttpProxyHandler(proxyAddress));
            h.setConnectTimeoutMillis(options.connectTimeout().toMillis());
            p.addLast(PROXY, h);
        }
        if (ssl != null) {
            SSLEngine engine = ssl.newEngine(ch.alloc(), options.host(), options.port());
            SSLParameters params = engine.getSSLParameters();
            params.setEndpointIdentificationAlgorithm("HTTPS");
            engine.setSSLParameters(params);
            SslHandler tls = new SslHandler(engine);
            tls.setHandshakeTimeoutMillis(options.connectTimeout().toMillis());
            p.addLast(TLS, tls);
        }
        p.addLast(CODEC, new HttpClientCodec(8192, 32 * 1024, 64 * 1024));
        long idle = options.poolIdleTimeout().toMillis();
        if (idle > 0) {
            p.addLast(IDLE, new IdleStateHandler(0, 0, idle, TimeUnit.MILLISECONDS));
        }
        p.addLast(RESPONSE, new UpstreamResponseHandler());
    }
}
