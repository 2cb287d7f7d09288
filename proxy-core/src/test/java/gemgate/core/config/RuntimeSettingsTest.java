package gemgate.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gemgate.core.error.ApiException;
import gemgate.core.json.Json;
import gemgate.core.models.ModelFilter;
import gemgate.core.store.StateStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuntimeSettingsTest {
    @TempDir
    Path tmp;

    /** Writes only on flush/close: the tests decide when state reaches the disk. */
    private static final StateStore.Scheduler NEVER = new StateStore.Scheduler() {
        @Override
        public void schedule(Runnable task, Duration delay) {}

        @Override
        public void shutdown() {}
    };

    private final List<StateStore> stores = new ArrayList<>();

    private Map<String, String> env(String... kv) {
        Map<String, String> m = new HashMap<>();
        m.put("PASSWORD", "secret-pass");
        m.put("STORAGE_DIR", tmp.resolve("data").toString());
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    private Path dataDir() {
        return tmp.resolve("data");
    }

    private RuntimeSettings start(Path file, Map<String, String> env) {
        ConfigLoader.Sources sources = ConfigLoader.Sources.read(file, env, new Properties());
        StateStore store = StateStore.onDisk(dataDir(), Duration.ofSeconds(1), NEVER, Clock.systemUTC());
        stores.add(store);
        return RuntimeSettings.create(sources, ConfigLoader.load(sources), store);
    }

    private RuntimeSettings start(String... envPairs) {
        return start(null, env(envPairs));
    }

    private StateStore lastStore() {
        return stores.get(stores.size() - 1);
    }

    private static Map<String, Object> changes(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private static ApiException rejected(Runnable r) {
        try {
            r.run();
        } catch (ApiException e) {
            return e;
        }
        throw new AssertionError("expected an ApiException");
    }

    @Test
    void aChangeIsValidatedAppliedNotifiedAndSurvivesARestart() throws IOException {
        RuntimeSettings rs = start();
        assertThat(rs.current().rateLimit().perMinute()).isEqualTo(30);
        List<Settings> seen = new ArrayList<>();
        rs.addListener(seen::add);

        RuntimeSettings.Result r = rs.apply(changes("gemgate.rate-limit.per-minute", 5,
                "MAX_RETRY_NUM", "3", "streaming.keepalive-interval", "2.5", "WHITELIST_MODELS", "gemini-2.5-*, gemma-*"));

        Settings s = rs.current();
        assertThat(r.settings()).isSameAs(s);
        assertThat(s.rateLimit().perMinute()).isEqualTo(5);
        assertThat(s.rateLimit().maxTrackedClients()).as("settings not changed keep their value").isEqualTo(100000);
        assertThat(s.retry().maxRetryNum()).as("env names are accepted as keys").isEqualTo(3);
        assertThat(s.streaming().keepaliveInterval()).isEqualTo(Duration.ofMillis(2500));
        assertThat(s.models().whitelist()).containsExactly("gemini-2.5-*", "gemma-*");
        assertThat(s.auth().password()).as("the password is untouched by runtime changes").isEqualTo("secret-pass");
        assertThat(r.changed()).containsExactly("gemgate.rate-limit.per-minute", "gemgate.retry.max-retry-num",
                "gemgate.streaming.keepalive-interval", "gemgate.models.whitelist");
        assertThat(r.shadowed()).isEmpty();
        assertThat(seen).as("listeners hear about the change once, with the new settings").containsExactly(s);
        assertThat(rs.saved()).as("values are saved normalised")
                .containsEntry("gemgate.rate-limit.per-minute", 5L)
                .containsEntry("gemgate.retry.max-retry-num", 3L)
                .containsEntry("gemgate.streaming.keepalive-interval", 2.5)
                .containsEntry("gemgate.models.whitelist", List.of("gemini-2.5-*", "gemma-*"));

        assertThat(lastStore().isDirty(RuntimeSettings.SECTION)).as("the change is handed to the store").isTrue();
        lastStore().close();
        assertThat(Files.readString(dataDir().resolve("settings.json"))).contains("\"kind\" : \"settings\"");

        RuntimeSettings again = start();
        assertThat(again.current().rateLimit().perMinute()).as("restored at start").isEqualTo(5);
        assertThat(again.current().retry().maxRetryNum()).isEqualTo(3);
        assertThat(again.current().models().whitelist()).containsExactly("gemini-2.5-*", "gemma-*");
    }

    @Test
    void nullRemovesTheRuntimeValueSoTheFileAppliesAgain() throws IOException {
        Path file = tmp.resolve("app.conf");
        Files.writeString(file, "gemgate.retry.max-retry-num = 7\n", StandardCharsets.UTF_8);
        RuntimeSettings rs = start(file, env());
        rs.apply(changes("gemgate.retry.max-retry-num", 2));
        assertThat(rs.current().retry().maxRetryNum()).as("runtime wins over the file").isEqualTo(2);
        rs.apply(changes("gemgate.retry.max-retry-num", null));
        assertThat(rs.current().retry().maxRetryNum()).isEqualTo(7);
        assertThat(rs.saved()).isEmpty();
    }

    @Test
    void theEnvironmentWinsAndTheResultSaysSo() {
        RuntimeSettings rs = start("MAX_RETRY_NUM", "9");
        RuntimeSettings.Result r = rs.apply(changes("gemgate.retry.max-retry-num", 2, "gemgate.retry.max-empty-responses", 1));
        assertThat(rs.current().retry().maxRetryNum()).as("environment > runtime").isEqualTo(9);
        assertThat(rs.current().retry().maxEmptyResponses()).isEqualTo(1);
        assertThat(r.shadowedPaths()).containsExactly("gemgate.retry.max-retry-num");
        assertThat(r.shadowed().get(0).message()).contains("saved", "MAX_RETRY_NUM", "wins");
        assertThat(rs.saved()).as("the shadowed value is still saved, for when the variable goes")
                .containsEntry("gemgate.retry.max-retry-num", 2L);
    }

    @Test
    void aShadowedValueIsStillValidated() {
        RuntimeSettings rs = start("MAX_RETRY_NUM", "9");
        ApiException e = rejected(() -> rs.apply(changes("gemgate.retry.max-retry-num", 0)));
        assertThat(e.error().status()).isEqualTo(400);
        assertThat(e.error().param()).isEqualTo("gemgate.retry.max-retry-num");
    }

    @Test
    void badValuesAreA400NamingTheSettingAndChangeNothing() {
        RuntimeSettings rs = start();
        AtomicInteger notified = new AtomicInteger();
        rs.addListener(s -> notified.incrementAndGet());
        Settings before = rs.current();

        ApiException e = rejected(() -> rs.apply(changes("gemgate.rate-limit.per-day", 10, "gemgate.retry.max-retry-num", "lots")));
        assertThat(e.error().status()).isEqualTo(400);
        assertThat(e.error().param()).isEqualTo("gemgate.retry.max-retry-num");
        assertThat(e.error().message()).contains("gemgate.retry.max-retry-num", "lots", "whole number");

        assertThat(rejected(() -> rs.apply(changes("gemgate.streaming.fake-streaming", "maybe"))).error().message())
                .contains("fake-streaming", "boolean");
        assertThat(rejected(() -> rs.apply(changes("gemgate.streaming.keepalive-interval", -1))).error().param())
                .isEqualTo("gemgate.streaming.keepalive-interval");
        assertThat(rejected(() -> rs.apply(changes("gemgate.models.blocked", Map.of("a", 1)))).error().message())
                .contains("expected a single value or a list");

        assertThat(rs.current()).as("a rejected change leaves everything as it was").isSameAs(before);
        assertThat(rs.saved()).isEmpty();
        assertThat(notified.get()).isZero();
        assertThat(lastStore().isDirty(RuntimeSettings.SECTION)).isFalse();
    }

    @Test
    void restartOnlyAndUnknownSettingsAreRefusedClearly() {
        RuntimeSettings rs = start();
        ApiException port = rejected(() -> rs.apply(changes("gemgate.server.port", 8080)));
        assertThat(port.error().status()).isEqualTo(400);
        assertThat(port.error().message()).contains("gemgate.server.port", "needs a restart");
        assertThat(rejected(() -> rs.apply(changes("PASSWORD", "x"))).error().message()).contains("needs a restart");
        assertThat(rejected(() -> rs.apply(changes("gemgate.rate-limit.per-mnute", 1))).error().message())
                .contains("unknown setting gemgate.rate-limit.per-mnute");
        assertThat(rejected(() -> rs.apply(Map.of())).error().status()).isEqualTo(400);
    }

    @Test
    void derivedObjectsAreBuiltOncePerChangeAndCanVeto() {
        RuntimeSettings rs = start();
        AtomicInteger builds = new AtomicInteger();
        Supplier<ModelFilter> filter = rs.derive(s -> {
            builds.incrementAndGet();
            return new ModelFilter(s.models().whitelist(), s.models().blocked());
        });
        ModelFilter first = filter.get();
        assertThat(filter.get()).as("reads do not rebuild").isSameAs(first);
        assertThat(first.allows("gemini-2.5-pro")).isTrue();

        rs.apply(changes("BLOCKED_MODELS", "gemini-2.5-pro"));
        assertThat(builds.get()).isEqualTo(2);
        assertThat(filter.get().allows("gemini-2.5-pro")).as("the new filter is in effect").isFalse();

        rs.derive(s -> {
            if (s.retry().maxEmptyResponses() == 42) {
                throw new IllegalArgumentException("42 is not allowed here");
            }
            return s;
        });
        ApiException e = rejected(() -> rs.apply(changes("gemgate.retry.max-empty-responses", 42, "BLOCKED_MODELS", "")));
        assertThat(e.error().message()).contains("42 is not allowed here");
        assertThat(filter.get().allows("gemini-2.5-pro")).as("a vetoed change is not applied anywhere").isFalse();
        assertThat(rs.current().retry().maxEmptyResponses()).isEqualTo(5);
    }

    @Test
    void aSavedValueThatNoLongerValidatesIsDroppedNotFatal() throws IOException {
        Files.createDirectories(dataDir());
        Files.writeString(dataDir().resolve("settings.json"), """
                {"format": 1, "kind": "settings", "saved_at": "2025-01-01T00:00:00Z", "data": {"values": {
                  "gemgate.rate-limit.per-minute": 12,
                  "gemgate.retry.max-retry-num": "zero",
                  "gemgate.server.port": 1234,
                  "gemgate.no.such": 1
                }}}""");
        RuntimeSettings rs = start();
        assertThat(rs.current().rateLimit().perMinute()).as("valid saved values still apply").isEqualTo(12);
        assertThat(rs.current().retry().maxRetryNum()).as("the invalid one is dropped").isEqualTo(15);
        assertThat(rs.current().server().port()).as("restart-only paths are never taken from runtime state").isEqualTo(7860);
        assertThat(rs.saved()).containsOnlyKeys("gemgate.rate-limit.per-minute");
        assertThat(lastStore().isDirty(RuntimeSettings.SECTION)).as("the cleaned set is saved again").isTrue();
    }

    @Test
    void describeTellsValueSourceAndEnvName() throws IOException {
        Path file = tmp.resolve("app.conf");
        Files.writeString(file, "gemgate.rate-limit.per-day = 50\n", StandardCharsets.UTF_8);
        RuntimeSettings rs = start(file, env("FAKE_STREAMING", "no", "MAX_RETRY_NUM", "4"));
        rs.apply(changes("gemgate.retry.max-empty-responses", 2, "gemgate.retry.max-retry-num", 6));

        Map<String, RuntimeSettings.Entry> byPath = rs.describe().stream()
                .collect(Collectors.toMap(RuntimeSettings.Entry::path, e -> e));
        assertThat(byPath.keySet()).containsExactlyInAnyOrderElementsOf(RuntimeSettings.PATHS);

        RuntimeSettings.Entry perDay = byPath.get("gemgate.rate-limit.per-day");
        assertThat(perDay.value()).isEqualTo(50L);
        assertThat(perDay.source()).isEqualTo(ConfigLoader.Source.FILE);
        assertThat(perDay.envName()).isEqualTo("MAX_REQUESTS_PER_DAY_PER_IP");

        RuntimeSettings.Entry fake = byPath.get("gemgate.streaming.fake-streaming");
        assertThat(fake.value()).as("env strings are shown as typed values").isEqualTo(false);
        assertThat(fake.source()).isEqualTo(ConfigLoader.Source.ENVIRONMENT);

        RuntimeSettings.Entry empties = byPath.get("gemgate.retry.max-empty-responses");
        assertThat(empties.source()).isEqualTo(ConfigLoader.Source.RUNTIME);
        assertThat(empties.value()).isEqualTo(2L);
        assertThat(empties.shadowed()).isFalse();

        RuntimeSettings.Entry retries = byPath.get("gemgate.retry.max-retry-num");
        assertThat(retries.value()).isEqualTo(4L);
        assertThat(retries.saved()).isEqualTo(6L);
        assertThat(retries.shadowed()).as("saved at runtime, but MAX_RETRY_NUM wins").isTrue();
        assertThat(retries.toJson()).containsEntry("source", "environment").containsEntry("env", "MAX_RETRY_NUM");

        RuntimeSettings.Entry whitelist = byPath.get("gemgate.models.whitelist");
        assertThat(whitelist.source()).isEqualTo(ConfigLoader.Source.DEFAULT);
        assertThat(whitelist.value()).isEqualTo(List.of());
        assertThat(Json.writeString(whitelist.toJson())).contains("\"value\":[]");
    }

    @Test
    void withStorageDisabledNothingIsWrittenButChangesStillApply() throws IOException {
        ConfigLoader.Sources sources = ConfigLoader.Sources.read(null, env("ENABLE_STORAGE", "false"), new Properties());
        Settings boot = ConfigLoader.load(sources);
        StateStore store = StateStore.open(boot.storage());
        RuntimeSettings rs = RuntimeSettings.create(sources, boot, store);
        rs.apply(changes("gemgate.rate-limit.per-minute", 1));
        store.close();
        assertThat(rs.current().rateLimit().perMinute()).isEqualTo(1);
        assertThat(dataDir()).as("ENABLE_STORAGE=false never touches the disk").doesNotExist();
    }

    @Test
    void fixedSettingsRefuseChanges() {
        Settings s = ConfigLoader.load(null, env(), new Properties());
        RuntimeSettings rs = RuntimeSettings.fixed(s);
        assertThat(rs.current()).isSameAs(s);
        assertThat(rejected(() -> rs.apply(changes("gemgate.rate-limit.per-minute", 1))).error().status()).isEqualTo(409);
        assertThat(rs.describe()).isEmpty();
    }
}
