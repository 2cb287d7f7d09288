package gemgate.core.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gemgate.core.keys.FakeClock;
import java.lang.reflect.Field;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SessionsTest {
    private final FakeClock clock = FakeClock.at("2026-05-01T12:00:00Z");
    private final Sessions sessions = new Sessions(Duration.ofHours(12), Duration.ofDays(7), 3, clock, new SecureRandom());

    @Test
    void tokenIs256RandomBitsAndWorksUntilEnded() {
        Sessions.Login a = sessions.create();
        Sessions.Login b = sessions.create();
        assertThat(a.token()).as("32 bytes, base64url, no padding").matches("[A-Za-z0-9_-]{43}");
        assertThat(a.token()).as("every login gets its own token").isNotEqualTo(b.token());
        assertThat(sessions.use(a.token())).isNotNull();
        assertThat(sessions.use(a.token()).id()).isEqualTo(a.session().id()).hasSize(8);
        assertThat(sessions.end(a.token())).isTrue();
        assertThat(sessions.use(a.token())).as("logout ends the session").isNull();
        assertThat(sessions.end(a.token())).isFalse();
        assertThat(sessions.use(b.token())).as("other sessions live on").isNotNull();
    }

    @Test
    void unknownMalformedAndAlteredTokensAreRefused() {
        Sessions.Login a = sessions.create();
        char last = a.token().charAt(42);
        String altered = a.token().substring(0, 42) + (last == 'A' ? 'B' : 'A');
        assertThat(sessions.use(altered)).isNull();
        assertThat(sessions.use(null)).isNull();
        assertThat(sessions.use("")).isNull();
        assertThat(sessions.use(a.token() + "x")).isNull();
        assertThat(sessions.use(a.session().id())).as("the log id is not a credential").isNull();
    }

    @Test
    void idleTimeoutSlidesWithUseAndMaxAgeCapsIt() {
        Sessions.Login a = sessions.create();
        Sessions.Login idle = sessions.create();
        for (int i = 0; i < 15; i++) { // 15 x 11 h = 165 h < 7 d = 168 h; each use extends by 12 h
            clock.advance(Duration.ofHours(11));
            assertThat(sessions.use(a.token())).as("used every 11 h, alive after %d h", (i + 1) * 11).isNotNull();
        }
        assertThat(sessions.use(idle.token())).as("12 h without use ends a session").isNull();
        Sessions.Session s = sessions.use(a.token());
        assertThat(s.maxExpires()).isEqualTo(a.session().created().plus(Duration.ofDays(7)));
        assertThat(s.expires()).as("the earlier end: 7 d after login, not 12 h after this use").isEqualTo(s.maxExpires());
        clock.advance(Duration.ofHours(3));
        assertThat(sessions.use(a.token())).as("7 d after login it ends however active").isNull();
    }

    @Test
    void idleEndIsExactToTheMillisecond() {
        Sessions.Login a = sessions.create();
        clock.advance(Duration.ofHours(12).minusMillis(1));
        assertThat(sessions.use(a.token())).isNotNull();
        clock.advance(Duration.ofHours(12));
        assertThat(sessions.use(a.token())).isNull();
    }

    @Test
    void boundedLeastRecentlyUsedIsEvicted() {
        Sessions.Login a = sessions.create();
        Sessions.Login b = sessions.create();
        Sessions.Login c = sessions.create();
        sessions.use(a.token());
        Sessions.Login d = sessions.create();
        assertThat(sessions.open()).as("never more than maxSessions").isEqualTo(3);
        assertThat(sessions.use(b.token())).as("the least recently used one went").isNull();
        assertThat(sessions.use(a.token())).isNotNull();
        assertThat(sessions.use(c.token())).isNotNull();
        assertThat(sessions.use(d.token())).isNotNull();
    }

    @Test
    void expiredSessionsMakeRoomBeforeALiveOneIsEvicted() {
        Sessions.Login a = sessions.create();
        sessions.create();
        clock.advance(Duration.ofHours(13));
        Sessions.Login fresh = sessions.create();
        assertThat(sessions.open()).isEqualTo(1);
        assertThat(sessions.use(fresh.token())).isNotNull();
        assertThat(sessions.use(a.token())).isNull();
    }

    @Test
    void noTokenIsKeptInMemoryOrPrinted() throws Exception {
        Set<String> tokens = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            tokens.add(sessions.create().token());
        }
        Field f = Sessions.class.getDeclaredField("byHash");
        f.setAccessible(true);
        String heap = f.get(sessions).toString() + sessions;
        for (String t : tokens) {
            assertThat(heap).as("only hashes are stored").doesNotContain(t);
        }
        Sessions.Login l = sessions.create();
        assertThat(l.toString()).as("a Login printed by accident hides its token").doesNotContain(l.token());
    }

    @Test
    void argumentsAreChecked() {
        assertThatThrownBy(() -> new Sessions(Duration.ZERO, Duration.ofDays(1), 1, clock, new SecureRandom()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Sessions(Duration.ofHours(2), Duration.ofHours(1), 1, clock, new SecureRandom()))
                .hasMessageContaining("maxAge");
        assertThatThrownBy(() -> new Sessions(Duration.ofHours(1), Duration.ofHours(1), 0, clock, new SecureRandom()))
                .hasMessageContaining("maxSessions");
    }
}
