package gemgate.server.emulator;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local stand-in for the Gemini API (generativelanguage v1beta and v1) that answers in Google's recorded wire
 * format: models list/get, generateContent, streamGenerateContent (SSE or JSON array), countTokens, embedContent and
 * batchEmbedContents. Tests script a {@link Behavior} per API key (errors, delays, chunking, mid-stream resets);
 * {@code --demo} runs it behind the proxy so a new user can try gemgate without a key.
 *
 * <p>Runs on its own one-thread event loop group. Thread-safe: scripts, counters and recorded requests may be used
 * from any thread while requests are served. The request log keeps the newest {@value #MAX_RECORDED} requests and at
 * most {@value #MAX_RECORDED_BODY_BYTES} body bytes, so a long benchmark or demo cannot exhaust the heap.
 *
 * <p>Pipeline (per connection): {@value #CODEC} -> {@value #KEEP_ALIVE} -> {@value #AGGREGATOR} -> {@value #HANDLER}.
 */
public final class GeminiEmulator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GeminiEmulator.class);

    public static final String CODEC = "emulator-http-codec";
    public static final String KEEP_ALIVE = "emulator-keep-alive";
    public static final String AGGREGATOR = "emulator-aggregator";
    public static final String HANDLER = "emulator-handler";

    /** Request bodies up to this size are accepted; Gemini itself takes about 20 MiB inline plus base64 overhead. */
    public static final int MAX_BODY_BYTES = 40 * 1024 * 1024;
    static final int MAX_RECORDED = 10_000;
    static final long MAX_RECORDED_BODY_BYTES = 64L * 1024 * 1024;

    private final EventLoopGroup group;
    private final Samples samples;
    private volatile Channel server;
    private volatile InetSocketAddress bound;
    private final Map<String, Behavior> scripts = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> generateCalls = new ConcurrentHashMap<>();
    private volatile Behavior defaultBehavior = Behavior.ok();
    private final ArrayDeque<RecordedRequest> recorded = new ArrayDeque<>();
    private long recordedBodyBytes;
    private final AtomicInteger openConnections = new AtomicInteger();
    private final AtomicInteger activeStreams = new AtomicInteger();

    private GeminiEmulator(EventLoopGroup group, Samples samples) {
        this.group = group;
        this.samples = samples;
    }

    /** Starts on {@code host:port} ({@code port} 0 = ephemeral) and returns once it is listening. */
    public static GeminiEmulator start(String host, int port) {
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0-65535, got " + port);
        }
        Samples samples = Samples.load();
        Answers answers = new Answers(samples);
        EventLoopGroup group = new NioEventLoopGroup(1, new DefaultThreadFactory("gemini-emulator", true));
        GeminiEmulator emulator = new GeminiEmulator(group, samples);
        try {
            ServerBootstrap b = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 4096)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    // A fixed, modest kernel send buffer: thousands of slow streams must not each pin megabytes,
                    // and the write-buffer water mark (not the kernel) is what paces a slow reader.
                    .childOption(ChannelOption.SO_SNDBUF, 64 * 1024)
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(16 * 1024, 64 * 1024))
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline()
                                    .addLast(CODEC, new HttpServerCodec(16 * 1024, 64 * 1024, 64 * 1024))
                                    .addLast(KEEP_ALIVE, new HttpServerKeepAliveHandler())
                                    .addLast(AGGREGATOR, new HttpObjectAggregator(MAX_BODY_BYTES))
                                    .addLast(HANDLER, new EmulatorHandler(emulator, answers));
                        }
                    });
            emulator.server = b.bind(host, port).syncUninterruptibly().channel();
            emulator.bound = (InetSocketAddress) emulator.server.localAddress();
            LOG.info("Gemini emulator listening on {}", emulator.baseUrl());
            return emulator;
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new IllegalStateException("cannot start the Gemini emulator on " + host + ":" + port + ": " + e, e);
        }
    }

    public int port() {
        return bound.getPort();
    }

    /** {@code http://<bound address>:<port>}, without a trailing slash or API version. */
    public String baseUrl() {
        InetSocketAddress a = bound;
        String host = a.getAddress().isAnyLocalAddress() ? "127.0.0.1" : a.getAddress().getHostAddress();
        if (host.indexOf(':') >= 0) {
            host = "[" + host + "]";
        }
        return "http://" + host + ":" + a.getPort();
    }

    /** Requests made with {@code apiKey} follow {@code behavior} from now on. */
    public void script(String apiKey, Behavior behavior) {
        scripts.put(Objects.requireNonNull(apiKey, "apiKey"), Objects.requireNonNull(behavior, "behavior"));
    }

    /** The behaviour for keys without a script; {@link Behavior#ok()} at start and after {@link #reset()}. */
    public void defaultBehavior(Behavior behavior) {
        defaultBehavior = Objects.requireNonNull(behavior, "behavior");
    }

    /** Forgets scripts, the default behaviour, call counters and recorded requests (open connections stay). */
    public void reset() {
        scripts.clear();
        generateCalls.clear();
        defaultBehavior = Behavior.ok();
        synchronized (recorded) {
            recorded.clear();
            recordedBodyBytes = 0;
        }
    }

    /** Every request received (the newest {@value #MAX_RECORDED}), oldest first; a snapshot. */
    public List<RecordedRequest> requests() {
        synchronized (recorded) {
            return List.copyOf(recorded);
        }
    }

    /** generateContent and streamGenerateContent calls made with {@code apiKey}, whatever the answer was. */
    public int generateCalls(String apiKey) {
        AtomicInteger n = generateCalls.get(apiKey);
        return n == null ? 0 : n.get();
    }

    public int openConnections() {
        return openConnections.get();
    }

    /** Answers being written now: a stream in progress or a delayed answer not yet sent. */
    public int activeStreams() {
        return activeStreams.get();
    }

    /** Stops listening, closes every connection and frees the port; returns when done. */
    @Override
    public void close() {
        if (group.isShuttingDown()) {
            return;
        }
        int port = port();
        server.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        LOG.info("Gemini emulator on port {} stopped", port);
    }

    /**
     * Runs the emulator alone until the process is stopped: {@code java -cp gemgate.jar
     * gemgate.server.emulator.GeminiEmulator [port] [host]} (defaults 8089 and 127.0.0.1).
     *
     * <p>System properties set the default behaviour, for benchmarks of paced and held streams:
     * {@code -Demulator.delayMs=N} (wait before answering), {@code -Demulator.chunks=N} and
     * {@code -Demulator.spacingMs=N} (stream events and the pause between them).
     */
    public static void main(String[] args) {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8089;
        String host = args.length > 1 ? args[1] : "127.0.0.1";
        GeminiEmulator emulator = start(host, port);
        long delayMs = Long.getLong("emulator.delayMs", 0L);
        int chunks = Integer.getInteger("emulator.chunks", Behavior.DEFAULT_CHUNKS);
        long spacingMs = Long.getLong("emulator.spacingMs", 0L);
        Behavior behavior = Behavior.ok();
        if (delayMs > 0) {
            behavior = behavior.withDelay(java.time.Duration.ofMillis(delayMs));
        }
        if (chunks != Behavior.DEFAULT_CHUNKS || spacingMs > 0) {
            behavior = behavior.withChunks(chunks, java.time.Duration.ofMillis(spacingMs));
        }
        emulator.defaultBehavior(behavior);
        if (!behavior.toString().equals("ok")) {
            System.out.println("Gemini emulator default behaviour: " + behavior);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(emulator::close, "gemini-emulator-stop"));
        System.out.println("Gemini emulator on " + emulator.baseUrl() + " (any API key works; answers are emulated)");
        emulator.server.closeFuture().syncUninterruptibly();
    }

    // ---- used by the handler, on the event loop ----

    Samples samples() {
        return samples;
    }

    /** The behaviour step for this request; a generate call counts and advances a sequence. */
    Behavior behaviorFor(String apiKey, boolean generate) {
        Behavior b = scripts.getOrDefault(apiKey, defaultBehavior);
        AtomicInteger counter = generateCalls.computeIfAbsent(apiKey, k -> new AtomicInteger());
        int index = generate ? counter.getAndIncrement() : counter.get();
        return b.step(index);
    }

    void record(RecordedRequest r) {
        synchronized (recorded) {
            recorded.addLast(r);
            recordedBodyBytes += r.body().length;
            while (recorded.size() > 1 && (recorded.size() > MAX_RECORDED || recordedBodyBytes > MAX_RECORDED_BODY_BYTES)) {
                recordedBodyBytes -= recorded.removeFirst().body().length;
            }
        }
    }

    void connectionOpened() {
        openConnections.incrementAndGet();
    }

    void connectionClosed() {
        openConnections.decrementAndGet();
    }

    void streamStarted() {
        activeStreams.incrementAndGet();
    }

    void streamEnded() {
        activeStreams.decrementAndGet();
    }
}
