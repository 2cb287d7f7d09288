package gemgate.server.keys;

import gemgate.core.keys.KeyPool;
import gemgate.core.keys.PooledKey;
import gemgate.core.keys.UpstreamFailure;
import gemgate.server.upstream.UpstreamCall;
import gemgate.server.upstream.UpstreamClient;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.ByteArrayOutputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks keys with the cheapest call there is (listing one model, {@code GET /{version}/models?pageSize=1}, key in
 * {@code x-goog-api-key}): 200 = valid, 429 = valid but busy, 400 API_KEY_INVALID / 401 / 403 = invalid, anything
 * else proves nothing. Results go to {@link KeyPool#onValidation}, which takes keys out and brings them back.
 *
 * <p>At most {@code concurrency} checks run at once, on one event loop and never blocking it; each has its own time
 * limit. {@link #validateAllInBackground()} checks every key (start-up, "test all keys"), with progress in the log
 * and in {@link #progress()}; {@link #startPeriodicRevalidation} re-checks invalid keys when the pool says they are
 * due. Thread-safe: the small bookkeeping is under this object's monitor, upstream calls run on the loop.
 */
public final class KeyValidator implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KeyValidator.class);
    /** Progress lines while checking all keys: one every this many keys, and one at the end. */
    static final int LOG_EVERY = 10;
    private static final int MAX_BODY = 64 * 1024;

    /**
     * Where the current (or last) batch of checks stands: {@code total} keys queued, {@code done} answered, of which
     * {@code valid}, {@code invalid} and {@code inconclusive} (timeouts, server errors). {@code finishedAt} is null
     * while running; both instants are null before the first batch.
     */
    public record Progress(int total, int done, int valid, int invalid, int inconclusive, boolean running,
            Instant startedAt, Instant finishedAt) {
        static final Progress NONE = new Progress(0, 0, 0, 0, 0, false, null, null);

        public Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("total", (long) total);
            m.put("done", (long) done);
            m.put("valid", (long) valid);
            m.put("invalid", (long) invalid);
            m.put("inconclusive", (long) inconclusive);
            m.put("running", running);
            m.put("started_at", startedAt == null ? null : startedAt.toString());
            m.put("finished_at", finishedAt == null ? null : finishedAt.toString());
            return m;
        }
    }

    private final EventLoop loop;
    private final UpstreamClient upstream;
    private final KeyPool pool;
    private final String apiVersion;
    private final int concurrency;
    private final Duration timeout;
    private final Clock clock;

    // Guarded by this.
    private final ArrayDeque<PooledKey> queue = new ArrayDeque<>();
    private final Set<String> pending = new HashSet<>();
    private final Set<Check> active = new HashSet<>();
    private Progress progress = Progress.NONE;
    private boolean announce;
    private long startedNanos;
    private ScheduledFuture<?> periodic;
    private boolean closed;

    public KeyValidator(EventLoop loop, UpstreamClient upstream, KeyPool pool, String apiVersion, int concurrency,
            Duration timeout, Clock clock) {
        if (loop == null || upstream == null || pool == null || apiVersion == null || timeout == null || clock == null) {
            throw new IllegalArgumentException("loop, upstream, pool, apiVersion, timeout and clock are required");
        }
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be >= 1, got " + concurrency);
        }
        this.loop = loop;
        this.upstream = upstream;
        this.pool = pool;
        this.apiVersion = apiVersion;
        this.concurrency = concurrency;
        this.timeout = timeout;
        this.clock = clock;
    }

    public synchronized Progress progress() {
        return progress;
    }

    /**
     * Checks every key that is not disabled, in the background; returns at once with the progress (the batch already
     * running, if one is: keys are not checked twice at the same time).
     */
    public Progress validateAllInBackground() {
        List<PooledKey> all = new ArrayList<>();
        for (PooledKey k : pool.keys()) {
            if (!k.isDisabled()) {
                all.add(k);
            }
        }
        synchronized (this) {
            if (!progress.running() && !all.isEmpty()) {
                log.info("checking {} Gemini key(s) in the background, {} at a time", all.size(), concurrency);
            }
            announce = true;
        }
        return enqueue(all);
    }

    /** Checks the keys with these ids (e.g. just added), in the background. Unknown ids are ignored. */
    public Progress validateInBackground(Collection<String> ids) {
        List<PooledKey> keys = new ArrayList<>();
        for (String id : ids) {
            pool.find(id).ifPresent(keys::add);
        }
        return enqueue(keys);
    }

    /** Re-checks, every {@code every}, the invalid keys whose re-check the pool says is due. */
    public synchronized void startPeriodicRevalidation(Duration every) {
        if (periodic != null || closed) {
            return;
        }
        long ms = Math.max(1, every.toMillis());
        periodic = loop.scheduleAtFixedRate(this::revalidateDue, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** One round of due re-checks (also what the periodic task runs). */
    public void revalidateDue() {
        List<PooledKey> due = pool.dueForValidation();
        if (!due.isEmpty()) {
            log.debug("re-checking {} invalid Gemini key(s)", due.size());
            enqueue(due);
        }
    }

    private Progress enqueue(List<PooledKey> keys) {
        Progress p;
        synchronized (this) {
            if (closed) {
                return progress;
            }
            int added = 0;
            for (PooledKey k : keys) {
                if (pending.add(k.id())) {
                    queue.add(k);
                    added++;
                }
            }
            if (added > 0) {
                if (!progress.running()) {
                    startedNanos = System.nanoTime();
                    progress = new Progress(added, 0, 0, 0, 0, true, clock.instant(), null);
                } else {
                    Progress c = progress;
                    progress = new Progress(c.total() + added, c.done(), c.valid(), c.invalid(), c.inconclusive(), true,
                            c.startedAt(), null);
                }
            }
            p = progress;
        }
        pump();
        return p;
    }

    /** Starts checks while there is room. */
    private void pump() {
        List<Check> start = new ArrayList<>();
        synchronized (this) {
            while (!closed && active.size() < concurrency && !queue.isEmpty()) {
                Check c = new Check(queue.poll());
                active.add(c);
                start.add(c);
            }
        }
        for (Check c : start) {
            loop.execute(c::start);
        }
    }

    private void finished(Check c, UpstreamFailure failure) {
        Optional<PooledKey> stillThere = pool.find(c.key.id());
        if (stillThere.isPresent() && stillThere.get() == c.key) {
            pool.onValidation(c.key, failure);
        }
        UpstreamFailure.Kind kind = failure == null ? null : failure.kind();
        boolean valid = kind == null || kind == UpstreamFailure.Kind.RATE_LIMITED;
        boolean invalid = kind == UpstreamFailure.Kind.KEY_INVALID;
        String line = null;
        synchronized (this) {
            if (!active.remove(c)) {
                return;
            }
            pending.remove(c.key.id());
            Progress p = progress;
            int done = p.done() + 1;
            boolean over = done >= p.total() && queue.isEmpty() && active.isEmpty();
            progress = new Progress(p.total(), done, p.valid() + (valid ? 1 : 0), p.invalid() + (invalid ? 1 : 0),
                    p.inconclusive() + (!valid && !invalid ? 1 : 0), !over, p.startedAt(),
                    over ? clock.instant() : null);
            Progress n = progress;
            if (announce && over) {
                line = String.format("key check finished: %d key(s) in %.1f s: %d valid, %d invalid, %d inconclusive",
                        n.total(), (System.nanoTime() - startedNanos) / 1e9, n.valid(), n.invalid(), n.inconclusive());
                announce = false;
            } else if (announce && done % LOG_EVERY == 0) {
                line = String.format("key check: %d/%d done (%d valid, %d invalid, %d inconclusive)", done, n.total(),
                        n.valid(), n.invalid(), n.inconclusive());
            }
        }
        if (line != null) {
            log.info(line);
        }
        if (!valid && !invalid) {
            log.debug("check of Gemini key {} proved nothing: {} {}", c.key.masked(), kind, failure.message());
        }
        pump();
    }

    /** Stops the periodic task and abandons checks in flight. */
    @Override
    public void close() {
        List<Check> abandon;
        synchronized (this) {
            closed = true;
            if (periodic != null) {
                periodic.cancel(false);
            }
            queue.clear();
            abandon = new ArrayList<>(active);
        }
        for (Check c : abandon) {
            loop.execute(c::cancel);
        }
    }

    /** One check of one key; everything after {@link #start} runs on the loop. */
    private final class Check implements UpstreamCall.Listener {
        final PooledKey key;
        private UpstreamCall call;
        private ScheduledFuture<?> timer;
        private int status;
        private ByteArrayOutputStream body;
        private boolean over;

        Check(PooledKey key) {
            this.key = key;
        }

        void start() {
            try {
                call = upstream.get(loop, "/" + apiVersion + "/models?pageSize=1", key.key(), this);
                timer = loop.schedule(() -> {
                    if (!over) {
                        call.cancel();
                        end(UpstreamFailure.timeout("no answer within " + timeout.toMillis() / 1000.0 + " s"));
                    }
                }, timeout.toMillis(), TimeUnit.MILLISECONDS);
                call.start();
            } catch (RuntimeException e) {
                end(UpstreamFailure.connection("cannot start the check: " + e));
            }
        }

        void cancel() {
            if (!over) {
                over = true;
                if (timer != null) {
                    timer.cancel(false);
                }
                if (call != null) {
                    call.cancel();
                }
            }
        }

        private void end(UpstreamFailure failure) {
            if (over) {
                return;
            }
            over = true;
            if (timer != null) {
                timer.cancel(false);
            }
            finished(this, failure);
        }

        @Override
        public void onHead(int status, HttpResponse head) {
            this.status = status;
            this.body = new ByteArrayOutputStream(status == 200 ? 1024 : 512);
        }

        @Override
        public boolean onBody(byte[] bytes) {
            if (body.size() + bytes.length <= MAX_BODY) {
                body.write(bytes, 0, bytes.length);
            }
            return true;
        }

        @Override
        public void onEnd() {
            end(status == 200 ? null : UpstreamFailure.fromResponse(status, body.toByteArray()));
        }

        @Override
        public void onFailure(UpstreamCall.FailureKind kind, String detail) {
            end(kind.toFailure(detail));
        }
    }
}
