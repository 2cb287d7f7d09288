package gemgate.core.auth;

import static org.assertj.core.api.Assertions.assertThat;

import gemgate.core.keys.FakeClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {
    private final FakeClock clock = FakeClock.at("2026-05-01T12:00:00Z");

    @Test
    void freeThenGrowingDelaysThenLockedOut() {
        LoginThrottle t = new LoginThrottle(2, 6, 100, clock);
        assertThat(t.onFailure("a")).isZero();
        assertThat(t.onFailure("a")).isZero();
        assertThat(t.lockedForSeconds("a")).isZero();
        assertThat(t.onFailure("a")).isEqualTo(Duration.ofSeconds(1));
        assertThat(t.onFailure("a")).isEqualTo(Duration.ofSeconds(2));
        assertThat(t.onFailure("a")).isEqualTo(Duration.ofSeconds(4));
        assertThat(t.lockedForSeconds("a")).as("not locked before the limit").isZero();
        t.onFailure("a");
        assertThat(t.lockedForSeconds("a")).as("locked for the window after the 6th failure").isEqualTo(15 * 60);
        assertThat(t.lockedForSeconds("b")).as("per address").isZero();
        clock.advance(Duration.ofMinutes(10));
        assertThat(t.lockedForSeconds("a")).isEqualTo(5 * 60);
        clock.advance(Duration.ofMinutes(5).minusMillis(1));
        assertThat(t.lockedForSeconds("a")).as("rounded up").isEqualTo(1);
        clock.advance(Duration.ofMillis(1));
        assertThat(t.lockedForSeconds("a")).as("unlocked 15 min after the last failure").isZero();
        assertThat(t.onFailure("a")).as("and its failures are forgotten").isZero();
        assertThat(t.totalFailures()).isEqualTo(7);
    }

    @Test
    void delayIsCapped() {
        LoginThrottle t = new LoginThrottle(0, 1000, 100, clock);
        for (int i = 0; i < 40; i++) {
            t.onFailure("a");
        }
        assertThat(t.onFailure("a")).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void successForgetsTheAddress() {
        LoginThrottle t = new LoginThrottle(0, 3, 100, clock);
        t.onFailure("a");
        t.onFailure("a");
        t.onSuccess("a");
        assertThat(t.failures("a")).isZero();
        assertThat(t.onFailure("a")).isEqualTo(Duration.ofSeconds(1));
        assertThat(t.lockedForSeconds("a")).isZero();
    }

    @Test
    void trackedAddressesAreBounded() {
        LoginThrottle t = new LoginThrottle(0, 3, 2, clock);
        t.onFailure("a");
        t.onFailure("b");
        t.onFailure("c");
        assertThat(t.trackedClients()).isEqualTo(2);
        assertThat(t.failures("a")).as("the least recently failing address went").isZero();
        assertThat(t.failures("c")).isEqualTo(1);
        assertThat(t.totalFailures()).isEqualTo(3);
    }
}
