package gemgate.server.testutil;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails the test run on any Netty leak report. Registered for every test class through JUnit's extension
 * auto-detection (see junit-platform.properties); the appender is wired to Netty's ResourceLeakDetector logger in
 * logback-test.xml. Tests run with -Dio.netty.leakDetection.level=paranoid, so every buffer is tracked.
 */
public final class LeakGuard extends AppenderBase<ILoggingEvent> implements AfterAllCallback {
    private static final List<String> REPORTS = new CopyOnWriteArrayList<>();

    @Override
    protected void append(ILoggingEvent event) {
        String msg = event.getFormattedMessage();
        if (msg != null && msg.contains("LEAK")) {
            REPORTS.add(msg);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        provokeDetection();
        if (!REPORTS.isEmpty()) {
            String first = REPORTS.get(0);
            int n = REPORTS.size();
            REPORTS.clear();
            throw new AssertionError("Netty reported " + n + " buffer leak(s) during or before "
                    + context.getDisplayName() + "; every ByteBuf must be released. First report:\n" + first);
        }
    }

    /** Takes the reports recorded so far (for the guard's own test). */
    static List<String> drainReports() {
        List<String> out = List.copyOf(REPORTS);
        REPORTS.clear();
        return out;
    }

    /** Leaks are reported when the detector next tracks an allocation after the leaked buffer was collected. */
    public static void provokeDetection() {
        for (int round = 0; round < 3; round++) {
            System.gc();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            for (int i = 0; i < 64; i++) {
                ByteBuf a = PooledByteBufAllocator.DEFAULT.buffer(16);
                a.release();
                ByteBuf b = UnpooledByteBufAllocator.DEFAULT.buffer(16);
                b.release();
            }
        }
    }
}
