package gemgate.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    private static final String KEY_A = "AIza" + "SyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    private static final String KEY_B = "AIza" + "SyBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";
    private static final String KEY_C = "AIza" + "SyCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC";

    @TempDir
    Path tmp;

    /** Every test runs with storage in a temp dir and a password, unless it says otherwise. */
    private Map<String, String> env(String... kv) {
        Map<String, String> m = new HashMap<>();
        m.put("STORAGE_DIR", tmp.resolve("data").toString());
        m.put("PASSWORD", "secret-pass");
        for (int i = 0; i < kv.length; i += 2) {
            if (kv[i + 1] == null) {
                m.remove(kv[i]);
            } else {
                m.put(kv[i], kv[i + 1]);
            }
        }
        return m;
    }

    private Settings load(String... kv) {
        return ConfigLoader.load(null, env(kv), new Properties());
    }

    private Path file(String content) throws IOException {
        Path f = tmp.resolve("application.conf");
        Files.writeString(f, content, StandardCharsets.UTF_8);
        return f;
    }

    @Test
    void defaultsComeFromReferenceConf() {
        Settings s = load();
        assertThat(s.server().host()).isEqualTo("0.0.0.0");
        assertThat(s.server().port()).isEqualTo(7860);
        assertThat(s.server().maxRequestBody()).isEqualTo(20L << 20);
        assertThat(s.server().maxHeaderSize()).isEqualTo(16 << 10);
        assertThat(s.server().maxInitialLine()).isEqualTo(8 << 10);
        assertThat(s.server().idleTimeout()).isEqualTo(Duration.ofSeconds(300));
        assertThat(s.server().ioThreads()).isZero();
        assertThat(s.server().nativeTransport()).isFalse();
        assertThat(s.server().trustedProxies().contains(new byte[] {127, 0, 0, 9})).isTrue();
        assertThat(s.server().trustedProxies().contains(new byte[] {10, 0, 0, 1})).isFalse();
        assertThat(s.server().allowedOrigins()).isEmpty();
        assertThat(s.auth().maxFailuresBeforeSlowdown()).isEqualTo(5);
        assertThat(s.keys().geminiApiKeys()).isEmpty();
        assertThat(s.upstream().baseUrl()).isEqualTo(URI.create("https://generativelanguage.googleapis.com"));
        assertThat(s.upstream().apiVersion()).isEqualTo("v1beta");
        assertThat(s.upstream().connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.upstream().firstByteTimeout()).isEqualTo(Duration.ofSeconds(600));
        assertThat(s.upstream().idleTimeout()).isEqualTo(Duration.ofSeconds(300));
        assertThat(s.upstream().maxResponseBody()).isEqualTo(64L << 20);
        assertThat(s.upstream().maxSseEvent()).isEqualTo(8 << 20);
        assertThat(s.upstream().poolMaxConnections()).isEqualTo(4096);
        assertThat(s.upstream().poolMaxPendingAcquires()).isEqualTo(4096);
        assertThat(s.upstream().poolIdleTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(s.upstream().proxy()).isNull();
        assertThat(s.upstream().noProxy()).isEmpty();
        assertThat(s.streaming().fakeStreaming()).isTrue();
        assertThat(s.streaming().keepaliveInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(s.retry()).isEqualTo(new Settings.Retry(15, 5));
        assertThat(s.rateLimit()).isEqualTo(new Settings.RateLimit(30, 600, 100000));
        assertThat(s.models().whitelist()).isEmpty();
        assertThat(s.models().blocked()).isEmpty();
        assertThat(s.models().refreshInterval()).isEqualTo(Duration.ofHours(1));
        assertThat(s.storage().enabled()).isTrue();
        assertThat(s.log().debug()).isFalse();
    }

    @Test
    void storageDirDefaultsToDataRelativeToWorkingDir() {
        Settings s = ConfigLoader.load(null, Map.of("PASSWORD", "x"), new Properties());
        assertThat(s.storage().dir()).isEqualTo(Path.of("data"));
    }

    @Test
    void everyHajimiEnvNameOverrides() {
        Settings s = load(
                "HOST", "127.0.0.1", "PORT", "8000", "MAX_REQUEST_BODY", "5MiB",
                "TRUSTED_PROXIES", "10.0.0.0/8, 192.168.1.1", "ALLOWED_ORIGINS", "https://a.example https://b.example",
                "PASSWORD", "pw", "GEMINI_API_KEYS", KEY_A, "GEMINI_BASE_URL", "http://127.0.0.1:9999/",
                "CONNECT_TIMEOUT", "3", "FIRST_BYTE_TIMEOUT", "120", "STREAM_IDLE_TIMEOUT", "2m",
                "FAKE_STREAMING", "false", "FAKE_STREAMING_INTERVAL", "1.5", "MAX_RETRY_NUM", "3",
                "MAX_EMPTY_RESPONSES", "0", "MAX_REQUESTS_PER_MINUTE", "0", "MAX_REQUESTS_PER_DAY_PER_IP", "10",
                "WHITELIST_MODELS", "gemini-2.5-pro,gemini-2.5-flash", "BLOCKED_MODELS", "x\ny",
                "ENABLE_STORAGE", "no", "DEBUG", "1");
        assertThat(s.server().host()).isEqualTo("127.0.0.1");
        assertThat(s.server().port()).isEqualTo(8000);
        assertThat(s.server().maxRequestBody()).isEqualTo(5L << 20);
        assertThat(s.server().trustedProxies().contains(new byte[] {10, 1, 2, 3})).isTrue();
        assertThat(s.server().trustedProxies().contains(new byte[] {127, 0, 0, 1})).isFalse();
        assertThat(s.server().allowedOrigins()).containsExactly("https://a.example", "https://b.example");
        assertThat(s.auth().password()).isEqualTo("pw");
        assertThat(s.auth().passwordGenerated()).isFalse();
        assertThat(s.keys().geminiApiKeys()).containsExactly(KEY_A);
        assertThat(s.upstream().baseUrl()).as("trailing slash removed").isEqualTo(URI.create("http://127.0.0.1:9999"));
        assertThat(s.upstream().connectTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(s.upstream().firstByteTimeout()).isEqualTo(Duration.ofSeconds(120));
        assertThat(s.upstream().idleTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(s.streaming().fakeStreaming()).isFalse();
        assertThat(s.streaming().keepaliveInterval()).isEqualTo(Duration.ofMillis(1500));
        assertThat(s.retry()).isEqualTo(new Settings.Retry(3, 0));
        assertThat(s.rateLimit().perMinute()).isZero();
        assertThat(s.rateLimit().perDay()).isEqualTo(10);
        assertThat(s.models().whitelist()).containsExactly("gemini-2.5-pro", "gemini-2.5-flash");
        assertThat(s.models().blocked()).containsExactly("x", "y");
        assertThat(s.storage().enabled()).isFalse();
        assertThat(s.storage().dir()).isEqualTo(tmp.resolve("data"));
        assertThat(s.log().debug()).isTrue();
    }

    @Test
    void blankEnvValuesCountAsUnset() {
        Settings s = load("PORT", "", "FAKE_STREAMING", "  ");
        assertThat(s.server().port()).isEqualTo(7860);
        assertThat(s.streaming().fakeStreaming()).isTrue();
    }

    @Test
    void precedenceIsSystemPropertyThenEnvThenFileThenReference() throws IOException {
        Path f = file("gemgate.server.port = 1111\ngemgate.server.host = \"10.0.0.1\"\n"
                + "gemgate.retry.max-retry-num = 7\ngemgate.log.debug = true\n");
        Properties sys = new Properties();
        sys.setProperty("gemgate.server.port", "3333");
        sys.setProperty("unrelated.property", "ignored");

        Settings fileOnly = ConfigLoader.load(f, env(), new Properties());
        assertThat(fileOnly.server().port()).as("file beats reference").isEqualTo(1111);

        Settings s = ConfigLoader.load(f, env("PORT", "2222", "HOST", "::"), sys);
        assertThat(s.server().port()).as("system property beats env").isEqualTo(3333);
        assertThat(s.server().host()).as("env beats file").isEqualTo("::");
        assertThat(s.retry().maxRetryNum()).as("file beats reference").isEqualTo(7);
        assertThat(s.log().debug()).isTrue();
        assertThat(s.rateLimit().perMinute()).as("reference fills the rest").isEqualTo(30);
    }

    @Test
    void externalFileComesFromGemgateConfigEnvAndMayUseOptionalSubstitutions() throws IOException {
        Path f = file("gemgate {\n server { port = 4444, port = ${?MY_PORT} }\n"
                + " keys.gemini-api-keys = [\"" + KEY_A + "\", \"" + KEY_B + "\"]\n}\n");
        Settings s = ConfigLoader.load(null, env("GEMGATE_CONFIG", f.toString()), new Properties());
        assertThat(s.server().port()).isEqualTo(4444);
        assertThat(s.keys().geminiApiKeys()).as("a real HOCON list works in the file").containsExactly(KEY_A, KEY_B);
        Settings withVar = ConfigLoader.load(f, env("MY_PORT", "5555"), new Properties());
        assertThat(withVar.server().port()).isEqualTo(5555);
    }

    @Test
    void missingExternalFileIsAnError() {
        Path missing = tmp.resolve("nope.conf");
        assertThatThrownBy(() -> ConfigLoader.load(missing, env(), new Properties()))
                .isInstanceOf(ConfigError.class).hasMessageContaining("nope.conf").hasMessageContaining("does not exist");
    }

    @Test
    void malformedExternalFileIsAConfigError() throws IOException {
        Path f = file("gemgate { server { port = \n");
        assertThatThrownBy(() -> ConfigLoader.load(f, env(), new Properties()))
                .isInstanceOf(ConfigError.class).hasMessageContaining("application.conf");
    }

    @Test
    void unknownKeyInExternalFileIsNamed() throws IOException {
        Path f = file("gemgate.server.prot = 8080\nother.app.setting = 1\n");
        assertThatThrownBy(() -> ConfigLoader.load(f, env(), new Properties()))
                .isInstanceOf(ConfigError.class)
                .hasMessageContaining("gemgate.server.prot")
                .hasMessageContaining("port");
    }

    @Test
    void unknownSectionAndScalarInPlaceOfSectionAreRejected() throws IOException {
        Path f = file("gemgate.sever.port = 8080\n");
        assertThatThrownBy(() -> ConfigLoader.load(f, env(), new Properties()))
                .isInstanceOf(ConfigError.class).hasMessageContaining("gemgate.sever.port");
        Path g = file("gemgate.server = 8080\n");
        assertThatThrownBy(() -> ConfigLoader.load(g, env(), new Properties()))
                .isInstanceOf(ConfigError.class).hasMessageContaining("gemgate.server");
    }

    @Test
    void unknownSystemPropertyUnderGemgateIsRejected() {
        Properties sys = new Properties();
        sys.setProperty("gemgate.retry.max-retries", "3");
        assertThatThrownBy(() -> ConfigLoader.load(null, env(), sys))
                .isInstanceOf(ConfigError.class).hasMessageContaining("gemgate.retry.max-retries");
    }

    @Test
    void badValuesNameTheSettingByEnvNameAndPathAndSayWhatWasExpected() {
        assertThatThrownBy(() -> load("PORT", "abc")).isInstanceOf(ConfigError.class)
                .hasMessage("PORT (gemgate.server.port): expected a port number 1-65535 (0 = any free port), got \"abc\"");
        assertThatThrownBy(() -> load("PORT", "70000")).hasMessageContaining("PORT (gemgate.server.port)");
        assertThatThrownBy(() -> load("MAX_RETRY_NUM", "-1"))
                .hasMessageContaining("MAX_RETRY_NUM (gemgate.retry.max-retry-num)").hasMessageContaining(">= 1");
        assertThatThrownBy(() -> load("MAX_RETRY_NUM", "0")).hasMessageContaining("MAX_RETRY_NUM");
        assertThatThrownBy(() -> load("GEMINI_BASE_URL", "ftp://x"))
                .hasMessageContaining("GEMINI_BASE_URL (gemgate.upstream.base-url)").hasMessageContaining("https://");
        assertThatThrownBy(() -> load("GEMINI_BASE_URL", "not a url"))
                .hasMessageContaining("GEMINI_BASE_URL (gemgate.upstream.base-url)");
        assertThatThrownBy(() -> load("TRUSTED_PROXIES", "10.0.0.0/8,nginx.local"))
                .hasMessageContaining("TRUSTED_PROXIES (gemgate.server.trusted-proxies)")
                .hasMessageContaining("nginx.local");
        assertThatThrownBy(() -> load("DEBUG", "maybe"))
                .hasMessage("DEBUG (gemgate.log.debug): expected a boolean (true/false, yes/no, on/off, 1/0), got \"maybe\"");
        assertThatThrownBy(() -> load("FAKE_STREAMING_INTERVAL", "0"))
                .hasMessageContaining("FAKE_STREAMING_INTERVAL (gemgate.streaming.keepalive-interval)")
                .hasMessageContaining("positive duration");
        assertThatThrownBy(() -> load("CONNECT_TIMEOUT", "soon")).hasMessageContaining("CONNECT_TIMEOUT");
        assertThatThrownBy(() -> load("MAX_REQUEST_BODY", "lots"))
                .hasMessageContaining("MAX_REQUEST_BODY (gemgate.server.max-request-body)").hasMessageContaining("20MiB");
        assertThatThrownBy(() -> load("MAX_REQUESTS_PER_MINUTE", "-5"))
                .hasMessageContaining("MAX_REQUESTS_PER_MINUTE (gemgate.rate-limit.per-minute)");
    }

    @Test
    void badValueInFileStillNamesBothEnvAndPath() throws IOException {
        Path f = file("gemgate.server.port = \"abc\"\ngemgate.server.io-threads = -1\n");
        assertThatThrownBy(() -> ConfigLoader.load(f, env(), new Properties()))
                .hasMessageContaining("PORT (gemgate.server.port)");
        Path g = file("gemgate.server.io-threads = -1\n");
        assertThatThrownBy(() -> ConfigLoader.load(g, env(), new Properties()))
                .as("a setting without an env name is named by its path")
                .hasMessageStartingWith("gemgate.server.io-threads: expected");
    }

    @Test
    void keysSplitOnCommasWhitespaceAndNewlinesWithDuplicatesDroppedInOrder() {
        Settings s = load("GEMINI_API_KEYS", " " + KEY_B + ",\n" + KEY_A + "  " + KEY_B + "\r\n\t" + KEY_C + ",,");
        assertThat(s.keys().geminiApiKeys()).containsExactly(KEY_B, KEY_A, KEY_C);
    }

    @Test
    void hajimiKeyBatchesAreReadInOrderUntilTheFirstMissingIndex() {
        Settings s = load("GEMINI_API_KEYS", KEY_A, "GEMINI_API_KEYS_1", KEY_B, "GEMINI_API_KEYS_2", KEY_A + "," + KEY_C,
                "GEMINI_API_KEYS_4", "AIza" + "SyNOTREADNOTREADNOTREADNOTREADNOTRE");
        assertThat(s.keys().geminiApiKeys()).containsExactly(KEY_A, KEY_B, KEY_C);

        Settings batchesOnly = load("GEMINI_API_KEYS_1", KEY_C);
        assertThat(batchesOnly.keys().geminiApiKeys()).containsExactly(KEY_C);
    }

    @Test
    void emptyKeysAreAllowed() {
        assertThat(load("GEMINI_API_KEYS", "").keys().geminiApiKeys()).isEmpty();
    }

    @Test
    void booleansAreLenientLikeHajimi() {
        for (String t : List.of("true", "TRUE", "1", "yes", "Yes", "on", "ON")) {
            assertThat(load("DEBUG", t).log().debug()).as(t).isTrue();
        }
        for (String f : List.of("false", "False", "0", "no", "NO", "off")) {
            assertThat(load("FAKE_STREAMING", f).streaming().fakeStreaming()).as(f).isFalse();
        }
    }

    @Test
    void secondsAcceptPlainNumbersAndDurationStrings() {
        assertThat(load("FAKE_STREAMING_INTERVAL", "1.5").streaming().keepaliveInterval()).isEqualTo(Duration.ofMillis(1500));
        assertThat(load("FAKE_STREAMING_INTERVAL", "2").streaming().keepaliveInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(load("FAKE_STREAMING_INTERVAL", "500ms").streaming().keepaliveInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(load("FIRST_BYTE_TIMEOUT", "90s").upstream().firstByteTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(load("FIRST_BYTE_TIMEOUT", "5m").upstream().firstByteTimeout()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void secondsInTheFileAreSecondsNotMilliseconds() throws IOException {
        Path f = file("gemgate.server.idle-timeout = 2.5\ngemgate.models.refresh-interval = 10m\n");
        Settings s = ConfigLoader.load(f, env(), new Properties());
        assertThat(s.server().idleTimeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(s.models().refreshInterval()).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void sizesAcceptBytesAndUnits() {
        assertThat(load("MAX_REQUEST_BODY", "20m").server().maxRequestBody()).isEqualTo(20L << 20);
        assertThat(load("MAX_REQUEST_BODY", "20MiB").server().maxRequestBody()).isEqualTo(20L << 20);
        assertThat(load("MAX_REQUEST_BODY", "1048576").server().maxRequestBody()).isEqualTo(1L << 20);
        assertThat(load("MAX_REQUEST_BODY", "512k").server().maxRequestBody()).isEqualTo(512L << 10);
    }

    @Test
    void passwordQuotesAreStrippedLikeHajimi() {
        assertThat(load("PASSWORD", "\"quoted\"").auth().password()).isEqualTo("quoted");
    }

    @Test
    void generatedPasswordIsStrongPersistedOwnerOnlyAndStableAcrossLoads() throws IOException {
        Settings first = load("PASSWORD", null);
        Settings.Auth auth = first.auth();
        assertThat(auth.passwordGenerated()).isTrue();
        assertThat(auth.password()).as("strong and URL-safe").hasSizeGreaterThanOrEqualTo(24).matches("[A-Za-z0-9_-]+");
        assertThat(auth.password()).isNotEqualTo("123");
        Path file = tmp.resolve("data").resolve("password");
        assertThat(auth.passwordFile()).isEqualTo(file);
        assertThat(Files.readString(file).trim()).isEqualTo(auth.password());
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        }
        try (var listing = Files.list(tmp.resolve("data"))) {
            assertThat(listing.map(p -> p.getFileName().toString())).as("no temp file left behind").containsExactly("password");
        }
        assertThat(auth.generatedNotice()).anyMatch(l -> l.contains(auth.password()))
                .anyMatch(l -> l.contains("PASSWORD"));

        Settings second = load("PASSWORD", "");
        assertThat(second.auth().password()).as("survives restarts").isEqualTo(auth.password());
        assertThat(second.auth().passwordGenerated()).isTrue();
    }

    @Test
    void generatedPasswordIsNotPersistedWhenStorageIsOff() {
        Settings s = load("PASSWORD", null, "ENABLE_STORAGE", "false");
        assertThat(s.auth().passwordGenerated()).isTrue();
        assertThat(s.auth().passwordFile()).isNull();
        assertThat(s.auth().password()).hasSizeGreaterThanOrEqualTo(24);
        assertThat(tmp.resolve("data")).doesNotExist();
        assertThat(s.auth().generatedNotice()).anyMatch(l -> l.contains("every start"));
        assertThat(load("PASSWORD", null, "ENABLE_STORAGE", "false").auth().password())
                .as("a new one per run").isNotEqualTo(s.auth().password());
    }

    @Test
    void setPasswordWritesNothing() {
        Settings s = load();
        assertThat(s.auth().passwordGenerated()).isFalse();
        assertThat(s.auth().passwordFile()).isNull();
        assertThat(s.auth().generatedNotice()).isEmpty();
        assertThat(tmp.resolve("data")).doesNotExist();
    }

    @Test
    void unwritableStorageDirFailsWithAHint() throws IOException {
        Path blocker = tmp.resolve("not-a-dir");
        Files.writeString(blocker, "x");
        assertThatThrownBy(() -> load("PASSWORD", null, "STORAGE_DIR", blocker.toString()))
                .isInstanceOf(ConfigError.class).hasMessageContaining("PASSWORD").hasMessageContaining("ENABLE_STORAGE");
    }

    @Test
    void proxyUrlWinsOverHttpsProxyWhichWinsOverAllProxy() {
        Settings all = load("all_proxy", "socks5://127.0.0.1:1080");
        assertThat(all.upstream().proxy()).isEqualTo(new ProxyConfig(ProxyConfig.Type.SOCKS5, "127.0.0.1", 1080, null, null));
        Settings allUpper = load("all_proxy", "socks5://a:1", "ALL_PROXY", "socks5h://b:2");
        assertThat(allUpper.upstream().proxy().host()).isEqualTo("b");
        Settings https = load("ALL_PROXY", "socks5://a:1", "https_proxy", "http://c:3");
        assertThat(https.upstream().proxy()).isEqualTo(new ProxyConfig(ProxyConfig.Type.HTTP, "c", 3, null, null));
        Settings httpsUpper = load("https_proxy", "http://c:3", "HTTPS_PROXY", "http://d:4");
        assertThat(httpsUpper.upstream().proxy().host()).isEqualTo("d");
        Settings explicit = load("HTTPS_PROXY", "http://d:4", "PROXY_URL", "http://us%40r:p%3Ass@e:5");
        assertThat(explicit.upstream().proxy()).isEqualTo(new ProxyConfig(ProxyConfig.Type.HTTP, "e", 5, "us@r", "p:ss"));
        assertThat(load("HTTPS_PROXY", "proxy.local:3128").upstream().proxy())
                .as("bare host:port is an HTTP proxy, like curl")
                .isEqualTo(new ProxyConfig(ProxyConfig.Type.HTTP, "proxy.local", 3128, null, null));
    }

    @Test
    void badProxyUrlIsNamedWithoutLeakingCredentials() {
        assertThatThrownBy(() -> load("PROXY_URL", "ftp://user:hunter2@host:21"))
                .isInstanceOf(ConfigError.class)
                .hasMessageContaining("PROXY_URL (gemgate.upstream.proxy-url)")
                .hasMessageContaining("socks5://")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> load("HTTPS_PROXY", "https://p:443"))
                .hasMessageContaining("HTTPS_PROXY (gemgate.upstream.proxy-url)");
    }

    @Test
    void noProxyDecidesWhetherTheUpstreamHostBypassesTheProxy() {
        Settings.Upstream u = load("PROXY_URL", "http://p:8080",
                "NO_PROXY", "localhost, .internal.example, googleapis.com:443, 10.0.0.0/8").upstream();
        assertThat(u.proxyFor("generativelanguage.googleapis.com")).as("parent domain entry covers subdomains").isEmpty();
        assertThat(u.proxyFor("googleapis.com")).isEmpty();
        assertThat(u.proxyFor("LOCALHOST")).isEmpty();
        assertThat(u.proxyFor("a.internal.example")).isEmpty();
        assertThat(u.proxyFor("internal.example")).as(".suffix matches subdomains only").isPresent();
        assertThat(u.proxyFor("10.1.2.3")).isEmpty();
        assertThat(u.proxyFor("11.1.2.3")).isPresent();
        assertThat(u.proxyFor("notgoogleapis.com")).isPresent();

        assertThat(load("PROXY_URL", "http://p:8080", "no_proxy", "*").upstream().proxyFor("anything")).isEmpty();
        assertThat(load().upstream().proxyFor("generativelanguage.googleapis.com")).as("no proxy configured").isEmpty();
    }

    @Test
    void webPasswordDefaultsToPasswordAndHasHajimisName() {
        Settings d = load("PASSWORD", "api-pass");
        assertThat(d.auth().admin().webPassword()).as("unset WEB_PASSWORD = PASSWORD, as in hajimi").isEqualTo("api-pass");
        assertThat(d.auth().admin().webPasswordSet()).isFalse();
        assertThat(d.auth().admin().sessionIdleTimeout()).isEqualTo(java.time.Duration.ofHours(12));
        assertThat(d.auth().admin().sessionMaxAge()).isEqualTo(java.time.Duration.ofDays(7));
        assertThat(d.auth().admin().maxSessions()).isEqualTo(32);
        assertThat(d.auth().admin().loginMaxFailures()).isEqualTo(10);
        assertThat(load("PASSWORD", "api-pass", "WEB_PASSWORD", "").auth().admin().webPassword())
                .as("WEB_PASSWORD= (empty, as in hajimi's .env sample) counts as unset instead of locking the admin out")
                .isEqualTo("api-pass");

        Settings s = load("PASSWORD", "api-pass", "WEB_PASSWORD", "\"admin-pass\"");
        assertThat(s.auth().admin().webPassword()).isEqualTo("admin-pass");
        assertThat(s.auth().admin().webPasswordSet()).isTrue();
        assertThat(String.join("\n", s.describe())).contains("gemgate.auth.web-password = (set)").doesNotContain("admin-pass");
        assertThat(s.toString()).doesNotContain("admin-pass");

        Settings gen = load("PASSWORD", null, "ENABLE_STORAGE", "false");
        assertThat(gen.auth().admin().webPassword()).as("a generated password is the admin password too")
                .isEqualTo(gen.auth().password());

        Properties sys = new Properties();
        sys.setProperty("gemgate.auth.session-idle-timeout", "2h");
        sys.setProperty("gemgate.auth.session-max-age", "1h");
        assertThatThrownBy(() -> ConfigLoader.load(null, env(), sys))
                .as("a session cannot end by age before it could end by idleness")
                .isInstanceOf(ConfigError.class).hasMessageContaining("session-max-age");
    }


    @Test
    void describeListsEverySettingAndNeverShowsSecrets() {
        Settings s = load("GEMINI_API_KEYS", KEY_A + "," + KEY_B, "PASSWORD", "super-secret-password",
                "PROXY_URL", "socks5://alice:wonderland@proxy:1080");
        List<String> lines = s.describe();
        String all = String.join("\n", lines);
        assertThat(lines).allMatch(l -> l.matches("gemgate\\.[a-z.-]+ = .*"));
        assertThat(lines).hasSizeGreaterThanOrEqualTo(38);
        assertThat(all).doesNotContain(KEY_A, KEY_B, "super-secret-password", "alice", "wonderland");
        assertThat(all).contains("gemgate.auth.password = (set)", "gemgate.server.port = 7860", "AIza…AAAA", "proxy:1080");
        assertThat(s.toString()).doesNotContain(KEY_A, KEY_B, "super-secret-password", "alice", "wonderland");

        Settings gen = load("PASSWORD", null);
        assertThat(String.join("\n", gen.describe())).contains("gemgate.auth.password = (generated)")
                .doesNotContain(gen.auth().password());
        assertThat(gen.toString()).doesNotContain(gen.auth().password());
    }

    @Test
    void envNameMappingIsReadFromTheOneMappingFile() throws IOException {
        Map<String, List<String>> names = ConfigLoader.envNamesByPath();
        assertThat(names.get("gemgate.server.port")).containsExactly("PORT");
        assertThat(names.get("gemgate.upstream.proxy-url"))
                .containsExactly("PROXY_URL", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy");
        com.typesafe.config.Config reference = com.typesafe.config.ConfigFactory.parseResources("reference.conf");
        assertThat(names.keySet()).as("every mapped path has a default in reference.conf")
                .allMatch(reference::hasPath);
        String mapping;
        try (var in = getClass().getClassLoader().getResourceAsStream("gemgate-env.conf")) {
            mapping = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        long substitutions = mapping.lines().filter(l -> l.contains("${?")).count();
        assertThat(names.values().stream().mapToInt(List::size).sum())
                .as("error labels know every env name in the mapping file").isEqualTo((int) substitutions);
    }

    @Test
    void exampleFileAtTheRepoRootNamesOnlyRealSettings() throws IOException {
        Path example = Path.of("..", "config", "application.conf.example");
        assertThat(example).as("run from the proxy-core module directory").exists();
        assertThat(ConfigLoader.load(example, env(), new Properties()).server().port()).isEqualTo(7860);

        // Uncomment every "# name = value" line: each must be a known setting holding its documented default.
        StringBuilder uncommented = new StringBuilder();
        boolean inList = false;
        for (String line : Files.readAllLines(example)) {
            String t = line.strip();
            boolean setting = t.matches("#\\s*[a-z-]+\\s*=.*");
            if (setting || inList) {
                String code = t.substring(1).strip();
                inList = code.endsWith("[") || (inList && !code.startsWith("]"));
                uncommented.append(code.replaceAll("\\s+#.*$", "")).append('\n');
            } else {
                uncommented.append(line).append('\n');
            }
        }
        assertThat(uncommented.toString()).contains("max-sse-event = 8MiB", "pool-idle-timeout = 60", "debug = false");
        Path all = tmp.resolve("all.conf");
        Files.writeString(all, uncommented.toString().replace("\"AIza...first\",", "").replace("\"AIza...second\"", ""));
        Settings s = ConfigLoader.load(all, env(), new Properties());
        assertThat(s.describe()).as("the example shows the defaults")
                .isEqualTo(ConfigLoader.load(null, env(), new Properties()).describe());
    }

    @Test
    void chatSettingsHaveDefaultsAndHajimiNames() {
        Settings.Chat d = load().chat();
        assertThat(d.disableSafetyFiltering()).as("safety relaxed by default, as before").isTrue();
        assertThat(d.enableThinking()).isTrue();
        assertThat(d.thoughtDisplay()).isEqualTo("REASONING_CONTENT");
        assertThat(d.searchMode()).isFalse();
        assertThat(d.randomString()).as("hajimi's disguise is off by default here").isFalse();
        assertThat(d.randomStringLength()).isEqualTo(5);
        assertThat(d.searchPrompt()).isNotEmpty();

        Settings.Chat c = load("DISABLE_SAFETY_FILTERING", "false", "SAFETY_THRESHOLDS", "dangerous_content=block_only_high, HARM_CATEGORY_HARASSMENT=OFF",
                "ENABLE_THINKING", "0", "THOUGHT_DISPLAY", "think-tags", "SEARCH_MODE", "yes", "SEARCH_PROMPT", "search!",
                "RANDOM_STRING", "true", "RANDOM_STRING_LENGTH", "8").chat();
        assertThat(c.disableSafetyFiltering()).isFalse();
        assertThat(c.safetyThresholds()).containsExactlyInAnyOrderEntriesOf(java.util.Map.of(
                "HARM_CATEGORY_DANGEROUS_CONTENT", "BLOCK_ONLY_HIGH", "HARM_CATEGORY_HARASSMENT", "OFF"));
        assertThat(c.enableThinking()).isFalse();
        assertThat(c.thoughtDisplay()).isEqualTo("THINK_TAGS");
        assertThat(c.searchMode()).isTrue();
        assertThat(c.searchPrompt()).isEqualTo("search!");
        assertThat(c.randomString()).isTrue();
        assertThat(c.randomStringLength()).isEqualTo(8);
    }

    @Test
    void badChatSettingsFailStartup() {
        assertThatThrownBy(() -> load("SAFETY_THRESHOLDS", "VIOLENCE=OFF")).isInstanceOf(ConfigError.class)
                .hasMessageContaining("gemgate.chat.safety-thresholds");
        assertThatThrownBy(() -> load("SAFETY_THRESHOLDS", "HARASSMENT=SOMETIMES")).isInstanceOf(ConfigError.class);
        assertThatThrownBy(() -> load("THOUGHT_DISPLAY", "loud")).isInstanceOf(ConfigError.class)
                .hasMessageContaining("gemgate.chat.thought-display");
        assertThatThrownBy(() -> load("RANDOM_STRING_LENGTH", "0")).isInstanceOf(ConfigError.class);
    }

    @Test
    void operationsSettingsHaveDefaultsAndHajimiNames() {
        Settings d = load();
        assertThat(d.log().file()).as("console only unless LOG_FILE is set").isNull();
        assertThat(d.log().access()).isTrue();
        assertThat(d.log().maxFileSize()).isEqualTo(10L << 20);
        assertThat(d.log().maxHistory()).isEqualTo(7);
        assertThat(d.metrics().requirePassword()).as("metrics are private by default").isTrue();
        assertThat(d.server().shutdownGrace()).isEqualTo(java.time.Duration.ofSeconds(30));

        Settings s = load("LOG_FILE", "/var/log/gemgate/gemgate.log", "MAX_LOG_SIZE", "5MiB", "MAX_LOG_BACKUPS", "3",
                "LOG_TOTAL_SIZE_CAP", "50m", "ACCESS_LOG", "no", "METRICS_REQUIRE_PASSWORD", "false", "SHUTDOWN_GRACE", "2.5");
        assertThat(s.log().file()).isEqualTo(Path.of("/var/log/gemgate/gemgate.log"));
        assertThat(s.log().maxFileSize()).isEqualTo(5L << 20);
        assertThat(s.log().maxHistory()).isEqualTo(3);
        assertThat(s.log().totalSizeCap()).isEqualTo(50L << 20);
        assertThat(s.log().access()).isFalse();
        assertThat(s.metrics().requirePassword()).isFalse();
        assertThat(s.server().shutdownGrace()).isEqualTo(java.time.Duration.ofMillis(2500));
    }

    @Test
    void concurrencyAndCacheHaveHajimiDefaultsAndNames() {
        Settings d = load();
        assertThat(d.concurrency()).as("one key at a time unless asked: today's behaviour")
                .isEqualTo(new Settings.Concurrency(1, 0, 3));
        assertThat(d.cache()).isEqualTo(new Settings.Cache(Duration.ofHours(6), 500, 32L << 20, 6, false, false));

        Settings s = load("CONCURRENT_REQUESTS", "3", "INCREASE_CONCURRENT_ON_FAILURE", "1", "MAX_CONCURRENT_REQUESTS", "5",
                "CACHE_EXPIRY_TIME", "600", "MAX_CACHE_ENTRIES", "0", "CACHE_MAX_BYTES", "1MiB",
                "CALCULATE_CACHE_ENTRIES", "2", "PRECISE_CACHE", "true", "CACHE_SHARE_ACROSS_CLIENTS", "yes");
        assertThat(s.concurrency()).isEqualTo(new Settings.Concurrency(3, 1, 5));
        assertThat(s.cache()).isEqualTo(new Settings.Cache(Duration.ofMinutes(10), 0, 1L << 20, 2, true, true));
        assertThat(String.join("\n", s.describe())).contains("gemgate.cache.max-entries = 0 (off)",
                "gemgate.concurrency.concurrent-requests = 3");

        assertThatThrownBy(() -> load("CONCURRENT_REQUESTS", "0")).isInstanceOf(ConfigError.class)
                .hasMessageContaining("CONCURRENT_REQUESTS");
        assertThatThrownBy(() -> load("CALCULATE_CACHE_ENTRIES", "0")).isInstanceOf(ConfigError.class)
                .hasMessageContaining("CALCULATE_CACHE_ENTRIES");
        assertThatThrownBy(() -> load("CACHE_EXPIRY_TIME", "0")).isInstanceOf(ConfigError.class)
                .hasMessageContaining("CACHE_EXPIRY_TIME");
    }

    @Test
    void aLogSizeWithoutUnitThatIsTooSmallFailsAtStartNamingTheVariable() {
        assertThatThrownBy(() -> load("MAX_LOG_SIZE", "10"))
                .as("a bare 10 (meant as MB?) must not produce 10-byte log files")
                .isInstanceOf(ConfigError.class).hasMessageContaining("MAX_LOG_SIZE").hasMessageContaining("64KiB");
        assertThatThrownBy(() -> load("MAX_LOG_BACKUPS", "0")).isInstanceOf(ConfigError.class)
                .hasMessageContaining("MAX_LOG_BACKUPS");
    }
}
