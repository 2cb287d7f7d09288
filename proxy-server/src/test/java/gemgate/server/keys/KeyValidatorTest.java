package gemgate.server.keys;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import gemgate.core.keys.KeyMask;
import gemgate.core.keys.KeyPool;
import gemgate.core.keys.KeyStatus;
import gemgate.core.keys.ModelLimits;
import gemgate.core.keys.PooledKey;
import gemgate.core.stats.UsageStats;
import gemgate.server.emulator.Behavior;
import gemgate.server.emulator.GeminiEmulator;
import gemgate.server.emulator.RecordedRequest;
import gemgate.server.testutil.LogCapture;
import gemgate.server.upstream.UpstreamClient;
import gemgate.server.upstream.UpstreamOptions;
import io.netty.channel.EventLoop;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The key check against the in-repo Gemini emulator: real sockets, real status codes, bounded concurrency. */
class KeyValidatorTest {
    private NioEventLoopGroup group;
    private EventLoop loop;
    private GeminiEmulator emulator;
    private UpstreamClient client;

    private static String key(String tag) {
        return "AIza" + "Sy" + tag + "_".repeat(33 - tag.length());
    }

    @BeforeEach
    void start() {
        group = new NioEventLoopGroup(1);
        loop = group.next();
        emulator = GeminiEmulator.start("127.0.0.1", 0);
        client = new UpstreamClient(new UpstreamOptions(URI.create(emulator.baseUrl()), Duration.ofSeconds(2),
                Duration.ofSeconds(5), Duration.ofSeconds(5), 1 << 20, 16, 64, Duration.ofSeconds(60), null),
                NioSocketChannel.class);
    }

    @AfterEach
    void stop() {
        client.close();
        emulator.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private KeyPool pool(String... keys) {
        return new KeyPool(List.of(keys), new KeyPool.Options(ModelLimits.none(), 0, Duration.ofMinutes(10), Duration.ofHours(6)),
                new UsageStats(Clock.systemUTC()), Clock.systemUTC());
    }

    private static void await(BooleanSupplier done, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!done.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("timed out waiting for: %s", what).isNegative();
            Thread.sleep(10);
        }
    }

    @Test
    void goodKeyStaysAndInvalidKeyLeavesWithProgressInTheLog() throws Exception {
        String good = key("good");
        String bad = key("bad");
        emulator.script(bad, Behavior.invalidKey());
        KeyPool pool = pool(good, bad);
        try (LogCapture logs = LogCapture.open(Level.INFO, "gemgate");
                KeyValidator v = new KeyValidator(loop, client, pool, "v1beta", 4, Duration.ofSeconds(5), Clock.systemUTC())) {
            KeyValidator.Progress started = v.validateAllInBackground();
            assertThat(started.total()).isEqualTo(2);
            await(() -> !v.progress().running(), "the check to finish");
            KeyValidator.Progress p = v.progress();
            assertThat(p.done()).isEqualTo(2);
            assertThat(p.valid()).isEqualTo(1);
            assertThat(p.invalid()).isEqualTo(1);
            assertThat(p.finishedAt()).isNotNull();
            assertThat(state(pool, good)).isEqualTo(KeyStatus.State.ACTIVE);
            assertThat(state(pool, bad)).as("a key Google calls invalid leaves the rotation").isEqualTo(KeyStatus.State.INVALID);
            for (RecordedRequest r : emulator.requests()) {
                assertThat(r.path()).isEqualTo("/v1beta/models");
                assertThat(r.uri()).as("the cheapest call: one model").contains("pageSize=1").doesNotContain("key=");
                assertThat(r.apiKeyHeader()).isIn(good, bad);
            }
            String all = String.join("\n", logs.lines());
            assertThat(all).contains("key check finished: 2 key(s)").contains("1 valid, 1 invalid");
            assertThat(all).as("keys are masked in the log").doesNotContain(good).doesNotContain(bad);
        }
    }

    @Test
    void revalidationBringsARecoveredKeyBack() throws Exception {
        String k = key("flaky");
        emulator.script(k, Behavior.invalidKey());
        KeyPool pool = pool(k);
        try (KeyValidator v = new KeyValidator(loop, client, pool, "v1beta", 2, Duration.ofSeconds(5), Clock.systemUTC())) {
            v.validateAllInBackground();
            await(() -> state(pool, k) == KeyStatus.State.INVALID, "the key to be found invalid");
            await(() -> !v.progress().running(), "the first batch to end");
            emulator.script(k, Behavior.ok());
            PooledKey pk = pool.keys().get(0);
            pool.onValidation(pk, new gemgate.core.keys.UpstreamFailure(gemgate.core.keys.UpstreamFailure.Kind.KEY_INVALID,
                    400, "still bad", null, false)); // pushes the next check out: not due now
            v.revalidateDue();
            assertThat(v.progress().running()).as("nothing is due yet").isFalse();
            v.validateInBackground(List.of(pk.id()));
            await(() -> state(pool, k) == KeyStatus.State.ACTIVE, "the recovered key to come back");
        }
    }

    @Test
    void concurrencyIsBounded() throws Exception {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String k = key("c" + i);
            keys.add(k);
            emulator.script(k, Behavior.ok().withDelay(Duration.ofMillis(150)));
        }
        KeyPool pool = pool(keys.toArray(new String[0]));
        try (KeyValidator v = new KeyValidator(loop, client, pool, "v1beta", 3, Duration.ofSeconds(5), Clock.systemUTC())) {
            v.validateAllInBackground();
            int maxOpen = 0;
            while (v.progress().running()) {
                maxOpen = Math.max(maxOpen, emulator.openConnections());
                Thread.sleep(5);
            }
            assertThat(maxOpen).as("never more than 3 checks at once").isBetween(1, 3);
            KeyValidator.Progress p = v.progress();
            assertThat(p.done()).as("%s", p).isEqualTo(12);
            assertThat(p.valid()).as("%s", p).isEqualTo(12);
        }
    }

    @Test
    void aSlowUpstreamCountsAsInconclusive() throws Exception {
        String k = key("slow");
        emulator.script(k, Behavior.ok().withDelay(Duration.ofSeconds(5)));
        KeyPool pool = pool(k);
        try (KeyValidator v = new KeyValidator(loop, client, pool, "v1beta", 1, Duration.ofMillis(200), Clock.systemUTC())) {
            v.validateAllInBackground();
            await(() -> !v.progress().running(), "the time limit");
            assertThat(v.progress().inconclusive()).isEqualTo(1);
            assertThat(state(pool, k)).as("a timeout proves nothing about the key").isEqualTo(KeyStatus.State.ACTIVE);
        }
    }

    private static KeyStatus.State state(KeyPool pool, String key) {
        return pool.snapshot().stream().filter(s -> s.id().equals(KeyMask.fingerprint(key))).findFirst().orElseThrow().state();
    }
}
