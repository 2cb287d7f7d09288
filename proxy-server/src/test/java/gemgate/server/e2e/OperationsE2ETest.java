package gemgate.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import gemgate.core.keys.KeyMask;
import gemgate.server.emulator.Behavior;
import gemgate.server.testutil.LogCapture;
import java.net.ConnectException;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Request ids, the access log, /metrics, secrets kept out of every output, and a graceful stop. */
class OperationsE2ETest {
    private static final String ID = "[0-9a-f]{16}";

    @Test
    void everyResponseCarriesARequestIdAndEveryRequestGetsOneAccessLine() throws Exception {
        try (LogCapture logs = LogCapture.open(Level.DEBUG, "gemgate.access");
                Harness h = Harness.start()) {
            List<HttpResponse<String>> rs = new ArrayList<>();
            rs.add(h.send(h.request("/health").GET().build()));
            rs.add(h.get("/v1/models"));
            rs.add(h.post("/v1/chat/completions", Harness.chat("gemini-2.5-flash", "hi", false)));
            rs.add(h.post("/v1/chat/completions", Harness.chat("gemini-2.5-flash", "hi", true)));
            rs.add(h.get("/nowhere"));
            rs.add(h.send(h.request("/v1/models").GET().build()));
            assertThat(rs).extracting(HttpResponse::statusCode).containsExactly(200, 200, 200, 200, 404, 401);

            Set<String> ids = new HashSet<>();
            for (HttpResponse<String> r : rs) {
                String id = r.headers().firstValue("X-Request-Id").orElse("");
                assertThat(id).as("X-Request-Id on %s (status %d, errors and streams included)", r.uri(), r.statusCode())
                        .matches(ID);
                ids.add(id);
            }
            assertThat(ids).as("ids are unique per request").hasSize(rs.size());

            List<String> lines = logs.messages("gemgate.access");
            assertThat(lines).as("one access line per request").hasSize(rs.size());
            for (int i = 0; i < rs.size(); i++) {
                String id = rs.get(i).headers().firstValue("X-Request-Id").orElseThrow();
                assertThat(lines.get(i)).startsWith("id=" + id + " client=127.0.0.1 ")
                        .contains("status=" + rs.get(i).statusCode()).containsPattern(" ms=\\d+");
            }
            String fp = KeyMask.fingerprint("test-key-good");
            assertThat(lines.get(2)).contains("POST /v1/chat/completions route=chat", "model=gemini-2.5-flash", "mode=plain",
                    "key=" + fp, "attempts=1").containsPattern("tokens=\\d+");
            assertThat(lines.get(3)).contains("mode=real_stream", "key=" + fp);
            assertThat(lines.get(4)).contains("route=other", "status=404");

            HttpResponse<String> echoed = h.send(h.request("/health").header("X-Request-Id", "nginx-5f3a").GET().build());
            assertThat(echoed.headers().firstValue("X-Request-Id")).as("a plain id from nginx is kept so logs line up")
                    .hasValue("nginx-5f3a");
            HttpResponse<String> forged = h.send(h.request("/health").header("X-Request-Id", "x\" status=200 evil").GET().build());
            assertThat(forged.headers().firstValue("X-Request-Id").orElseThrow()).as("an id that could forge log fields is replaced")
                    .matches(ID);
        }
    }

    @Test
    void metricsNeedThePasswordByDefaultAndCountRequestsAttemptsKeysAndMemory() {
        try (Harness h = Harness.start("GEMINI_API_KEYS", "test-key-good,test-key-bad")) {
            h.emulator.script("test-key-bad", Behavior.invalidKey());
            h.post("/v1/chat/completions", Harness.chat("gemini-2.5-flash", "hi", false));
            h.post("/v1/chat/completions", Harness.chat("gemini-2.5-flash", "hi", false));

            assertThat(h.send(h.request("/metrics").GET().build()).statusCode())
                    .as("metrics are private unless METRICS_REQUIRE_PASSWORD=false").isEqualTo(401);
            HttpResponse<String> m = h.get("/metrics");
            assertThat(m.statusCode()).isEqualTo(200);
            assertThat(m.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
            String page = m.body();
            assertThat(page).contains(
                    "gemgate_requests_total{route=\"chat\",status=\"200\"} 2",
                    "gemgate_requests_total{route=\"metrics\",status=\"401\"} 1",
                    "gemgate_upstream_attempts_total{outcome=\"success\"} 2",
                    "gemgate_keys{state=\"active\"} 1",
                    "gemgate_keys{state=\"invalid\"} 1",
                    "gemgate_request_duration_seconds_bucket{route=\"chat\",le=\"+Inf\"} 2",
                    "gemgate_request_duration_seconds_count{route=\"chat\"} 2",
                    "gemgate_open_streams 0",
                    "jvm_memory_used_bytes{area=\"heap\"} ",
                    "netty_direct_memory_used_bytes{allocator=\"pooled\"} ");
            assertThat(page).containsPattern("gemgate_upstream_attempts_total\\{outcome=\"key_invalid\"} [12]");
            assertThat(page).as("the page being served counts itself as in flight").contains("gemgate_requests_in_flight 1");
            for (String line : page.split("\n")) {
                assertThat(line).as("every line is a comment or 'name{labels} value'")
                        .matches("# (HELP|TYPE) .*|[a-z_]+(\\{[a-z_]+=\"[^\"]*\"(,[a-z_]+=\"[^\"]*\")*})? -?[0-9.e+E-]+");
            }
        }
        try (Harness h = Harness.start("METRICS_REQUIRE_PASSWORD", "false", "MAX_REQUESTS_PER_MINUTE", "1")) {
            for (int i = 0; i < 5; i++) {
                assertThat(h.send(h.request("/metrics").GET().build()).statusCode())
                        .as("public metrics when configured, and scrapes are not rate limited").isEqualTo(200);
            }
        }
    }

    @Test
    void gracefulStopLetsAStreamInFlightFinishAndRefusesNewConnections() throws Exception {
        try (Harness h = Harness.start("SHUTDOWN_GRACE", "20")) {
            String text = "one two three four five six seven eight nine ten ";
            h.emulator.script("test-key-good", Behavior.ok().withText(text.repeat(4)).withChunks(20, Duration.ofMillis(100)));
            CompletableFuture<HttpResponse<String>> streaming = h.http.sendAsync(h.request("/v1/chat/completions")
                    .header("Authorization", "Bearer " + Harness.PASSWORD).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(Harness.chat("gemini-2.5-flash", "long", true))).build(),
                    HttpResponse.BodyHandlers.ofString());
            long until = System.currentTimeMillis() + 5000;
            while (h.proxy.metrics().openStreams() == 0 && System.currentTimeMillis() < until) {
                Thread.sleep(10);
            }
            assertThat(h.proxy.metrics().openStreams()).as("the stream has started").isEqualTo(1);

            long t0 = System.nanoTime();
            CompletableFuture<Void> stopping = CompletableFuture.runAsync(h.proxy::close);
            Thread.sleep(200);
            assertThat(stopping).as("close waits for the stream").isNotDone();
            boolean refused;
            try (Socket s = new Socket("127.0.0.1", h.proxy.port())) {
                refused = false;
            } catch (ConnectException e) {
                refused = true;
            }
            assertThat(refused).as("no new connections while draining").isTrue();

            HttpResponse<String> r = streaming.get(15, TimeUnit.SECONDS);
            stopping.get(15, TimeUnit.SECONDS);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(r.statusCode()).isEqualTo(200);
            SseEvents ev = SseEvents.parse(r.body());
            assertThat(ev.content()).as("the client gets its complete answer").isEqualTo(text.repeat(4));
            assertThat(ev.endsWithDone()).isTrue();
            assertThat(ms).as("close returns as soon as the stream ends, not after the whole grace").isLessThan(10_000);
        }
    }
}
