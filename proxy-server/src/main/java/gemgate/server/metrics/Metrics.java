package gemgate.server.metrics;

import gemgate.core.keys.KeyStatus;
import gemgate.core.keys.UpstreamFailure;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.internal.PlatformDependent;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryUsage;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Process-wide counters, rendered in the Prometheus text format (version 0.0.4). Lock-free: atomic arrays indexed by
 * enums and status codes, so the label sets are bounded by construction (7 routes x 500 status codes, 9 upstream
 * outcomes, 3 key states). Written from every event loop, read by the scrape.
 */
public final class Metrics {
    /** Latency histogram bucket bounds, seconds. Chat answers take seconds to minutes; health takes microseconds. */
    static final double[] BUCKETS = {0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600};
    private static final int STATUSES = 500; // 100..599
    private static final Route[] ROUTES = Route.values();

    /** What one upstream attempt came to. */
    public enum Outcome {
        SUCCESS, EMPTY, CLIENT_ERROR, KEY_INVALID, RATE_LIMITED, SERVER_ERROR, TIMEOUT, CONNECTION, OTHER;

        public static Outcome of(UpstreamFailure.Kind kind) {
            return switch (kind) {
                case CLIENT_ERROR -> CLIENT_ERROR;
                case KEY_INVALID -> KEY_INVALID;
                case RATE_LIMITED -> RATE_LIMITED;
                case SERVER_ERROR -> SERVER_ERROR;
                case TIMEOUT -> TIMEOUT;
                case CONNECTION -> CONNECTION;
                case EMPTY -> EMPTY;
            };
        }
    }

    private final AtomicLongArray requests = new AtomicLongArray(ROUTES.length * STATUSES);
    private final AtomicLongArray latencyBuckets = new AtomicLongArray(ROUTES.length * (BUCKETS.length + 1));
    private final AtomicLongArray latencyCount = new AtomicLongArray(ROUTES.length);
    private final LongAdder[] latencyMicros = new LongAdder[ROUTES.length];
    private final AtomicLongArray attempts = new AtomicLongArray(Outcome.values().length);
    private final LongAdder tokens = new LongAdder();
    private final LongAdder cacheHits = new LongAdder();
    private final LongAdder cacheMisses = new LongAdder();
    private final LongAdder cacheStores = new LongAdder();
    private final LongAdder cacheEvicted = new LongAdder();
    private final LongAdder cacheExpired = new LongAdder();
    private final LongAdder attemptsCancelled = new LongAdder();
    private final LongAdder openStreams = new LongAdder();
    private final LongAdder inFlight = new LongAdder();
    private final LongAdder connections = new LongAdder();
    private final long startMillis = System.currentTimeMillis();

    public Metrics() {
        for (int i = 0; i < latencyMicros.length; i++) {
            latencyMicros[i] = new LongAdder();
        }
    }

    public void requestStarted() {
        inFlight.increment();
    }

    /** A request was answered (or abandoned): count it by route and status, and its latency. */
    public void requestFinished(Route route, int status, long nanos) {
        inFlight.decrement();
        int s = Math.min(Math.max(status, 100), 599) - 100;
        requests.incrementAndGet(route.ordinal() * STATUSES + s);
        double seconds = nanos / 1e9;
        int b = 0;
        while (b < BUCKETS.length && seconds > BUCKETS[b]) {
            b++;
        }
        latencyBuckets.incrementAndGet(route.ordinal() * (BUCKETS.length + 1) + b);
        latencyCount.incrementAndGet(route.ordinal());
        latencyMicros[route.ordinal()].add(nanos / 1000);
    }

    public void attempt(Outcome outcome) {
        attempts.incrementAndGet(outcome.ordinal());
    }

    public void tokens(long n) {
        if (n > 0) {
            tokens.add(n);
        }
    }

    /** A chat request looked in the response cache: answered from it, or not. */
    public void cacheLookup(boolean hit) {
        (hit ? cacheHits : cacheMisses).increment();
    }

    /** An extra answer of a concurrent attempt was kept for the next identical request. */
    public void cacheStored() {
        cacheStores.increment();
    }

    /** Kept answers that left unused: pushed out by a bound, or expired. */
    public void cacheRemoved(boolean expired, int n) {
        (expired ? cacheExpired : cacheEvicted).add(n);
    }

    /** An upstream attempt cancelled because another attempt of the same request decided it. */
    public void attemptCancelled() {
        attemptsCancelled.increment();
    }

    public long cacheHits() {
        return cacheHits.sum();
    }

    public long cacheMisses() {
        return cacheMisses.sum();
    }

    public long attemptsCancelled() {
        return attemptsCancelled.sum();
    }

    public void streamOpened() {
        openStreams.increment();
    }

    public void streamClosed() {
        openStreams.decrement();
    }

    public void connectionOpened() {
        connections.increment();
    }

    public void connectionClosed() {
        connections.decrement();
    }

    /** Requests received and not yet answered in full (streams included). Graceful shutdown waits for zero. */
    public long inFlight() {
        return inFlight.sum();
    }

    public long openStreams() {
        return openStreams.sum();
    }

    public long requests(Route route, int status) {
        return requests.get(route.ordinal() * STATUSES + status - 100);
    }

    public long attempts(Outcome outcome) {
        return attempts.get(outcome.ordinal());
    }

    /** The page; {@code keys} is the key pool's snapshot (masked, and only counted here anyway). */
    public String render(List<KeyStatus> keys, String version) {
        StringBuilder b = new StringBuilder(8192);
        help(b, "gemgate_info", "gauge", "Build information.");
        b.append("gemgate_info{version=\"").append(escape(version)).append("\"} 1\n");
        help(b, "gemgate_start_time_seconds", "gauge", "Start time of the process since the Unix epoch.");
        b.append("gemgate_start_time_seconds ").append(startMillis / 1000).append('\n');

        help(b, "gemgate_requests_total", "counter", "Requests answered, by route and HTTP status.");
        for (Route r : ROUTES) {
            for (int s = 0; s < STATUSES; s++) {
                long n = requests.get(r.ordinal() * STATUSES + s);
                if (n > 0) {
                    b.append("gemgate_requests_total{route=\"").append(r.label()).append("\",status=\"").append(s + 100)
                            .append("\"} ").append(n).append('\n');
                }
            }
        }
        help(b, "gemgate_request_duration_seconds", "histogram", "Time from request to the end of the answer, by route.");
        for (Route r : ROUTES) {
            long count = latencyCount.get(r.ordinal());
            if (count == 0) {
                continue;
            }
            long cumulative = 0;
            for (int i = 0; i <= BUCKETS.length; i++) {
                cumulative += latencyBuckets.get(r.ordinal() * (BUCKETS.length + 1) + i);
                b.append("gemgate_request_duration_seconds_bucket{route=\"").append(r.label()).append("\",le=\"")
                        .append(i < BUCKETS.length ? number(BUCKETS[i]) : "+Inf").append("\"} ").append(cumulative).append('\n');
            }
            b.append("gemgate_request_duration_seconds_sum{route=\"").append(r.label()).append("\"} ")
                    .append(number(latencyMicros[r.ordinal()].sum() / 1e6)).append('\n');
            b.append("gemgate_request_duration_seconds_count{route=\"").append(r.label()).append("\"} ").append(count).append('\n');
        }
        help(b, "gemgate_requests_in_flight", "gauge", "Requests received and not yet answered in full.");
        b.append("gemgate_requests_in_flight ").append(inFlight.sum()).append('\n');
        help(b, "gemgate_open_streams", "gauge", "Streamed (SSE) answers in progress.");
        b.append("gemgate_open_streams ").append(openStreams.sum()).append('\n');
        help(b, "gemgate_client_connections", "gauge", "Open client connections.");
        b.append("gemgate_client_connections ").append(connections.sum()).append('\n');

        help(b, "gemgate_upstream_attempts_total", "counter", "Calls to Gemini, by outcome.");
        for (Outcome o : Outcome.values()) {
            b.append("gemgate_upstream_attempts_total{outcome=\"").append(o.name().toLowerCase(Locale.ROOT)).append("\"} ")
                    .append(attempts.get(o.ordinal())).append('\n');
        }
        help(b, "gemgate_concurrent_attempts_cancelled_total", "counter",
                "Upstream attempts cancelled because another attempt of the same request won or failed it.");
        b.append("gemgate_concurrent_attempts_cancelled_total ").append(attemptsCancelled.sum()).append('\n');
        help(b, "gemgate_cache_lookups_total", "counter", "Chat requests looked up in the response cache, by result.");
        b.append("gemgate_cache_lookups_total{result=\"hit\"} ").append(cacheHits.sum()).append('\n');
        b.append("gemgate_cache_lookups_total{result=\"miss\"} ").append(cacheMisses.sum()).append('\n');
        help(b, "gemgate_cache_stores_total", "counter", "Extra answers of concurrent attempts kept for a regenerate.");
        b.append("gemgate_cache_stores_total ").append(cacheStores.sum()).append('\n');
        help(b, "gemgate_cache_removals_total", "counter", "Kept answers dropped unused, by reason.");
        b.append("gemgate_cache_removals_total{reason=\"evicted\"} ").append(cacheEvicted.sum()).append('\n');
        b.append("gemgate_cache_removals_total{reason=\"expired\"} ").append(cacheExpired.sum()).append('\n');
        help(b, "gemgate_tokens_total", "counter", "Tokens reported by Gemini for answered chat requests.");
        b.append("gemgate_tokens_total ").append(tokens.sum()).append('\n');

        Map<KeyStatus.State, Integer> byState = new EnumMap<>(KeyStatus.State.class);
        for (KeyStatus.State st : KeyStatus.State.values()) {
            byState.put(st, 0);
        }
        for (KeyStatus k : keys) {
            byState.merge(k.state(), 1, Integer::sum);
        }
        help(b, "gemgate_keys", "gauge", "Gemini API keys by state.");
        byState.forEach((st, n) -> b.append("gemgate_keys{state=\"").append(st.name().toLowerCase(Locale.ROOT))
                .append("\"} ").append(n).append('\n'));

        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        help(b, "jvm_memory_used_bytes", "gauge", "JVM memory in use, by area.");
        memory(b, "jvm_memory_used_bytes", mem.getHeapMemoryUsage(), mem.getNonHeapMemoryUsage(), MemoryUsage::getUsed);
        help(b, "jvm_memory_committed_bytes", "gauge", "JVM memory committed, by area.");
        memory(b, "jvm_memory_committed_bytes", mem.getHeapMemoryUsage(), mem.getNonHeapMemoryUsage(), MemoryUsage::getCommitted);
        help(b, "jvm_memory_max_bytes", "gauge", "JVM memory limit, by area (-1 = none).");
        memory(b, "jvm_memory_max_bytes", mem.getHeapMemoryUsage(), mem.getNonHeapMemoryUsage(), MemoryUsage::getMax);
        help(b, "netty_direct_memory_used_bytes", "gauge", "Direct (off-heap) memory used by Netty's buffers.");
        b.append("netty_direct_memory_used_bytes{allocator=\"pooled\"} ")
                .append(PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory()).append('\n');
        b.append("netty_direct_memory_used_bytes{allocator=\"all\"} ").append(PlatformDependent.usedDirectMemory()).append('\n');
        help(b, "netty_direct_memory_max_bytes", "gauge", "Netty's direct memory limit.");
        b.append("netty_direct_memory_max_bytes ").append(PlatformDependent.maxDirectMemory()).append('\n');
        return b.toString();
    }

    private static void memory(StringBuilder b, String name, MemoryUsage heap, MemoryUsage nonHeap,
            java.util.function.ToLongFunction<MemoryUsage> f) {
        b.append(name).append("{area=\"heap\"} ").append(f.applyAsLong(heap)).append('\n');
        b.append(name).append("{area=\"nonheap\"} ").append(f.applyAsLong(nonHeap)).append('\n');
    }

    private static void help(StringBuilder b, String name, String type, String help) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static String number(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
