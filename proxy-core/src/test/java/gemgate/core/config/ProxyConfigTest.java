package gemgate.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ProxyConfigTest {
    @Test
    void parsesSchemesDefaultsAndCredentials() {
        assertThat(ProxyUrl.parse("")).isNull();
        assertThat(ProxyUrl.parse("http://proxy")).isEqualTo(new ProxyConfig(ProxyConfig.Type.HTTP, "proxy", 80, null, null));
        assertThat(ProxyUrl.parse("socks5h://proxy")).isEqualTo(new ProxyConfig(ProxyConfig.Type.SOCKS5, "proxy", 1080, null, null));
        assertThat(ProxyUrl.parse("SOCKS5://u:p@[::1]:9050/"))
                .isEqualTo(new ProxyConfig(ProxyConfig.Type.SOCKS5, "::1", 9050, "u", "p"));
        assertThat(ProxyUrl.parse("http://onlyuser@h:1")).isEqualTo(new ProxyConfig(ProxyConfig.Type.HTTP, "h", 1, "onlyuser", null));
    }

    @Test
    void rejectsWhatCannotBeUsed() {
        assertThatThrownBy(() -> ProxyUrl.parse("https://h:443")).hasMessageContaining("https");
        assertThatThrownBy(() -> ProxyUrl.parse("http://h:1/path")).hasMessageContaining("path");
        assertThatThrownBy(() -> ProxyUrl.parse("http://:8080")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ProxyUrl.parse("http://h h:1")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void toStringHidesCredentials() {
        ProxyConfig p = new ProxyConfig(ProxyConfig.Type.SOCKS5, "::1", 1080, "alice", "wonderland");
        assertThat(p.toString()).isEqualTo("socks5://(credentials hidden)@[::1]:1080").doesNotContain("alice", "wonderland");
        assertThat(new ProxyConfig(ProxyConfig.Type.HTTP, "h", 3128, null, null)).hasToString("http://h:3128");
    }

    @Test
    void noProxyMatchesIpv6AndTrailingDotHosts() {
        assertThat(Settings.Upstream.bypasses(List.of("::1"), "[::1]")).isTrue();
        assertThat(Settings.Upstream.bypasses(List.of("[::1]:443"), "::1")).isTrue();
        assertThat(Settings.Upstream.bypasses(List.of("fd00::/8"), "fd12::5")).isTrue();
        assertThat(Settings.Upstream.bypasses(List.of("example.com"), "api.example.com.")).isTrue();
        assertThat(Settings.Upstream.bypasses(List.of("*.example.com"), "api.example.com")).isTrue();
        assertThat(Settings.Upstream.bypasses(List.of("10.0.0.0/8"), "ten.example")).isFalse();
        assertThat(Settings.Upstream.bypasses(List.of(), "example.com")).isFalse();
    }

    @Test
    void describeFormatsSizesAndSeconds() {
        assertThat(Settings.size(20L << 20)).isEqualTo("20MiB");
        assertThat(Settings.size(16 << 10)).isEqualTo("16KiB");
        assertThat(Settings.size(1000)).isEqualTo("1000B");
        assertThat(Settings.seconds(java.time.Duration.ofMillis(1500))).isEqualTo("1.5s");
        assertThat(Settings.seconds(java.time.Duration.ofSeconds(300))).isEqualTo("300s");
    }
}
