package gemgate.server.keys;

import gemgate.core.config.Settings;
import gemgate.core.keys.KeyPool;
import gemgate.core.stats.UsageStats;
import gemgate.server.upstream.UpstreamClient;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The key pool's background work, started and stopped with the server: the key check at start-up (unless
 * SKIP_CHECK_API_KEY), re-checks of invalid keys when due, and the usage report in the log every
 * USAGE_REPORT_INTERVAL_MINUTES. All of it runs on one event loop and never blocks it.
 */
public final class KeyTasks implements AutoCloseable {
    private static final Logger usageLog = LoggerFactory.getLogger("gemgate.usage");
    /** How often the pool is asked which invalid keys are due for a re-check (at most). */
    static final Duration RECHECK_TICK = Duration.ofSeconds(60);

    private final EventLoop loop;
    private final KeyPool pool;
    private final KeyValidator validator;
    private final Settings.Keys settings;
    private ScheduledFuture<?> report;

    public KeyTasks(EventLoop loop, UpstreamClient upstream, KeyPool pool, String apiVersion, Settings.Keys settings,
            Clock clock) {
        this.loop = loop;
        this.pool = pool;
        this.settings = settings;
        this.validator = new KeyValidator(loop, upstream, pool, apiVersion, settings.validationConcurrency(),
                settings.validationTimeout(), clock);
    }

    public KeyValidator validator() {
        return validator;
    }

    public synchronized void start() {
        if (!settings.skipStartupCheck() && pool.size() > 0) {
            validator.validateAllInBackground();
        }
        Duration tick = settings.revalidateInterval().compareTo(RECHECK_TICK) < 0 ? settings.revalidateInterval() : RECHECK_TICK;
        validator.startPeriodicRevalidation(tick);
        long every = settings.usageReportInterval().toMillis();
        if (every > 0) {
            report = loop.scheduleAtFixedRate(this::report, every, every, TimeUnit.MILLISECONDS);
        }
    }

    /** Logs the usage report, one line per model, when anything was called in the last 24 h. */
    void report() {
        UsageStats stats = pool.stats();
        if (stats.last24h().calls() == 0) {
            return;
        }
        for (String line : stats.report().split("\n")) {
            usageLog.info(line);
        }
    }

    @Override
    public synchronized void close() {
        if (report != null) {
            report.cancel(false);
        }
        validator.close();
    }
}
