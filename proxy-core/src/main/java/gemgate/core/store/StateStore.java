package gemgate.core.store;

import gemgate.core.config.Settings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Durable state in the data directory ({@code STORAGE_DIR}), one JSON file per named section (see {@link StateFile}).
 *
 * <p>Contract for state owners:
 * <ul>
 *   <li>{@link #register} once per section, at start-up (it reads the file, so not on an event loop). {@code restore}
 *       is called right there with the saved data, and only when there is some; a file that cannot be used is moved
 *       aside with an ERROR log line and the section starts empty. A {@code restore} that throws counts as an
 *       unusable file too, so make it all-or-nothing.</li>
 *   <li>{@link #markDirty} after every change: cheap (a flag and, at most once per debounce period, a task handed to
 *       the writer), lock-free, safe from any thread including event loops.</li>
 *   <li>The single writer thread (a daemon) saves dirty sections at most {@code writeDelay} after the first change
 *       of a batch, so bursts of changes cost one write. It calls {@code snapshot} <b>on the writer thread</b>: the
 *       supplier must build a consistent, self-contained copy (plain maps, lists, strings, numbers, booleans) without
 *       blocking for long, e.g. from concurrent or immutable structures, or by a short lock.</li>
 *   <li>{@link #flush()} writes every dirty section now, on the caller's thread; {@link #close()} stops the writer
 *       and flushes. Call them from the shutdown path, never from an event loop.</li>
 * </ul>
 * A failed write is logged and retried later; the previous file stays intact. With storage disabled
 * ({@code ENABLE_STORAGE=false}) the same API keeps nothing: {@code restore} is never called and nothing is written.
 */
public final class StateStore implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StateStore.class);
    /** After a failed write, wait at least this long before the next try, so a full disk does not spin. */
    static final Duration RETRY_AFTER_FAILURE = Duration.ofSeconds(5);

    /** When the writer runs; tests pass a manual one. */
    public interface Scheduler {
        /** Runs {@code task} once after {@code delay}, on the writer thread. */
        void schedule(Runnable task, Duration delay);

        /** Stops; pending tasks may be dropped (close flushes on the caller's thread afterwards). */
        void shutdown();

        /** One daemon thread named {@code gemgate-state-writer}. */
        static Scheduler singleDaemonThread() {
            ScheduledThreadPoolExecutor ex = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "gemgate-state-writer");
                t.setDaemon(true);
                return t;
            });
            ex.setRemoveOnCancelPolicy(true);
            return new Scheduler() {
                @Override
                public void schedule(Runnable task, Duration delay) {
                    if (!ex.isShutdown()) {
                        ex.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
                    }
                }

                @Override
                public void shutdown() {
                    ex.shutdown();
                    try {
                        // Let a write in progress finish; the caller flushes whatever is still dirty.
                        ex.awaitTermination(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            };
        }
    }

    private static final class Section {
        final String name;
        final StateFile file;
        final Supplier<Map<String, Object>> snapshot;
        final AtomicBoolean dirty = new AtomicBoolean();

        Section(String name, StateFile file, Supplier<Map<String, Object>> snapshot) {
            this.name = name;
            this.file = file;
            this.snapshot = snapshot;
        }
    }

    private final Path dir;
    private final Duration writeDelay;
    private final Scheduler scheduler;
    private final Clock clock;
    private final Map<String, Section> sections = new ConcurrentHashMap<>();
    private final List<Path> movedAside = new CopyOnWriteArrayList<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Serialises writes between the writer thread and {@link #flush()}. */
    private final Object writeLock = new Object();
    private volatile Throwable lastFailure;

    private StateStore(Path dir, Duration writeDelay, Scheduler scheduler, Clock clock) {
        this.dir = dir;
        this.writeDelay = writeDelay;
        this.scheduler = scheduler;
        this.clock = clock;
    }

    /** From the storage settings: on disk in {@code storage.dir()}, or in memory when storage is disabled. */
    public static StateStore open(Settings.Storage storage) {
        Objects.requireNonNull(storage, "storage");
        return storage.enabled()
                ? onDisk(storage.dir(), storage.writeDelay(), Scheduler.singleDaemonThread(), Clock.systemUTC())
                : inMemory();
    }

    /**
     * A store in {@code dir}: creates it (mode 700 when new) and deletes temporary files a crash left behind.
     *
     * @throws UncheckedIOException when the directory cannot be created or listed
     */
    public static StateStore onDisk(Path dir, Duration writeDelay, Scheduler scheduler, Clock clock) {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(scheduler, "scheduler");
        Objects.requireNonNull(clock, "clock");
        if (writeDelay == null || writeDelay.isNegative()) {
            throw new IllegalArgumentException("writeDelay must be >= 0, got " + writeDelay);
        }
        try {
            AtomicFiles.ensureDirectory(dir);
            for (Path p : AtomicFiles.cleanLeftovers(dir)) {
                log.info("removed {}, a temporary file left by an interrupted save", p.toAbsolutePath());
            }
        } catch (IOException e) {
            scheduler.shutdown();
            throw new UncheckedIOException("cannot use the data directory " + dir.toAbsolutePath() + " (STORAGE_DIR): "
                    + e + ". Point STORAGE_DIR at a writable directory or set ENABLE_STORAGE=false.", e);
        }
        return new StateStore(dir, writeDelay, scheduler, clock);
    }

    /** Keeps nothing and never touches the disk (ENABLE_STORAGE=false). */
    public static StateStore inMemory() {
        return new StateStore(null, Duration.ZERO, null, Clock.systemUTC());
    }

    /** The data directory, or empty for an in-memory store. */
    public Optional<Path> dir() {
        return Optional.ofNullable(dir);
    }

    public boolean persistent() {
        return dir != null;
    }

    /** {@link #register(String, boolean, int, StateFile.Migration, Supplier, Consumer)} at format 1. */
    public void register(String name, boolean ownerOnly, Supplier<Map<String, Object>> snapshot,
            Consumer<Map<String, Object>> restore) {
        register(name, ownerOnly, 1, StateFile.Migration.NONE, snapshot, restore);
    }

    /**
     * Adds a section and restores it from its file (see the class comment). Blocking file I/O: start-up only.
     *
     * @param name      section and file name ({@code <name>.json}): a-z, 0-9, '-', '_'
     * @param ownerOnly the file holds secrets: mode 600
     * @param format    this section's current data format, at least 1; bump it when the data's shape changes
     * @param migration turns data of an older format into the current one
     * @param snapshot  called on the writer thread; returns a self-contained copy of the state
     * @param restore   called once, here, with saved data (in the current format); not called when there is none
     * @throws IllegalStateException when the name is taken or the store is closed
     */
    public void register(String name, boolean ownerOnly, int format, StateFile.Migration migration,
            Supplier<Map<String, Object>> snapshot, Consumer<Map<String, Object>> restore) {
        StateFile.checkKind(name);
        Objects.requireNonNull(snapshot, "snapshot");
        Objects.requireNonNull(restore, "restore");
        if (closed.get()) {
            throw new IllegalStateException("the state store is closed");
        }
        StateFile file = dir == null ? null : new StateFile(dir, name, ownerOnly, format, migration, clock);
        Section s = new Section(name, file, snapshot);
        if (sections.putIfAbsent(name, s) != null) {
            throw new IllegalStateException("state section " + name + " is registered twice");
        }
        if (file == null) {
            return;
        }
        StateFile.Read read = file.read();
        if (read instanceof StateFile.Read.MovedAside m) {
            log.error(m.message());
            movedAside.add(m.to());
        } else if (read instanceof StateFile.Read.Loaded loaded) {
            try {
                restore.accept(loaded.data());
                log.info("restored {} from {}", name, file.path().toAbsolutePath());
                if (loaded.fileFormat() != format) {
                    // Save in the current format soon, so the migration runs once.
                    markDirty(name);
                }
            } catch (RuntimeException e) {
                StateFile.Read.MovedAside m = file.moveAside("its data was rejected: " + e.getMessage());
                log.error(m.message(), e);
                movedAside.add(m.to());
            }
        }
    }

    /** Where unusable files were moved during this run (for the admin API and tests). */
    public List<Path> movedAside() {
        return List.copyOf(movedAside);
    }

    /** Notes that section {@code name} changed; it is saved within the write delay. Any thread; never blocks. */
    public void markDirty(String name) {
        Section s = sections.get(name);
        if (s == null) {
            throw new IllegalArgumentException("no state section named " + name + " is registered");
        }
        if (dir == null || !s.dirty.compareAndSet(false, true)) {
            return;
        }
        if (scheduled.compareAndSet(false, true)) {
            scheduler.schedule(this::writeDirtyInBackground, writeDelay);
        }
    }

    /** Whether {@code name} has changes not yet saved. */
    public boolean isDirty(String name) {
        Section s = sections.get(name);
        return s != null && s.dirty.get();
    }

    /** The last write failure, if any, or null once a later write succeeded. */
    public Throwable lastFailure() {
        return lastFailure;
    }

    private void writeDirtyInBackground() {
        // Cleared before the sections are read, so a change made during the writes schedules another round.
        scheduled.set(false);
        if (closed.get()) {
            return;
        }
        if (!writeDirty()) {
            // Keep the dirty flags and try again later; scheduled stays false only if nobody re-armed it.
            if (scheduled.compareAndSet(false, true)) {
                scheduler.schedule(this::writeDirtyInBackground,
                        writeDelay.compareTo(RETRY_AFTER_FAILURE) > 0 ? writeDelay : RETRY_AFTER_FAILURE);
            }
        }
    }

    /**
     * Writes every dirty section now, on the calling thread (blocking). Used on shutdown and by tests.
     *
     * @return true when everything dirty was saved
     */
    public boolean flush() {
        return dir == null || writeDirty();
    }

    private boolean writeDirty() {
        boolean ok = true;
        synchronized (writeLock) {
            for (Section s : sections.values()) {
                if (!s.dirty.compareAndSet(true, false)) {
                    continue;
                }
                try {
                    s.file.write(s.snapshot.get());
                    if (lastFailure != null) {
                        log.info("saving state works again ({})", s.file.path().toAbsolutePath());
                        lastFailure = null;
                    }
                } catch (IOException | RuntimeException e) {
                    s.dirty.set(true);
                    ok = false;
                    if (lastFailure == null) {
                        log.warn("cannot save state section {} to {}: {}; the previous file is kept and the save is"
                                + " retried", s.name, s.file.path().toAbsolutePath(), e.toString());
                    } else {
                        log.debug("saving state section {} failed again: {}", s.name, e.toString());
                    }
                    lastFailure = e;
                }
            }
        }
        return ok;
    }

    /** Stops the writer and saves whatever is dirty. Idempotent. Blocking: call from the shutdown path. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (scheduler != null) {
            scheduler.shutdown();
        }
        if (dir != null && !writeDirty()) {
            log.error("state could not be saved on shutdown (see the warning above); changes since the last save in {}"
                    + " are lost", dir.toAbsolutePath());
        }
    }
}
