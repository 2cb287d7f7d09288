package gemgate.server.media;

import gemgate.core.translate.RemoteMedia;
import gemgate.server.upstream.UpstreamClient;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.NetUtil;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * One URL of a {@link MediaFetcher.Batch}, hop by hop: check the URL, resolve off the loop, check every address,
 * connect to the checked address, GET, follow a redirect (checked again) or keep the body within the batch's byte
 * budget. Everything but the DNS look-up runs on the batch's event loop; one connection per hop, closed after it.
 */
final class RemoteFetch {
    private static final int MAX_INITIAL_LINE = 8192;
    private static final int MAX_HEADERS = 16 * 1024;
    private static final int MAX_CHUNK = 64 * 1024;

    final String url;
    private final MediaFetcher fetcher;
    private final MediaFetcher.Batch batch;
    private int redirects;
    private URI current;
    private String host;
    private Channel channel;
    private boolean finished;

    RemoteFetch(MediaFetcher fetcher, MediaFetcher.Batch batch, String url) {
        this.fetcher = fetcher;
        this.batch = batch;
        this.url = url;
    }

    void start() {
        URI u;
        try {
            u = new URI(url);
        } catch (URISyntaxException e) {
            fail("it is not a valid URL");
            return;
        }
        hop(u);
    }

    /** The batch ended (failure elsewhere, deadline, client gone): close without reporting. */
    void abort() {
        finished = true;
        closeChannel();
    }

    private void hop(URI u) {
        String bad = MediaFetcher.badUrl(u);
        if (bad != null) {
            fail(redirects > 0 ? "a redirect leads to " + MediaFetcher.mask(u.toString()) + ", and " + bad : bad);
            return;
        }
        current = u;
        host = u.getHost();
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        byte[] literal = NetUtil.createByteArrayFromIpAddressString(bare);
        if (literal != null) {
            try {
                checked(new InetAddress[] {InetAddress.getByAddress(bare, literal)});
            } catch (UnknownHostException e) {
                fail("it is not a valid address");
            }
            return;
        }
        io.netty.util.concurrent.Future<InetAddress[]> lookup;
        try {
            // A look-up still queued when its request is over (deadline, client gone) is skipped, not run.
            lookup = fetcher.dns.submit(() -> batch.done() ? null : fetcher.resolver.resolve(bare));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            fail("too many media host names are being looked up right now; try again shortly");
            return;
        }
        lookup.addListener(f -> batch.loop.execute(() -> {
            if (finished || batch.done()) {
                return;
            }
            if (!f.isSuccess()) {
                fail("the host name " + bare + " does not resolve");
                return;
            }
            checked((InetAddress[]) f.getNow());
        }));
    }

    private void checked(InetAddress[] addresses) {
        if (addresses == null || addresses.length == 0) {
            fail("the host name does not resolve");
            return;
        }
        for (InetAddress a : addresses) {
            String refusal = fetcher.policy.refusal(a);
            if (refusal != null) {
                // Every address must pass: a name that also points inside the network is refused as a whole.
                fail(refusal + "; the proxy fetches only from public addresses");
                return;
            }
        }
        connect(addresses[0]);
    }

    private void connect(InetAddress address) {
        boolean tls = "https".equalsIgnoreCase(current.getScheme());
        int port = current.getPort() > 0 ? current.getPort() : tls ? 443 : 80;
        String sniHost = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        long connectMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(batch.remainingNanos()));
        Bootstrap b = new Bootstrap()
                .group(batch.loop)
                .channel(fetcher.channelClass)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectMs))
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (tls) {
                            SSLEngine engine = fetcher.ssl.newEngine(ch.alloc(), sniHost, port);
                            SSLParameters params = engine.getSSLParameters();
                            params.setEndpointIdentificationAlgorithm("HTTPS");
                            engine.setSSLParameters(params);
                            ch.pipeline().addLast("media-tls", new SslHandler(engine));
                        }
                        ch.pipeline().addLast("media-http", new HttpClientCodec(MAX_INITIAL_LINE, MAX_HEADERS, MAX_CHUNK));
                        ch.pipeline().addLast("media-response", new ResponseHandler());
                    }
                });
        ChannelFuture cf = b.connect(new InetSocketAddress(address, port));
        channel = cf.channel();
        cf.addListener((ChannelFutureListener) f -> {
            if (finished || batch.done()) {
                f.channel().close();
                return;
            }
            if (!f.isSuccess()) {
                fail("cannot connect: " + describe(f.cause()));
                return;
            }
            String path = current.getRawPath() == null || current.getRawPath().isEmpty() ? "/" : current.getRawPath();
            if (current.getRawQuery() != null) {
                path += "?" + current.getRawQuery();
            }
            FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path, Unpooled.EMPTY_BUFFER);
            boolean defaultPort = current.getPort() < 0 || current.getPort() == (tls ? 443 : 80);
            req.headers().set(HttpHeaderNames.HOST, defaultPort ? host : host + ":" + port);
            req.headers().set(HttpHeaderNames.USER_AGENT, UpstreamClient.USER_AGENT);
            req.headers().set(HttpHeaderNames.ACCEPT, "image/*, audio/*, video/*, application/pdf, */*;q=0.5");
            req.headers().set(HttpHeaderNames.ACCEPT_ENCODING, "identity");
            req.headers().set(HttpHeaderNames.CONNECTION, "close");
            f.channel().writeAndFlush(req).addListener((ChannelFutureListener) wf -> {
                if (!wf.isSuccess()) {
                    fail("cannot send the request: " + describe(wf.cause()));
                }
            });
        });
    }

    private void closeChannel() {
        if (channel != null) {
            channel.close();
            channel = null;
        }
    }

    private void fail(String reason) {
        if (finished) {
            return;
        }
        finished = true;
        closeChannel();
        batch.failed(new MediaFetchException(url, reason));
    }

    private void redirect(String location) {
        closeChannel();
        if (redirects >= fetcher.options.maxRedirects()) {
            fail("it redirects more than " + fetcher.options.maxRedirects() + " time(s)");
            return;
        }
        redirects++;
        URI next;
        try {
            next = current.resolve(new URI(location.trim()));
        } catch (URISyntaxException | IllegalArgumentException e) {
            fail("it redirects to an invalid URL");
            return;
        }
        hop(next);
    }

    private void succeed(String contentType, byte[] data) {
        if (finished) {
            return;
        }
        finished = true;
        closeChannel();
        String mime = MediaTypes.of(contentType, data);
        if (mime == null) {
            batch.failed(new MediaFetchException(url, "the server names no media type and the content is not a known image format"));
            return;
        }
        batch.succeeded(this, new RemoteMedia(mime, data));
    }

    static String describe(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c && (c.getMessage() == null || c instanceof io.netty.handler.codec.DecoderException)) {
            c = c.getCause();
        }
        return c.getClass().getSimpleName() + (c.getMessage() == null ? "" : ": " + c.getMessage());
    }

    /** Reads one response: a redirect's Location, or the body within the batch's budget. Auto-releases messages. */
    private final class ResponseHandler extends SimpleChannelInboundHandler<HttpObject> {
        private int status;
        private String contentType;
        private ByteArrayOutputStream body;
        private boolean ignoring;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (finished || ignoring || batch.done()) {
                return;
            }
            if (msg.decoderResult().isFailure()) {
                fail("the server sent a malformed response: " + describe(msg.decoderResult().cause()));
                return;
            }
            if (msg instanceof HttpResponse res) {
                status = res.status().code();
                if (status >= 300 && status < 400 && res.headers().contains(HttpHeaderNames.LOCATION)) {
                    ignoring = true;
                    redirect(res.headers().get(HttpHeaderNames.LOCATION));
                    return;
                }
                if (status != 200) {
                    fail("the server answered HTTP " + status);
                    return;
                }
                long length = HttpUtil.getContentLength(res, -1L);
                if (length > batch.budget) {
                    fail(tooLarge());
                    return;
                }
                contentType = res.headers().get(HttpHeaderNames.CONTENT_TYPE);
                body = new ByteArrayOutputStream((int) Math.min(Math.max(length, 4096), 1 << 20));
            }
            if (msg instanceof HttpContent content && body != null) {
                ByteBuf buf = content.content();
                int n = buf.readableBytes();
                if (n > batch.budget) {
                    fail(tooLarge());
                    return;
                }
                batch.budget -= n;
                byte[] bytes = new byte[n];
                buf.readBytes(bytes);
                body.write(bytes, 0, n);
                if (msg instanceof LastHttpContent) {
                    byte[] data = body.toByteArray();
                    body = null;
                    succeed(contentType, data);
                }
            }
        }

        private String tooLarge() {
            return "it is larger than the proxy's limit of " + fetcher.options.maxBytes()
                    + " bytes per request (setting REMOTE_MEDIA_MAX_BYTES)";
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            if (!ignoring && ctx.channel() == channel) {
                fail("the connection closed before the whole file arrived");
            }
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (!ignoring && ctx.channel() == channel) {
                fail(describe(cause).toLowerCase(Locale.ROOT).contains("ssl") || cause instanceof javax.net.ssl.SSLException
                        || cause.getCause() instanceof javax.net.ssl.SSLException
                        ? "TLS failed: " + describe(cause) : describe(cause));
            }
            ctx.close();
        }
    }
}
