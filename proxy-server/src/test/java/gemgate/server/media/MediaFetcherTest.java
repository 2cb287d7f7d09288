package gemgate.server.media;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import gemgate.core.net.CidrSet;
import gemgate.core.translate.RemoteMedia;
import io.netty.channel.EventLoop;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The media fetcher against a JDK HTTP server on loopback. Loopback is reachable only through the test-only
 * allowance for 127.0.0.1; every SSRF test uses the production policy and asserts the server saw nothing.
 */
class MediaFetcherTest {
    static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
    static final AddressPolicy LOOPBACK_FOR_TESTS = AddressPolicy.publicOnlyAllowingForTests(CidrSet.of("127.0.0.1"));

    private final NioEventLoopGroup group = new NioEventLoopGroup(1);
    private final EventLoop loop = group.next();
    private HttpServer server;
    private final AtomicInteger hits = new AtomicInteger();
    private MediaFetcher fetcher;

    @BeforeEach
    void serve() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            hits.incrementAndGet();
            String p = ex.getRequestURI().getPath();
            try (ex) {
                if (p.equals("/cat.png")) {
                    ex.sendResponseHeaders(200, PNG.length); // no Content-Type: sniffed
                    ex.getResponseBody().write(PNG);
                } else if (p.equals("/photo")) {
                    ex.getResponseHeaders().set("Content-Type", "image/jpeg; charset=binary");
                    ex.sendResponseHeaders(200, 3);
                    ex.getResponseBody().write(new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff});
                } else if (p.equals("/big")) {
                    ex.getResponseHeaders().set("Content-Type", "image/png");
                    ex.sendResponseHeaders(200, 5000);
                    ex.getResponseBody().write(new byte[5000]);
                } else if (p.equals("/big-chunked")) {
                    ex.getResponseHeaders().set("Content-Type", "image/png");
                    ex.sendResponseHeaders(200, 0);
                    OutputStream out = ex.getResponseBody();
                    for (int i = 0; i < 10; i++) {
                        out.write(new byte[500]);
                        out.flush();
                    }
                } else if (p.equals("/slow")) {
                    try {
                        Thread.sleep(3000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    ex.sendResponseHeaders(200, PNG.length);
                    ex.getResponseBody().write(PNG);
                } else if (p.startsWith("/hop")) {
                    int n = Integer.parseInt(p.substring(4));
                    ex.getResponseHeaders().set("Location", n == 0 ? "/cat.png" : "/hop" + (n - 1));
                    ex.sendResponseHeaders(302, -1);
                } else if (p.equals("/to-private")) {
                    ex.getResponseHeaders().set("Location", "http://10.0.0.7/secret");
                    ex.sendResponseHeaders(301, -1);
                } else if (p.equals("/to-ipv6-loopback")) {
                    ex.getResponseHeaders().set("Location", "http://[::1]:" + server.getAddress().getPort() + "/cat.png");
                    ex.sendResponseHeaders(307, -1);
                } else if (p.equals("/text")) {
                    ex.sendResponseHeaders(200, 5);
                    ex.getResponseBody().write("hello".getBytes());
                } else {
                    ex.sendResponseHeaders(404, -1);
                }
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
        if (fetcher != null) {
            fetcher.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    private MediaFetcher fetcher(AddressPolicy policy, long maxBytes, Duration timeout, int redirects, MediaFetcher.HostResolver r) {
        fetcher = new MediaFetcher(new MediaFetcher.Options(true, maxBytes, timeout, redirects, 8), NioSocketChannel.class, policy, r);
        return fetcher;
    }

    private MediaFetcher loopbackFetcher() {
        return fetcher(LOOPBACK_FOR_TESTS, 1 << 20, Duration.ofSeconds(5), 3, MediaFetcher.HostResolver.JDK);
    }

    private static Map<String, RemoteMedia> ok(Future<Map<String, RemoteMedia>> f) {
        f.awaitUninterruptibly(10, TimeUnit.SECONDS);
        assertThat(f.cause()).as("the fetch should succeed").isNull();
        return f.getNow();
    }

    private static MediaFetchException failed(Future<Map<String, RemoteMedia>> f) {
        assertThat(f.awaitUninterruptibly(10, TimeUnit.SECONDS)).as("the fetch must end, not hang").isTrue();
        assertThat(f.cause()).as("the fetch should fail").isInstanceOf(MediaFetchException.class);
        return (MediaFetchException) f.cause();
    }

    @Test
    void fetchesAndTypesFilesInOrder() {
        Map<String, RemoteMedia> m = ok(loopbackFetcher().fetchAll(loop, List.of(url("/cat.png"), url("/photo?sig=abc"))));
        assertThat(m).containsOnlyKeys(url("/cat.png"), url("/photo?sig=abc"));
        assertThat(m.get(url("/cat.png")).mimeType()).as("no Content-Type: PNG recognised by its signature").isEqualTo("image/png");
        assertThat(m.get(url("/cat.png")).data()).isEqualTo(PNG);
        assertThat(m.get(url("/photo?sig=abc")).mimeType()).as("parameters dropped from Content-Type").isEqualTo("image/jpeg");
    }

    @Test
    void refusesNonPublicAddressesWithoutConnecting() {
        int port = server.getAddress().getPort();
        MediaFetcher.HostResolver evilDns = host -> switch (host) {
            case "evil.test" -> new InetAddress[] {InetAddress.getByAddress(host, new byte[] {127, 0, 0, 1})};
            case "mixed.test" -> new InetAddress[] {InetAddress.getByAddress(host, new byte[] {8, 8, 8, 8}),
                    InetAddress.getByAddress(host, new byte[] {(byte) 192, (byte) 168, 1, 1})};
            default -> InetAddress.getAllByName(host);
        };
        MediaFetcher f = fetcher(AddressPolicy.publicOnly(), 1 << 20, Duration.ofSeconds(5), 3, evilDns);
        for (String u : List.of("http://127.0.0.1:" + port + "/cat.png", "http://[::1]:" + port + "/cat.png",
                "http://10.1.2.3/x", "http://169.254.169.254/latest/meta-data", "http://[::ffff:127.0.0.1]:" + port + "/cat.png",
                "http://100.64.0.1/x", "http://0.0.0.0:" + port + "/cat.png", "http://2130706433:" + port + "/cat.png",
                "http://[fd00::1]/x", "http://[fe80::1]/x", "http://224.0.0.1/x",
                "http://evil.test:" + port + "/cat.png", "http://mixed.test:" + port + "/cat.png")) {
            MediaFetchException e = failed(f.fetchAll(loop, List.of(u)));
            assertThat(e.reason()).as("refusal for %s", u).contains("non-public");
        }
        assertThat(hits.get()).as("no refused address was ever connected to").isZero();
    }

    @Test
    void policyKnowsTheRanges() throws UnknownHostException {
        AddressPolicy p = AddressPolicy.publicOnly();
        for (String ok : List.of("8.8.8.8", "1.1.1.1", "2001:4860:4860::8888", "64:ff9b::808:808")) {
            assertThat(p.refusal(InetAddress.getByName(ok))).as("%s is public", ok).isNull();
        }
        for (String bad : List.of("127.0.0.1", "127.8.9.10", "10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1",
                "169.254.1.1", "100.64.0.1", "100.127.255.255", "0.0.0.0", "255.255.255.255", "224.0.0.251", "::", "::1",
                "fc00::1", "fd12:3456::1", "fe80::1", "ff02::1", "64:ff9b::7f00:1", "2002:7f00:1::1", "::ffff:10.0.0.1")) {
            assertThat(p.refusal(InetAddress.getByName(bad))).as("%s must be refused", bad).isNotNull();
        }
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        mapped[12] = 127;
        mapped[15] = 1;
        assertThat(p.refusal(InetAddress.getByAddress(mapped))).as("IPv4-mapped loopback").isNotNull();
    }

    @Test
    void sizeCapStopsTheDownload() {
        MediaFetcher f = fetcher(LOOPBACK_FOR_TESTS, 1000, Duration.ofSeconds(5), 3, MediaFetcher.HostResolver.JDK);
        assertThat(failed(f.fetchAll(loop, List.of(url("/big")))).reason()).as("Content-Length over the cap").contains("larger than");
        assertThat(failed(f.fetchAll(loop, List.of(url("/big-chunked")))).reason()).as("chunked body over the cap").contains("larger than");
        MediaFetcher shared = fetcher(LOOPBACK_FOR_TESTS, PNG.length + 2, Duration.ofSeconds(5), 3, MediaFetcher.HostResolver.JDK);
        assertThat(failed(shared.fetchAll(loop, List.of(url("/cat.png"), url("/photo")))).reason())
                .as("the cap is for all URLs of a request together").contains("larger than");
    }

    @Test
    void timeoutEndsASlowFetch() {
        MediaFetcher f = fetcher(LOOPBACK_FOR_TESTS, 1 << 20, Duration.ofMillis(300), 3, MediaFetcher.HostResolver.JDK);
        long t0 = System.nanoTime();
        MediaFetchException e = failed(f.fetchAll(loop, List.of(url("/slow"))));
        assertThat(e.reason()).contains("longer than 300 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void redirectsAreFollowedUpToTheLimitAndCheckedAgain() {
        assertThat(ok(loopbackFetcher().fetchAll(loop, List.of(url("/hop2")))).get(url("/hop2")).data())
                .as("three hops with a limit of 3").isEqualTo(PNG);
        MediaFetcher strict = fetcher(LOOPBACK_FOR_TESTS, 1 << 20, Duration.ofSeconds(5), 2, MediaFetcher.HostResolver.JDK);
        assertThat(failed(strict.fetchAll(loop, List.of(url("/hop2")))).reason()).contains("redirects more than 2");
        hits.set(0);
        assertThat(failed(strict.fetchAll(loop, List.of(url("/to-private")))).reason()).contains("non-public");
        assertThat(failed(strict.fetchAll(loop, List.of(url("/to-ipv6-loopback")))).reason())
                .as("the allowance covers 127.0.0.1 only; a redirect to ::1 is refused").contains("non-public");
        assertThat(hits.get()).as("only the redirecting URLs themselves were fetched").isEqualTo(2);
    }

    @Test
    void otherFailuresNameTheMaskedUrl() {
        MediaFetcher f = loopbackFetcher();
        MediaFetchException e = failed(f.fetchAll(loop, List.of(url("/missing?token=secret123"))));
        assertThat(e.reason()).contains("HTTP 404");
        assertThat(e.maskedUrl()).contains("/missing").doesNotContain("secret123");
        assertThat(e.toApiError().status()).isEqualTo(400);
        assertThat(e.toApiError().message()).contains("/missing?…", "HTTP 404").doesNotContain("secret123");
        assertThat(failed(f.fetchAll(loop, List.of(url("/text")))).reason()).as("not media and no type").contains("media type");
        assertThat(failed(f.fetchAll(loop, List.of("ftp://example.com/x.png"))).reason()).contains("http");
        assertThat(failed(f.fetchAll(loop, List.of("http://user:pw@example.com/x.png"))).reason()).contains("credentials");
        assertThat(MediaFetcher.mask("https://u:p@host.example/a/b.png?x=1#f")).isEqualTo("https://…@host.example/a/b.png?…");
    }

    @Test
    void disabledAndTooManyUrls() {
        MediaFetcher off = MediaFetcher.disabled(NioSocketChannel.class);
        assertThat(failed(off.fetchAll(loop, List.of(url("/cat.png")))).reason()).contains("FETCH_REMOTE_MEDIA");
        off.close();
        MediaFetcher f = loopbackFetcher();
        String[] many = new String[9];
        Arrays.setAll(many, i -> url("/cat.png?n=" + i));
        assertThat(failed(f.fetchAll(loop, List.of(many))).reason()).contains("at most 8");
        assertThat(hits.get()).isZero();
    }

    @Test
    void slowHostNamesCannotQueueLookUpsWithoutBound() {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        MediaFetcher f = fetcher(LOOPBACK_FOR_TESTS, 1 << 20, Duration.ofSeconds(5), 3, host -> {
            try {
                release.await(); // a resolver that hangs, as a slow DNS server does
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new InetAddress[] {InetAddress.getLoopbackAddress()};
        });
        try {
            List<Future<Map<String, RemoteMedia>>> batches = new java.util.ArrayList<>();
            for (int b = 0; b < MediaFetcher.MAX_PENDING_LOOKUPS + 8; b++) {
                batches.add(f.fetchAll(loop, List.of("http://slow-" + b + ".example/x.png")));
            }
            MediaFetchException e = failed(batches.get(batches.size() - 1));
            assertThat(e.reason()).as("beyond the bounded queue a fetch fails at once with the reason")
                    .contains("too many media host names");
        } finally {
            release.countDown();
        }
    }
}
