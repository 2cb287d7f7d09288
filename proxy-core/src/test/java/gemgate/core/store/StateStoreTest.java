package gemgate.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gemgate.core.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateStoreTest {
    private static final Duration DELAY = Duration.ofSeconds(1);

    @TempDir
    Path tmp;

    private final ManualScheduler scheduler = new ManualScheduler();

    /** A section whose state is a counter; counts how often it was snapshotted (= written). */
    private static final class Counter {
        final AtomicLong value = new AtomicLong();
        final AtomicInteger snapshots = new AtomicInteger();
        final List<Map<String, Object>> restored = new ArrayList<>();

        Map<String, Object> snapshot() {
            snapshots.incrementAndGet();
            return Json.object("value", value.get());
        }
    }

    private StateStore store() {
        return StateStore.onDisk(tmp, DELAY, scheduler, Clock.systemUTC());
    }

    private static long savedValue(Path file) throws IOException {
        return Json.num(Json.obj(Json.parseObject(Files.readAllBytes(file)), "data"), "value", -1);
    }

    @Test
    void changesAreBatchedIntoOneWriteAfterTheDelay() throws IOException {
        StateStore store = store();
        Counter c = new Counter();
        store.register("stats", false, c::snapshot, c.restored::add);

        for (int i = 0; i < 100; i++) {
            c.value.incrementAndGet();
            store.markDirty("stats");
        }
        assertThat(scheduler.pendingCount()).as("a burst of changes schedules one write").isEqualTo(1);
        assertThat(scheduler.pending.get(0).delay()).isEqualTo(DELAY);
        assertThat(tmp.resolve("stats.json")).as("nothing is written before the delay").doesNotExist();

        scheduler.runPending();
        assertThat(c.snapshots.get()).as("one snapshot for the whole burst").isEqualTo(1);
        assertThat(savedValue(tmp.resolve("stats.json"))).isEqualTo(100);
        assertThat(store.isDirty("stats")).isFalse();

        scheduler.runPending();
        assertThat(c.snapshots.get()).as("nothing dirty, nothing written").isEqualTo(1);

        c.value.incrementAndGet();
        store.markDirty("stats");
        assertThat(scheduler.pendingCount()).as("a later change schedules the next write").isEqualTo(1);
        scheduler.runPending();
        assertThat(savedValue(tmp.resolve("stats.json"))).isEqualTo(101);
    }

    @Test
    void aChangeDuringAWriteIsSavedByTheNextOne() throws IOException {
        StateStore store = store();
        AtomicLong value = new AtomicLong();
        StateStore[] self = {store};
        store.register("stats", false, () -> {
            Map<String, Object> snap = Json.object("value", value.get());
            // Another thread changes the state while the writer is busy with it.
            value.incrementAndGet();
            self[0].markDirty("stats");
            return snap;
        }, d -> {});
        store.markDirty("stats");
        scheduler.runPending();
        assertThat(savedValue(tmp.resolve("stats.json"))).isZero();
        assertThat(scheduler.pendingCount()).as("the change made during the write is not lost").isEqualTo(1);
    }

    @Test
    void stateSurvivesARestartAndFlushOnCloseWritesWhatIsPending() throws IOException {
        StateStore first = store();
        Counter c = new Counter();
        first.register("keys", true, c::snapshot, d -> {});
        c.value.set(7);
        first.markDirty("keys");
        first.close();
        assertThat(scheduler.shutdown).isTrue();
        assertThat(savedValue(tmp.resolve("keys.json"))).as("close writes what the writer had not written yet").isEqualTo(7);

        Counter again = new Counter();
        StateStore second = StateStore.onDisk(tmp, DELAY, new ManualScheduler(), Clock.systemUTC());
        second.register("keys", true, again::snapshot, again.restored::add);
        assertThat(again.restored).containsExactly(Json.object("value", 7L));
        second.close();
    }

    @Test
    void flushWritesSynchronously() throws IOException {
        StateStore store = store();
        Counter c = new Counter();
        store.register("stats", false, c::snapshot, d -> {});
        c.value.set(3);
        store.markDirty("stats");
        assertThat(store.flush()).isTrue();
        assertThat(savedValue(tmp.resolve("stats.json"))).isEqualTo(3);
        scheduler.runPending();
        assertThat(c.snapshots.get()).as("the scheduled write finds nothing left to do").isEqualTo(1);
    }

    @Test
    void aCorruptFileIsMovedAsideAndTheSectionStartsEmpty() throws IOException {
        Files.writeString(tmp.resolve("keys.json"), "{not json");
        StateStore store = store();
        Counter c = new Counter();
        store.register("keys", true, c::snapshot, c.restored::add);
        assertThat(c.restored).as("nothing is restored from a broken file").isEmpty();
        assertThat(store.movedAside()).hasSize(1);
        Path aside = store.movedAside().get(0);
        assertThat(aside.getFileName().toString()).startsWith("keys.json.corrupt-");
        assertThat(Files.readString(aside)).isEqualTo("{not json");

        c.value.set(1);
        store.markDirty("keys");
        store.flush();
        assertThat(Files.readString(aside)).as("saving the fresh section never overwrites the evidence")
                .isEqualTo("{not json");
    }

    @Test
    void dataThatRestoreRejectsIsMovedAsideToo() throws IOException {
        Files.writeString(tmp.resolve("keys.json"), "{\"format\":1,\"kind\":\"keys\",\"data\":{\"value\":\"x\"}}");
        StateStore store = store();
        store.register("keys", true, () -> Map.of(), d -> {
            throw new IllegalArgumentException("value must be a number");
        });
        assertThat(store.movedAside()).hasSize(1);
        assertThat(tmp.resolve("keys.json")).doesNotExist();
    }

    @Test
    void anOlderFormatIsMigratedAndSavedAgainInTheCurrentOne() throws IOException {
        Files.writeString(tmp.resolve("stats.json"), "{\"format\":1,\"kind\":\"stats\",\"data\":{\"v\":5}}");
        StateStore store = store();
        Counter c = new Counter();
        store.register("stats", false, 2, (from, d) -> Json.object("value", d.get("v")), c::snapshot, d -> {
            c.restored.add(d);
            c.value.set((Long) d.get("value"));
        });
        assertThat(c.restored).containsExactly(Json.object("value", 5L));
        assertThat(store.isDirty("stats")).as("a migrated section is rewritten in the new format").isTrue();
        store.flush();
        assertThat(Json.parseObject(Files.readAllBytes(tmp.resolve("stats.json")))).containsEntry("format", 2L);
    }

    @Test
    void temporaryLeftoversAreCleanedWhenTheStoreOpens() throws IOException {
        Path leftover = Files.writeString(tmp.resolve(".keys.json.8812763.tmp"), "{\"form");
        store();
        assertThat(leftover).as("a half-written temporary file from a crash is removed at start").doesNotExist();
    }

    @Test
    void aFailedWriteKeepsTheOldFileAndIsRetriedLater() throws IOException {
        StateStore store = store();
        AtomicInteger calls = new AtomicInteger();
        store.register("stats", false, () -> {
            if (calls.incrementAndGet() == 2) {
                throw new IllegalStateException("disk full (simulated)");
            }
            return Json.object("value", (long) calls.get());
        }, d -> {});
        store.markDirty("stats");
        scheduler.runPending();
        assertThat(savedValue(tmp.resolve("stats.json"))).isEqualTo(1);

        store.markDirty("stats");
        scheduler.runPending();
        assertThat(store.lastFailure()).hasMessageContaining("disk full");
        assertThat(savedValue(tmp.resolve("stats.json"))).as("the previous file is intact").isEqualTo(1);
        assertThat(store.isDirty("stats")).isTrue();
        assertThat(scheduler.pendingCount()).as("a retry is scheduled").isEqualTo(1);
        assertThat(scheduler.pending.get(0).delay()).isEqualTo(StateStore.RETRY_AFTER_FAILURE);

        scheduler.runPending();
        assertThat(savedValue(tmp.resolve("stats.json"))).isEqualTo(3);
        assertThat(store.lastFailure()).isNull();
    }

    @Test
    void inMemoryStoreNeverTouchesTheDisk() throws IOException {
        StateStore store = StateStore.inMemory();
        Counter c = new Counter();
        store.register("keys", true, c::snapshot, c.restored::add);
        store.markDirty("keys");
        assertThat(store.flush()).isTrue();
        store.close();
        assertThat(c.snapshots.get()).as("nothing is ever snapshotted").isZero();
        assertThat(store.persistent()).isFalse();
        assertThat(store.dir()).isEmpty();
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s).isEmpty();
        }
    }

    @Test
    void misuseIsRejected() {
        StateStore store = store();
        store.register("keys", true, Map::of, d -> {});
        assertThatThrownBy(() -> store.register("keys", true, Map::of, d -> {})).hasMessageContaining("twice");
        assertThatThrownBy(() -> store.register("../etc", true, Map::of, d -> {})).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.markDirty("nope")).hasMessageContaining("nope");
    }

    @Test
    void theRealWriterThreadSavesWithoutAnyFlush() throws Exception {
        CountDownLatch written = new CountDownLatch(1);
        StateStore store = StateStore.onDisk(tmp, Duration.ofMillis(1), StateStore.Scheduler.singleDaemonThread(),
                Clock.systemUTC());
        try {
            AtomicLong v = new AtomicLong(41);
            store.register("stats", false, () -> {
                assertThat(Thread.currentThread().getName()).isEqualTo("gemgate-state-writer");
                Map<String, Object> snap = Json.object("value", v.get());
                written.countDown();
                return snap;
            }, d -> {});
            store.markDirty("stats");
            assertThat(written.await(10, TimeUnit.SECONDS)).as("the background writer runs on its own").isTrue();
        } finally {
            store.close();
        }
        assertThat(savedValue(tmp.resolve("stats.json"))).isEqualTo(41);
    }
}
