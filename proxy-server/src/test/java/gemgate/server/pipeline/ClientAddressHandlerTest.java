package gemgate.server.pipeline;

import static gemgate.server.pipeline.HandlerTestSupport.channel;
import static gemgate.server.pipeline.HandlerTestSupport.finish;
import static gemgate.server.pipeline.HandlerTestSupport.get;
import static org.assertj.core.api.Assertions.assertThat;

import gemgate.core.net.CidrSet;
import gemgate.server.http.Attrs;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpRequest;
import org.junit.jupiter.api.Test;

class ClientAddressHandlerTest {
    private static final CidrSet PROXIES = CidrSet.of("127.0.0.1", "10.0.0.0/8", "::1");

    private static String ipFor(String peer, CidrSet trusted, String... headers) {
        EmbeddedChannel ch = channel(peer, new ClientAddressHandler(trusted));
        try {
            HttpRequest req = get("/v1/models", headers);
            ch.writeInbound(req);
            assertThat((Object) ch.readInbound()).as("the request is passed on").isSameAs(req);
            return ch.attr(Attrs.CLIENT_IP).get();
        } finally {
            finish(ch);
        }
    }

    @Test
    void untrustedPeerIsTheClientWhateverItClaims() {
        assertThat(ipFor("203.0.113.9", PROXIES, "X-Forwarded-For", "1.1.1.1", "X-Real-IP", "2.2.2.2"))
                .isEqualTo("203.0.113.9");
        assertThat(ipFor("203.0.113.9", CidrSet.of(), "X-Forwarded-For", "1.1.1.1")).isEqualTo("203.0.113.9");
    }

    @Test
    void trustedPeerRightMostUntrustedForwardedHop() {
        assertThat(ipFor("127.0.0.1", PROXIES, "X-Forwarded-For", "6.6.6.6, 198.51.100.7, 10.1.2.3"))
                .as("the spoofable left part is ignored; trusted hops are skipped from the right").isEqualTo("198.51.100.7");
        assertThat(ipFor("127.0.0.1", PROXIES, "X-Forwarded-For", "6.6.6.6", "X-Forwarded-For", "198.51.100.7:5123"))
                .as("repeated headers are one list; ports are dropped").isEqualTo("198.51.100.7");
        assertThat(ipFor("::1", PROXIES, "X-Forwarded-For", "[2001:db8::1]:443")).isEqualTo("2001:db8:0:0:0:0:0:1");
    }

    @Test
    void garbageStopsTheWalk() {
        assertThat(ipFor("127.0.0.1", PROXIES, "X-Forwarded-For", "198.51.100.7, evil.example.com, 10.0.0.2"))
                .as("never resolve names; nothing left of garbage is believed").isEqualTo("10.0.0.2");
        assertThat(ipFor("127.0.0.1", PROXIES, "X-Forwarded-For", "unknown")).isEqualTo("127.0.0.1");
    }

    @Test
    void allTrustedMeansTheFurthestHop() {
        assertThat(ipFor("127.0.0.1", PROXIES, "X-Forwarded-For", "10.0.0.5, 10.0.0.6")).isEqualTo("10.0.0.5");
    }

    @Test
    void realIpWhenNoForwardedFor() {
        assertThat(ipFor("127.0.0.1", PROXIES, "X-Real-IP", "198.51.100.8")).isEqualTo("198.51.100.8");
        assertThat(ipFor("127.0.0.1", PROXIES, "X-Real-IP", "localhost")).isEqualTo("127.0.0.1");
        assertThat(ipFor("127.0.0.1", PROXIES)).isEqualTo("127.0.0.1");
    }

    @Test
    void setForEveryRequestOnTheConnection() {
        EmbeddedChannel ch = channel("127.0.0.1", new ClientAddressHandler(PROXIES));
        ch.writeInbound(get("/a", "X-Forwarded-For", "198.51.100.1"));
        assertThat(ch.attr(Attrs.CLIENT_IP).get()).isEqualTo("198.51.100.1");
        ch.writeInbound(get("/b", "X-Forwarded-For", "198.51.100.2"));
        assertThat(ch.attr(Attrs.CLIENT_IP).get()).isEqualTo("198.51.100.2");
        finish(ch);
    }
}
