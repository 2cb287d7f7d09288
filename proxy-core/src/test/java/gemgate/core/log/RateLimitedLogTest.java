package gemgate.core.log;

import static org.assertj.core.api.Assertions.assertThat;

import gemgate.core.keys.FakeClock;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

class RateLimitedLogTest {
    private final FakeClock clock = FakeClock.at("2025-01-01T00:00:00Z");
    private final List<List<Object>> lines = new ArrayList<>();

    /** A Logger that records warn(format, args...) calls; everything is enabled. */
    private Logger recorder() {
        return (Logger) Proxy.newProxyInstance(Logger.class.getClassLoader(), new Class<?>[] {Logger.class}, (p, m, a) -> {
            if (m.getName().equals("isWarnEnabled")) {
                return true;
            }
            if (m.getName().equals("warn")) {
                List<Object> call = new ArrayList<>();
                call.add(a[0]);
                if (a.length > 1 && a[1] instanceof Object[] varargs) {
                    call.addAll(Arrays.asList(varargs));
                }
                lines.add(call);
            }
            return null;
        });
    }

    @Test
    void oneLinePerKeyPerIntervalThenTheCountOfWhatWasDropped() {
        RateLimitedLog log = new RateLimitedLog(recorder(), Duration.ofSeconds(60), 100, clock);
        for (int i = 0; i < 50; i++) {
            log.warn("upstream", "Gemini failed: {}", "503");
            clock.advance(Duration.ofSeconds(1));
        }
        assertThat(lines).as("a burst within one interval is one line").hasSize(1);
        clock.advance(Duration.ofSeconds(10));
        log.warn("upstream", "Gemini failed: {}", "500");
        assertThat(lines).hasSize(2);
        assertThat(lines.get(1)).as("the next line counts what was dropped")
                .containsExactly("Gemini failed: {} ({} similar suppressed)", "500", 49);
    }

    @Test
    void keysAreIndependentAndAThrowableStaysLast() {
        RateLimitedLog log = new RateLimitedLog(recorder(), Duration.ofSeconds(60), 100, clock);
        RuntimeException boom = new RuntimeException("boom");
        log.warn("a", "x {}", 1, boom);
        log.warn("b", "y {}", 2);
        log.warn("a", "x {}", 3, boom);
        clock.advance(Duration.ofSeconds(61));
        log.warn("a", "x {}", 4, boom);
        assertThat(lines).hasSize(3);
        assertThat(lines.get(2)).as("slf4j treats only a trailing Throwable as the exception")
                .containsExactly("x {} ({} similar suppressed)", 4, 1, boom);
    }

    @Test
    void theKeyTableIsBounded() {
        RateLimitedLog log = new RateLimitedLog(recorder(), Duration.ofSeconds(60), 4, clock);
        for (int i = 0; i < 1000; i++) {
            log.warn("k" + i, "line");
        }
        assertThat(lines).as("distinct keys are not summarised, but memory stays bounded").hasSize(1000);
        assertThat(log.admit("k999")).as("recent keys are still tracked").isEqualTo(-1);
    }
}
