package gemgate.core.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A {@link StateStore.Scheduler} that only queues: the test runs the writer by hand, so no thread and no sleep. */
final class ManualScheduler implements StateStore.Scheduler {
    record Task(Runnable task, Duration delay) {}

    final List<Task> pending = new ArrayList<>();
    boolean shutdown;

    @Override
    public synchronized void schedule(Runnable task, Duration delay) {
        pending.add(new Task(task, delay));
    }

    @Override
    public synchronized void shutdown() {
        shutdown = true;
    }

    synchronized int pendingCount() {
        return pending.size();
    }

    /** Runs the tasks queued so far (not those they queue). */
    void runPending() {
        List<Task> now;
        synchronized (this) {
            now = new ArrayList<>(pending);
            pending.clear();
        }
        now.forEach(t -> t.task().run());
    }
}
