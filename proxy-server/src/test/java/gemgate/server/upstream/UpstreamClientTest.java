package gemgate.server.upstream;

import static gemgate.server.upstream.LoopbackServers.awaitPeerClose;
import static gemgate.server.upstream.LoopbackServers.firstLine;
import static gemgate.server.upstream.LoopbackServers.okKeepAlive;
import static gemgate.server.upstream.LoopbackServers.readHead;
import static gemgate.server.upstream.LoopbackServers.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gemgate.server.emulator.Behavior;
import gemgate.server.emulator.GeminiEmulator;
import gemgate.server.emulator.RecordedRequest;
import gemgate.server.upstream.UpstreamCall.FailureKind;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The upstream client over real loopback sockets: against the Gemini emulator, and against small hand-made servers
 * and proxies ({@link LoopbackServers}) for behaviour the emulator cannot show (stale keep-alive connections, silent
 * servers, untrusted TLS, CONNECT and SOCKS5 tunnels). Timeouts are short (300 ms), so the class runs in seconds.
 */
class UpstreamClientTest {
    private static final String KEY = "test-key-upstream-0123456789";
    private static final String SSE = "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse";
    private static final byte[] PROMPT =
            "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hello\"}]}]}".getBytes(StandardCharsets.UTF_8);
    private static final Duration SHORT = Duration.ofMillis(300);

    private static NioEventLoopGroup group;
    private static EventLoop loop;

    private UpstreamClient client;
    private GeminiEmulator emulator;
    private LoopbackServers.Server server;
    private LoopbackServers.Server proxy;

    @BeforeAll
    static void startLoop() {
        group = new NioEventLoopGroup(1);
        loop = group.next();
    }

    @AfterAll
    static void stopLoop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @AfterEach
    void stopAll() throws Exception {
        if (client != null) {
            client.close();
        }
        if (emulator != null) {
            emulator.close();
        }
        if (server != null) {
            server.close();
        }
        if (proxy != null) {
            proxy.close();
        }
    }

    // ---- pooling ----

    @Test
    void sequentialCallsReuseOnePooledConnection() throws Exception {
        emulator = GeminiEmulator.start("127.0.0.1", 0);
        client = new UpstreamClient(options(emulator.baseUrl(), Duration.ofSeconds(5), Duration.ofSeconds(5), null),
                NioSocketChannel.class);

        for (int i = 0; i < 3; i++) {
            Recorder r = get("/v1beta/models");
            assertThat(r.outcome()).as("call %d completes normally", i).containsExactly("head 200", "end");
            assertThat(r.bodyText()).contains("gemini-2.5-flash");
            assertThat(emulator.openConnections()).as("after call %d the emulator sees a single connection", i).isEqualTo(1);
        }
        assertThat(emulator.requests()).hasSize(3);

        // The connection that served the calls is idle in this loop's pool, marked used, and still open.
        Channel pooled = loop.submit(() -> client.poolFor(loop).acquire().sync().getNow()).get(5, TimeUnit.SECONDS);
        try {
            assertThat(pooled.isActive()).as("a complete keep-alive response returns an open connection to the pool").isTrue();
            assertThat(pooled.attr(UpstreamClient.USED).get()).as("the pooled connection is the one that served the calls")
                    .isTrue();
            assertThat(emulator.openConnections()).as("acquiring from a warm pool opens nothing new").isEqualTo(1);
        } finally {
            loop.submit(() -> client.poolFor(loop).release(pooled)).get(5, TimeUnit.SECONDS);
        }
        assertThat(client.pools()).as("one pool per event loop").isEqualTo(1);
    }

    @Test
    void stalePooledConnectionClosedByTheServerIsRetriedOnAFreshOne() throws Exception {
        // Answers one request per connection with keep-alive, then closes the socket: the pooled connection goes stale.
        List<String> seen = new CopyOnWriteArrayList<>();
        server = new LoopbackServers.Server((s, index) -> {
            String head = readHead(s.getInputStream());
            if (head != null) {
                seen.add(index + " " + firstLine(head));
                write(s.getOutputStream(), okKeepAlive("ok" + index));
            }
        });
        client = new UpstreamClient(options("http://127.0.0.1:" + server.port(), Duration.ofSeconds(2), Duration.ofSeconds(2), null),
                NioSocketChannel.class);

        Recorder first = get("/a");
        assertThat(first.outcome()).containsExactly("head 200", "end");
        assertThat(first.bodyText()).isEqualTo("ok1");

        Recorder second = get("/b");
        assertThat(second.outcome()).as("a request that died with the stale pooled connection is retried, not failed")
                .containsExactly("head 200", "end");
        assertThat(second.bodyText()).isEqualTo("ok2");
        assertThat(server.accepted.get()).as("the retry opened exactly one new connection").isEqualTo(2);
        assertThat(seen).containsExactly("1 GET /a HTTP/1.1", "2 GET /b HTTP/1.1");
    }

    @Test
    void requestLostOnAReusedConnectionIsRetriedExactlyOnce() throws Exception {
        // Connection 1 answers its first request and drops the second unanswered; connection 2 answers.
        List<String> seen = new CopyOnWriteArrayList<>();
        server = new LoopbackServers.Server((s, index) -> {
            InputStream in = s.getInputStream();
            for (int n = 1; ; n++) {
                String head = readHead(in);
                if (head == null) {
                    return;
                }
                seen.add(index + " " + firstLine(head));
                if (index == 1 && n == 2) {
                    return; // close without answering
                }
                write(s.getOutputStream(), okKeepAlive("c" + index + "r" + n));
            }
        });
        client = new UpstreamClient(options("http://127.0.0.1:" + server.port(), Duration.ofSeconds(2), Duration.ofSeconds(2), null),
                NioSocketChannel.class);

        assertThat(get("/a").bodyText()).isEqualTo("c1r1");
        Recorder second = get("/b");
        assertThat(second.outcome()).containsExactly("head 200", "end");
        assertThat(second.bodyText()).isEqualTo("c2r1");
        assertThat(seen).as("the unanswered request is sent again once, on a new connection")
                .containsExactly("1 GET /a HTTP/1.1", "1 GET /b HTTP/1.1", "2 GET /b HTTP/1.1");
    }

    @Test
    void freshConnectionThatDiesBeforeAnsweringIsNotRetried() throws Exception {
        server = new LoopbackServers.Server((s, index) -> readHead(s.getInputStream()));
        client = new UpstreamClient(options("http://127.0.0.1:" + server.port(), Duration.ofSeconds(2), Duration.ofSeconds(2), null),
                NioSocketChannel.class);

        Recorder r = get("/a");
        assertThat(r.failure).as("only a reused connection can be stale; a new one failing is a real failure")
                .isEqualTo(FailureKind.CONNECT);
        assertThat(server.accepted.get()).as("no retry on a fresh connection").isEqualTo(1);
    }

    // ---- timeouts and connect errors ----

    @Test
    void firstByteTimeoutFailsAndClosesTheConnection() throws Exception {
        CountDownLatch peerClosed = new CountDownLatch(1);
        server = new LoopbackServers.Server((s, index) -> {
            readHead(s.getInputStream());
            awaitPeerClose(s.getInputStream()); // never answers
            peerClosed.countDown();
        });
        client = new UpstreamClient(options("http://127.0.0.1:" + server.port(), SHORT, Duration.ofSeconds(10), null),
                NioSocketChannel.class);

        long t0 = System.nanoTime();
        Recorder r = get("/silent");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(r.events).as("no head ever arrived, so the only callback is the failure").hasSize(1);
        assertThat(r.failure).isEqualTo(FailureKind.TIMEOUT);
        assertThat(r.detail).as("the detail names the configured wait").contains("300 ms");
        assertThat(ms).as("the first-byte timer fires after its 300 ms, not before, not much later").isBetween(250L, 3000L);
        assertThat(peerClosed.await(5, TimeUnit.SECONDS)).as("a timed-out connection is closed, never pooled").isTrue();
    }

    @Test
    void aCorruptChunkedBodyFailsTheCallAndTheConnectionIsNotPooled() throws Exception {
        CountDownLatch peerClosed = new CountDownLatch(1);
        server = new LoopbackServers.Server((s, index) -> {
            readHead(s.getInputStream());
            write(s.getOutputStream(), "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\ndata:\r\nzz-not-a-size\r\n");
            awaitPeerClose(s.getInputStream());
            peerClosed.countDown();
        });
        client = new UpstreamClient(options("http://127.0.0.1:" + server.port(), Duration.ofSeconds(5), Duration.ofSeconds(5), null),
                NioSocketChannel.class);

        Recorder r = get("/corrupt");
        assertThat(r.failure).as("a cut-short body is a failure, never a normal end").isEqualTo(FailureKind.RESET);
        assertThat(r.events).doesNotContain("end");
        assertThat(peerClosed.await(5, TimeUnit.SECONDS))
                .as("a connection whose decoder gave up is closed, never returned to the pool").isTrue();
    }

    @Test
    void idleTimeoutBetweenChunksFailsAndClosesTheConnection() throws Exception {
        CountDownLatch peerClosed = new CountDownLatch(1);
        server = new LoopbackServers.Server((s, index) -> {
            readHead(s.getInputStream());
            write(s.getOutputStream(), "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\n");
            awaitPeerClose(s.getInputStream()); // then silence
            peerClosed.countDown();
        });
        client = new UpstreamClient(options("http://127.0.0.1:" + server.port(), Duration.ofSeconds(10), SHORT, null),
                NioSocketChannel.class);

        Recorder r = get("/stalls");
        assertThat(r.events).containsExactly("head 200", "body 5", "failure TIMEOUT");
        assertThat(r.detail).contains("silent").contains("300 ms");
        assertThat(peerClosed.await(5, TimeUnit.SECONDS)).as("a stalled stream's connection is closed, never pooled").isTrue();
    }

    @Test
    void refusedConnectionFailsFastWithConnect() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort(); // closed again: nothing listens there now
        }
        client = new UpstreamClient(options("http://127.0.0.1:" + port, Duration.ofSeconds(5), Duration.ofSeconds(5), null),
                NioSocketChannel.class);

        long t0 = System.nanoTime();
        Recorder r = get("/x");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(r.failure).isEqualTo(FailureKind.CONNECT);
        assertThat(r.detail).as("the detail says where and why").contains("127.0.0.1:" + port).containsIgnoringCase("refused");
        assertThat(r.detail).as("failure details never carry the key").doesNotContain(KEY);
        assertThat(ms).as("a refusal is reported at once, not after the connect timeout").isLessThan(2000L);
    }

    // ---- cancel and backpressure ----

    @Test
    void cancelMidStreamClosesTheUpstreamConnectionAndSilencesTheListener() throws Exception {
        emulator = GeminiEmulator.start("127.0.0.1", 0);
        emulator.script(KEY, Behavior.ok().withText("x".repeat(200)).withChunks(40, Duration.ofMillis(20)));
        client = new UpstreamClient(options(emulator.baseUrl(), Duration.ofSeconds(5), Duration.ofSeconds(5), null),
                NioSocketChannel.class);

        UpstreamCall[] holder = new UpstreamCall[1];
        CountDownLatch cancelled = new CountDownLatch(1);
        Recorder r = recorder();
        r.bodyHook = n -> {
            if (n == 2) {
                holder[0].cancel();
                cancelled.countDown();
            }
            return true;
        };
        holder[0] = client.call(loop, HttpMethod.POST, SSE, KEY, PROMPT, r);
        loop.execute(holder[0]::start);
        assertThat(cancelled.await(5, TimeUnit.SECONDS)).isTrue();
        int atCancel = r.events.size();

        await(() -> emulator.activeStreams() == 0, "the emulator's stream ended because the connection closed");
        await(() -> emulator.openConnections() == 0, "the cancelled connection was closed, not pooled");
        loop.submit(() -> { }).get(5, TimeUnit.SECONDS); // every event the closed channel could still fire has run
        assertThat(r.events).as("no callback fires after cancel()").hasSize(atCancel);
        assertThat(r.done.getCount()).as("a cancelled call reports neither end nor failure").isEqualTo(1);
        assertThat(holder[0].isDone()).isTrue();
    }

    @Test
    void listenerReturningFalsePausesReadsUntilResume() throws Exception {
        emulator = GeminiEmulator.start("127.0.0.1", 0);
        int chunks = 30;
        emulator.script(KEY, Behavior.ok().withText("y".repeat(300)).withChunks(chunks, Duration.ofMillis(10)));
        client = new UpstreamClient(options(emulator.baseUrl(), Duration.ofSeconds(5), Duration.ofSeconds(5), null),
                NioSocketChannel.class);

        CountDownLatch paused = new CountDownLatch(1);
        Recorder r = recorder();
        r.bodyHook = n -> {
            if (n == 3) {
                paused.countDown();
                return false;
            }
            return true;
        };
        UpstreamCall call = client.call(loop, HttpMethod.POST, SSE, KEY, PROMPT, r);
        loop.execute(call::start);
        assertThat(paused.await(5, TimeUnit.SECONDS)).isTrue();
        // The socket read that delivered the third chunk may carry a few more; count once it is fully handled.
        int atPause = loop.submit(r.bodies::size).get(5, TimeUnit.SECONDS);

        // Real sockets: give the emulator time to send the rest (30 chunks x 10 ms) while nothing is read.
        Thread.sleep(400);
        int later = loop.submit(r.bodies::size).get(5, TimeUnit.SECONDS);
        assertThat(later).as("while paused no further chunk is read, though the server keeps sending").isEqualTo(atPause);
        assertThat(r.done.getCount()).as("a paused call does not end by itself").isEqualTo(1);

        loop.execute(call::resume);
        assertThat(r.done.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(r.events).last().isEqualTo("end");
        assertThat(r.bodies.size()).as("resume() reads the rest").isGreaterThan(atPause);
        String text = r.bodyText();
        assertThat(text.split("data: ", -1)).as("every event arrived, none lost to the pause").hasSize(chunks + 1);
    }

    @Test
    void aConsumerThatPausesOnEveryChunkStillGetsTheWholeStream() throws Exception {
        emulator = GeminiEmulator.start("127.0.0.1", 0);
        String text = "0123456789abcdef".repeat(64 * 1024); // 1 MiB of answer
        emulator.script(KEY, Behavior.ok().withText(text).withChunks(256, Duration.ZERO));
        client = new UpstreamClient(new UpstreamOptions(URI.create(emulator.baseUrl()), Duration.ofSeconds(2),
                Duration.ofSeconds(5), Duration.ofSeconds(5), 64 << 20, 4, 16, Duration.ofSeconds(60), null),
                NioSocketChannel.class);

        UpstreamCall[] holder = new UpstreamCall[1];
        Recorder r = recorder();
        r.bodyHook = n -> {
            loop.execute(() -> holder[0].resume()); // a slow client that drains right after
            return false;
        };
        holder[0] = client.call(loop, HttpMethod.POST, SSE, KEY, PROMPT, r);
        long t0 = System.nanoTime();
        run(holder[0], r);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(r.outcome()).containsExactly("head 200", "end");
        assertThat(r.bodyText().split("data: ", -1)).hasSize(257);
        assertThat(ms).as("pausing and resuming per chunk costs a read per chunk, not a stall").isLessThan(5000L);
    }

    // ---- TLS and proxies ----

    @Test
    void selfSignedUpstreamCertificateIsRejected(@TempDir Path dir) throws Exception {
        List<String> requests = new CopyOnWriteArrayList<>();
        server = new LoopbackServers.Server(LoopbackServers.selfSignedTlsListener(dir), (s, index) -> {
            String head = readHead(s.getInputStream()); // the handshake fails inside this read
            if (head != null) {
                requests.add(head);
            }
        });
        client = new UpstreamClient(options("https://127.0.0.1:" + server.port(), Duration.ofSeconds(5), Duration.ofSeconds(5), null),
                NioSocketChannel.class);

        Recorder r = get("/v1beta/models");
        assertThat(r.failure).as("certificate verification is on: an untrusted certificate fails the call")
                .isEqualTo(FailureKind.CONNECT);
        assertThat(r.detail).as("the detail says the certificate was not trusted")
                .contains("SSLHandshakeException").contains("PKIX path building failed");
        assertThat(server.accepted.get()).isEqualTo(1);
        assertThat(requests).as("no request (and no key) is sent over an unverified connection").isEmpty();
    }

    @Test
    void httpConnectProxyTunnelsToTheUpstream() throws Exception {
        emulator = GeminiEmulator.start("127.0.0.1", 0);
        List<String> connects = new CopyOnWriteArrayList<>();
        proxy = new LoopbackServers.Server(LoopbackServers.connectProxy(connects));
        client = new UpstreamClient(options(emulator.baseUrl(), Duration.ofSeconds(5), Duration.ofSeconds(5),
                new UpstreamOptions.Proxy(UpstreamOptions.Proxy.Kind.HTTP, "127.0.0.1", proxy.port(), null, null)),
                NioSocketChannel.class);

        Recorder r = stream();
        assertThat(r.events).first().isEqualTo("head 200");
        assertThat(r.events).last().isEqualTo("end");
        assertThat(connects).as("the client asked the proxy for a tunnel to the upstream host and port")
                .containsExactly("CONNECT 127.0.0.1:" + emulator.port() + " HTTP/1.1");
        assertThat(emulator.requests()).hasSize(1);
        assertThat(emulator.requests().get(0).apiKeyHeader()).isEqualTo(KEY);
    }

    @Test
    void socks5ProxyTunnelsToTheUpstream() throws Exception {
        emulator = GeminiEmulator.start("127.0.0.1", 0);
        List<String> targets = new CopyOnWriteArrayList<>();
        proxy = new LoopbackServers.Server(LoopbackServers.socks5Proxy(targets));
        client = new UpstreamClient(options(emulator.baseUrl(), Duration.ofSeconds(5), Duration.ofSeconds(5),
                new UpstreamOptions.Proxy(UpstreamOptions.Proxy.Kind.SOCKS5, "127.0.0.1", proxy.port(), null, null)),
                NioSocketChannel.class);

        Recorder r = get("/v1beta/models");
        assertThat(r.outcome()).containsExactly("head 200", "end");
        assertThat(targets).as("the proxy was asked for the upstream host and port")
                .containsExactly("127.0.0.1:" + emulator.port());
        assertThat(emulator.requests()).hasSize(1);
    }

    // ---- the key ----

    @Test
    void keyTravelsOnlyInTheHeader() throws Exception {
        emulator = GeminiEmulator.start("127.0.0.1", 0);
        client = new UpstreamClient(options(emulator.baseUrl(), Duration.ofSeconds(5), Duration.ofSeconds(5), null),
                NioSocketChannel.class);

        assertThatThrownBy(() -> client.get(loop, "/v1beta/models?key=" + KEY, KEY, recorder()))
                .as("a path carrying key= is refused before anything is sent")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining(KEY);

        stream();
        RecordedRequest req = emulator.requests().get(0);
        assertThat(req.apiKeyHeader()).isEqualTo(KEY);
        assertThat(req.apiKeyQuery()).as("the key is never a query parameter").isNull();
        assertThat(req.uri()).doesNotContain(KEY);
        assertThat(req.headers()).containsEntry("host", URI.create(emulator.baseUrl()).getAuthority());
    }

    // ---- helpers ----

    static UpstreamOptions options(String baseUrl, Duration firstByte, Duration idle, UpstreamOptions.Proxy proxy) {
        return new UpstreamOptions(URI.create(baseUrl), Duration.ofSeconds(2), firstByte, idle, 1 << 20, 4, 16,
                Duration.ofSeconds(60), proxy);
    }

    private static Recorder recorder() {
        return new Recorder();
    }

    private Recorder get(String pathAndQuery) throws InterruptedException {
        Recorder r = recorder();
        return run(client.get(loop, pathAndQuery, KEY, r), r);
    }

    private Recorder stream() throws InterruptedException {
        Recorder r = recorder();
        return run(client.call(loop, HttpMethod.POST, SSE, KEY, PROMPT, r), r);
    }

    /** Starts the call on its loop and waits for it to end or fail. */
    private static Recorder run(UpstreamCall call, Recorder r) throws InterruptedException {
        loop.execute(call::start);
        assertThat(r.done.await(10, TimeUnit.SECONDS)).as("the call ends or fails within its timeouts").isTrue();
        assertThat(r.offLoop).as("every callback runs on the caller's event loop").isFalse();
        return r;
    }

    private static void await(BooleanSupplier cond, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(10);
        }
    }

    /** Records every callback as a short line, with the body bytes, and checks the thread. */
    static final class Recorder implements UpstreamCall.Listener {
        final List<String> events = new CopyOnWriteArrayList<>();
        final List<byte[]> bodies = new CopyOnWriteArrayList<>();
        final CountDownLatch done = new CountDownLatch(1);
        volatile FailureKind failure;
        volatile String detail;
        volatile boolean offLoop;
        /** Given the 1-based number of this onBody call, returns whether to keep reading. */
        volatile IntPredicate bodyHook = n -> true;

        private void check() {
            if (!loop.inEventLoop()) {
                offLoop = true;
            }
        }

        @Override
        public void onHead(int status, HttpResponse head) {
            check();
            events.add("head " + status);
        }

        @Override
        public boolean onBody(byte[] bytes) {
            check();
            events.add("body " + bytes.length);
            bodies.add(bytes);
            return bodyHook.test(bodies.size());
        }

        @Override
        public void onEnd() {
            check();
            events.add("end");
            done.countDown();
        }

        @Override
        public void onFailure(FailureKind kind, String detail) {
            check();
            events.add("failure " + kind);
            this.failure = kind;
            this.detail = detail;
            done.countDown();
        }

        /** The callbacks other than onBody. */
        List<String> outcome() {
            return events.stream().filter(e -> !e.startsWith("body ")).toList();
        }

        String bodyText() {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            bodies.forEach(all::writeBytes);
            return all.toString(StandardCharsets.UTF_8);
        }
    }
}
