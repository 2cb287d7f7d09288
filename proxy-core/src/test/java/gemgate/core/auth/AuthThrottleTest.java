package gemgate.core.auth;

import static org.assertj.core.api.Assertions.assertThat;

import gemgate.core.keys.FakeClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class AuthThrottleTest {
    private final FakeClock clock = FakeClock.at("2026-05-01T12:00:00Z");

    @Test
    void freeUpToThresholdThenDoublingToTheCap() {
        AuthThrottle t = new AuthThrottle(3, 100, clock);
        for (int i = 0; i < 3; i++) {
            assertThat(t.onFailure("a")).isZero();
        }
        assertThat(t.onFailure("a")).isEqualTo(Duration.ofMillis(250));
        assertThat(t.onFailure("a")).isEqualTo(Duration.ofMillis(500));
        assertThat(t.onFailure("a")).isEqualTo(Duration.ofSeconds(1));
        for (int i = 0; i < 50; i++) {
            t.onFailure("a");
        }
        assertThat(t.onFailure("a")).as("capped").isEqualTo(Duration.ofSeconds(10));
        assertThat(t.onFailure("b")).as("per client").isZero();
    }

    @Test
    void successAndTimeForgetFailures() {
        AuthThrottle t = new AuthThrottle(1, 100, clock);
        t.onFailure("a");
        assertThat(t.onFailure("a")).isPositive();
        t.onSuccess("a");
        assertThat(t.onFailure("a")).isZero();
        assertThat(t.onFailure("a")).isPositive();
        clock.advance(Duration.ofMinutes(15));
        assertThat(t.onFailure("a")).as("forgotten 15 min after the last failure").isZero();
    }

    @Test
    void boundedMap() {
        AuthThrottle t = new AuthThrottle(1, 10, clock);
        for (int i = 0; i < 1000; i++) {
            t.onFailure("ip" + i);
        }
        assertThat(t.trackedClients()).isEqualTo(10);
    }
}
