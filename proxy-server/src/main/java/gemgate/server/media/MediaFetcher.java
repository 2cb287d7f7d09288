package gemgate.server.media;

import gemgate.core.translate.RemoteMedia;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * Fetches the http(s) media URLs named in a chat request, asynchronously on the client connection's event loop, so
 * they can go to Gemini inline. Off unless configured. Each hop (the URL and every redirect target, at most
 * {@code maxRedirects}) is parsed, its host resolved off the event loop, every resolved address checked against the
 * {@link AddressPolicy}, and the connection made to the checked address itself, so DNS cannot be re-asked between
 * check and connect. TLS uses the JDK provider with hostname verification. All URLs of one request share one byte
 * budget ({@code maxBytes}) and one deadline ({@code timeout}); at most {@link #PARALLEL} are fetched at once.
 * Never goes through the upstream proxy: the address check must see the real target.
 */
public final class MediaFetcher implements AutoCloseable {
    /** URLs of one request fetched at once. */
    static final int PARALLEL = 4;

    /**
     * @param enabled      FETCH_REMOTE_MEDIA
     * @param maxBytes     all URLs of one request together
     * @param timeout      all URLs of one request, DNS to last byte
     * @param maxRedirects per URL
     * @param maxUrls      per request
     */
    public record Options(boolean enabled, long maxBytes, Duration timeout, int maxRedirects, int maxUrls) {
        public Options {
            Objects.requireNonNull(timeout, "timeout");
            if (maxBytes < 1 || maxRedirects < 0 || maxUrls < 1 || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("maxBytes >= 1, maxRedirects >= 0, maxUrls >= 1 and a positive timeout expected");
            }
        }
    }

    /** Name to addresses; blocking, so it runs on the fetcher's own DNS thread. */
    public interface HostResolver {
        InetAddress[] resolve(String host) throws UnknownHostException;

        HostResolver JDK = InetAddress::getAllByName;
    }

    final Options options;
    final Class<? extends SocketChannel> channelClass;
    final AddressPolicy policy;
    final HostResolver resolver;
    final SslContext ssl;
    /** Host-name look-ups waiting for the DNS thread, at most. */
    static final int MAX_PENDING_LOOKUPS = 256;
    final EventExecutor dns;

    public MediaFetcher(Options options, Class<? extends SocketChannel> channelClass, AddressPolicy policy,
            HostResolver resolver) {
        this.options = Objects.requireNonNull(options, "options");
        this.channelClass = Objects.requireNonNull(channelClass, "channelClass");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.resolver = Objects.requireNonNull(resolver, "resolver");
        if (options.enabled()) {
            try {
                this.ssl = SslContextBuilder.forClient().sslProvider(SslProvider.JDK).build();
            } catch (SSLException e) {
                throw new IllegalStateException("cannot set up TLS for the media fetcher: " + e.getMessage(), e);
            }
            // Look-ups block a thread, so they get their own; the queue is bounded so that clients naming many
            // slow host names cannot grow it without end (beyond it a fetch fails at once with a clear reason).
            this.dns = new DefaultEventExecutor(null, r -> {
                Thread t = new Thread(r, "gemgate-media-dns");
                t.setDaemon(true);
                return t;
            }, MAX_PENDING_LOOKUPS, io.netty.util.concurrent.RejectedExecutionHandlers.reject());
        } else {
            this.ssl = null;
            this.dns = null;
        }
    }

    /** A fetcher that refuses everything (remote media off). */
    public static MediaFetcher disabled(Class<? extends SocketChannel> channelClass) {
        return new MediaFetcher(new Options(false, 1, Duration.ofSeconds(1), 0, 1), channelClass,
                AddressPolicy.publicOnly(), HostResolver.JDK);
    }

    public boolean enabled() {
        return options.enabled();
    }

    public Options options() {
        return options;
    }

    /**
     * Fetches {@code urls} (distinct) on {@code loop}; the future completes on that loop with the media by URL, or
     * fails with a {@link MediaFetchException} for the first URL that could not be fetched. Cancelling the future
     * closes every connection still open.
     */
    public Future<Map<String, RemoteMedia>> fetchAll(EventLoop loop, List<String> urls) {
        Promise<Map<String, RemoteMedia>> promise = loop.newPromise();
        if (!options.enabled()) {
            promise.setFailure(new MediaFetchException(urls.isEmpty() ? "" : urls.get(0),
                    "the proxy does not fetch remote media (setting FETCH_REMOTE_MEDIA is off); send it as a data: URI"));
            return promise;
        }
        if (urls.size() > options.maxUrls()) {
            promise.setFailure(new MediaFetchException(urls.get(options.maxUrls()), "the request names " + urls.size()
                    + " remote media URLs; the proxy fetches at most " + options.maxUrls() + " per request"));
            return promise;
        }
        if (loop.inEventLoop()) {
            new Batch(loop, urls, promise).start();
        } else {
            loop.execute(() -> new Batch(loop, urls, promise).start());
        }
        return promise;
    }

    @Override
    public void close() {
        if (dns != null) {
            dns.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    /** The URL for messages and logs: scheme, host, port and path (cut at 120 characters); query and credentials hidden. */
    public static String mask(String url) {
        if (url == null) {
            return "";
        }
        String u = url;
        int hash = u.indexOf('#');
        if (hash >= 0) {
            u = u.substring(0, hash);
        }
        int q = u.indexOf('?');
        String query = q >= 0 ? "?…" : "";
        if (q >= 0) {
            u = u.substring(0, q);
        }
        int scheme = u.indexOf("://");
        int at = u.indexOf('@', scheme < 0 ? 0 : scheme + 3);
        int slash = u.indexOf('/', scheme < 0 ? 0 : scheme + 3);
        if (scheme >= 0 && at > 0 && (slash < 0 || at < slash)) {
            u = u.substring(0, scheme + 3) + "…@" + u.substring(at + 1);
        }
        if (u.length() > 120) {
            u = u.substring(0, 120) + "…";
        }
        return u + query;
    }

    /** Why a URL is not fetchable before any network access, or null. */
    static String badUrl(URI u) {
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return "only http and https URLs are fetched";
        }
        if (u.getRawUserInfo() != null) {
            return "URLs with credentials are not fetched";
        }
        if (u.getHost() == null || u.getHost().isEmpty()) {
            return "the URL has no host";
        }
        return null;
    }

    /** All URLs of one request: shared budget, deadline and bounded parallelism. Runs on {@code loop}. */
    final class Batch {
        final EventLoop loop;
        final List<String> urls;
        final Promise<Map<String, RemoteMedia>> promise;
        final Map<String, RemoteMedia> results = new LinkedHashMap<>();
        final List<RemoteFetch> active = new ArrayList<>();
        long budget = options.maxBytes();
        int next;
        ScheduledFuture<?> deadline;

        Batch(EventLoop loop, List<String> urls, Promise<Map<String, RemoteMedia>> promise) {
            this.loop = loop;
            this.urls = urls;
            this.promise = promise;
        }

        void start() {
            if (urls.isEmpty()) {
                promise.trySuccess(Map.of());
                return;
            }
            promise.addListener(f -> {
                if (f.isCancelled()) {
                    stop();
                }
            });
            deadline = loop.schedule(() -> {
                String first = active.isEmpty() ? urls.get(Math.min(next, urls.size() - 1)) : active.get(0).url;
                failed(new MediaFetchException(first, "fetching took longer than " + seconds(options.timeout())
                        + " (setting REMOTE_MEDIA_TIMEOUT)"));
            }, options.timeout().toNanos(), TimeUnit.NANOSECONDS);
            while (active.size() < PARALLEL && next < urls.size()) {
                launch();
            }
        }

        private void launch() {
            RemoteFetch f = new RemoteFetch(MediaFetcher.this, this, urls.get(next++));
            active.add(f);
            f.start();
        }

        boolean done() {
            return promise.isDone();
        }

        void succeeded(RemoteFetch f, RemoteMedia media) {
            if (done()) {
                return;
            }
            active.remove(f);
            results.put(f.url, media);
            if (results.size() == urls.size()) {
                deadline.cancel(false);
                promise.trySuccess(results);
            } else if (next < urls.size()) {
                launch();
            }
        }

        void failed(MediaFetchException e) {
            if (promise.tryFailure(e)) {
                stop();
            }
        }

        private void stop() {
            if (deadline != null) {
                deadline.cancel(false);
            }
            for (RemoteFetch f : new ArrayList<>(active)) {
                f.abort();
            }
            active.clear();
        }

        long remainingNanos() {
            return deadline == null ? options.timeout().toNanos() : Math.max(1, deadline.getDelay(TimeUnit.NANOSECONDS));
        }
    }

    static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
    }
}
