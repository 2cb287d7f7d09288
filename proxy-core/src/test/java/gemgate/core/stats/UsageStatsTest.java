package gemgate.core.stats;

import static org.assertj.core.api.Assertions.assertThat;

import gemgate.core.json.Json;
import gemgate.core.keys.FakeClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UsageStatsTest {
    private final FakeClock clock = FakeClock.at("2026-05-01T12:00:00Z");
    private final UsageStats stats = new UsageStats(clock);

    @Test
    void totalsForTheLastMinuteHourAndDay() {
        stats.record("k1", "gemini-2.5-pro", 100, 10, false);
        clock.advance(Duration.ofMinutes(30));
        stats.record("k2", "gemini-2.5-flash", 50, 5, true);
        clock.advance(Duration.ofMinutes(40));
        stats.record("k1", "gemini-2.5-flash", 1, 1, false);
        assertThat(stats.lastMinute()).isEqualTo(new UsageStats.Totals(1, 1, 1, 0));
        assertThat(stats.lastHour()).as("the call 70 min ago is out of the hour").isEqualTo(new UsageStats.Totals(2, 51, 6, 1));
        assertThat(stats.last24h()).isEqualTo(new UsageStats.Totals(3, 151, 16, 1));
        assertThat(stats.keyLast24h("k1").calls()).isEqualTo(2);
        assertThat(stats.modelLast24h("models/gemini-2.5-flash").errors()).isEqualTo(1);
        clock.advance(Duration.ofHours(24));
        assertThat(stats.last24h()).as("the minute ring forgets after 24 h").isEqualTo(UsageStats.Totals.ZERO);
        assertThat(stats.keyLast24h("k1")).isEqualTo(UsageStats.Totals.ZERO);
    }

    @Test
    void dayHistoryIsBoundedToNinetyDaysAndSurvivesExportImport() {
        for (int d = 0; d < 100; d++) {
            stats.record("k1", "gemini-2.5-pro", 10, 1, false);
            clock.advance(Duration.ofDays(1));
        }
        Map<String, Object> days = Json.parseObject(Json.write(stats.exportDays()));
        assertThat(Json.obj(days, "days")).as("only the last 90 quota days are kept").hasSize(89);
        UsageStats restored = new UsageStats(clock);
        restored.importDays(days);
        assertThat(Json.writeString(restored.exportDays())).isEqualTo(Json.writeString(days));
        clock.advance(Duration.ofDays(10));
        UsageStats later = new UsageStats(clock);
        later.importDays(days);
        assertThat(Json.obj(later.exportDays(), "days")).as("days older than 90 are dropped on import").hasSize(79);
    }

    @Test
    void distinctModelsAndKeysAreCapped() {
        for (int i = 0; i < 500; i++) {
            stats.record("key-" + i, "model-" + i, 1, 1, false);
        }
        for (int i = 0; i < 2000; i++) {
            stats.record("key-" + i, "model-0", 1, 1, false);
        }
        assertThat(stats.trackedModels()).isEqualTo(UsageStats.MAX_MODELS);
        assertThat(stats.trackedKeys()).isEqualTo(UsageStats.MAX_KEYS);
        assertThat(stats.modelLast24h(UsageStats.OTHER).calls()).as("models past the cap are counted together").isEqualTo(500 - 63);
        assertThat(stats.last24h().calls()).as("totals stay exact").isEqualTo(2500);
    }

    @Test
    void snapshotReportAndReset() {
        stats.record("k1", "gemini-2.5-pro", 2_500_000, 30_000, false);
        stats.record("k1", "gemini-2.5-flash", 10, 1, true);
        stats.record("k1", "gemini-2.5-flash", 10, 1, false);
        Map<String, Object> snap = stats.snapshot(60);
        assertThat(Json.list(snap, "per_minute")).hasSize(60);
        assertThat(Json.writeString(snap)).contains("\"last_minute\":{\"calls\":3,\"input_tokens\":2500020,\"output_tokens\":30002,\"errors\":1}")
                .contains("\"day\":\"2026-05-01\"");
        String report = stats.report();
        assertThat(report.lines()).hasSize(3);
        assertThat(report.lines().skip(1)).containsExactly(
                "usage gemini-2.5-flash: last 24 h 2 calls, 1 errors, 20 input / 2 output tokens; today 2 calls",
                "usage gemini-2.5-pro: last 24 h 1 calls, 0 errors, 2.5M input / 30k output tokens; today 1 calls");
        stats.reset();
        assertThat(stats.last24h()).isEqualTo(UsageStats.Totals.ZERO);
        assertThat(stats.trackedModels()).isZero();
    }

    @Test
    void daysAreQuotaDaysInLosAngeles() {
        clock.set(Instant.parse("2026-05-02T06:59:00Z")); // 23:59 PDT on May 1
        stats.record("k", "m", 1, 1, false);
        clock.set(Instant.parse("2026-05-02T07:00:00Z"));
        stats.record("k", "m", 1, 1, false);
        assertThat(Json.obj(stats.exportDays(), "days")).containsOnlyKeys("2026-05-01", "2026-05-02");
        assertThat(stats.today().calls()).isEqualTo(1);
    }
}
