package gemgate.server.emulator;

import static gemgate.server.emulator.EmulatorClient.PROMPT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gemgate.core.json.Json;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Streaming answers: SSE framing, the JSON-array mode, timing, resets, slow and vanishing clients, shutdown. */
class GeminiEmulatorStreamTest {
    private static final String SSE = "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse";
    private static final String ECHO = "[gemini-emulator] You said: What is the capital of Wyoming?";
    private static GeminiEmulator emulator;
    private static EmulatorClient client;

    @BeforeAll
    static void start() {
        emulator = GeminiEmulator.start("127.0.0.1", 0);
        client = new EmulatorClient(emulator);
    }

    @AfterAll
    static void stop() {
        emulator.close();
    }

    @BeforeEach
    void reset() throws InterruptedException {
        await(() -> emulator.activeStreams() == 0, "streams of the previous test ended");
        emulator.reset();
    }

    @Test
    void sseEventsAreExactlyDataJsonCrlfCrlfWithCumulativeUsage() {
        emulator.script("k", Behavior.ok().withChunks(4, Duration.ZERO));
        HttpResponse<String> res = client.post(SSE, "k", PROMPT);
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.headers().firstValue("content-type")).hasValue("text/event-stream");
        assertThat(res.body()).as("four events framed as Google frames them, nothing else")
                .matches("(data: \\{[^\r\n]*\\}\r\n\r\n){4}")
                .startsWith("data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": ")
                .doesNotContain("[DONE]");

        List<Map<String, Object>> events = events(res.body());
        StringBuilder text = new StringBuilder();
        long lastCount = 0;
        for (int i = 0; i < events.size(); i++) {
            Map<String, Object> e = events.get(i);
            Map<String, Object> cand = Json.asObject(Json.list(e, "candidates").get(0));
            text.append(Json.str(Json.asObject(Json.list(Json.obj(cand, "content"), "parts").get(0)), "text"));
            assertThat(cand.containsKey("finishReason")).as("finishReason only on the last event").isEqualTo(i == 3);
            long count = Json.num(Json.obj(e, "usageMetadata"), "candidatesTokenCount", 0);
            assertThat(count).as("usage is cumulative").isGreaterThanOrEqualTo(lastCount);
            lastCount = count;
            assertThat(Json.str(e, "modelVersion")).isEqualTo("gemini-2.5-flash");
            assertThat(Json.str(e, "responseId")).isEqualTo(Json.str(events.get(0), "responseId"));
        }
        assertThat(text.toString()).isEqualTo(ECHO);
        assertThat(lastCount).isEqualTo((ECHO.length() + 3) / 4);
    }

    @Test
    void eachEventIsOneFlushedChunkOfAChunkedBody() throws IOException {
        try (RawHttp raw = new RawHttp(emulator, 0)) {
            raw.post(SSE, "k", PROMPT);
            String head = raw.readHead().toLowerCase();
            assertThat(head).startsWith("http/1.1 200").contains("transfer-encoding: chunked")
                    .contains("content-type: text/event-stream").doesNotContain("content-length");
            for (int i = 0; i < Behavior.DEFAULT_CHUNKS; i++) {
                String chunk = new String(raw.readChunk(), StandardCharsets.UTF_8);
                assertThat(chunk).as("chunk %d is exactly one event", i).matches("data: \\{[^\r\n]*\\}\r\n\r\n");
            }
            assertThat(raw.readChunk()).as("then the body ends").isEmpty();
            raw.post(SSE, "k", PROMPT);
            assertThat(raw.readHead()).as("the connection stays usable after a stream").startsWith("HTTP/1.1 200");
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrderAfterADelayedOne() throws IOException {
        emulator.script("late", Behavior.ok().withDelay(Duration.ofMillis(100)).withChunks(2, Duration.ZERO));
        try (RawHttp raw = new RawHttp(emulator, 0)) {
            raw.post(SSE, "late", PROMPT);
            raw.post("/v1beta/models/x:streamGenerateContent?alt=sse", "late", PROMPT);
            for (int i = 0; i < 2; i++) {
                assertThat(raw.readHead()).startsWith("HTTP/1.1 200");
                assertThat(new String(raw.readChunk(), StandardCharsets.UTF_8)).as("response %d", i)
                        .contains(i == 0 ? "gemini-2.5-flash" : "\"modelVersion\": \"x\"");
                raw.readChunk();
                assertThat(raw.readChunk()).isEmpty();
            }
        }
        assertThat(emulator.generateCalls("late")).isEqualTo(2);
    }

    @Test
    void chunkSpacingIsHonoured() throws IOException {
        emulator.script("slow", Behavior.ok().withChunks(3, Duration.ofMillis(200)));
        try (RawHttp raw = new RawHttp(emulator, 0)) {
            raw.post(SSE, "slow", PROMPT);
            raw.readHead();
            long t0 = System.nanoTime();
            raw.readChunk();
            assertThat(emulator.activeStreams()).as("a stream in progress is active").isEqualTo(1);
            raw.readChunk();
            raw.readChunk();
            long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertThat(elapsed).as("two 200 ms gaps between three events").isBetween(350L, 3000L);
            assertThat(raw.readChunk()).isEmpty();
        }
    }

    @Test
    void thinkingBlockedAndEmptyStreams() {
        emulator.script("t", Behavior.thinking().withChunks(2, Duration.ZERO));
        List<Map<String, Object>> thinking = events(client.post(SSE, "t", PROMPT).body());
        assertThat(thinking).as("one thought event, then the answer events").hasSize(3);
        assertThat(Json.bool(Json.asObject(Json.list(Samples.firstCandidateContent(thinking.get(0)), "parts").get(0)),
                "thought", false)).isTrue();
        assertThat(Json.num(Json.obj(thinking.get(2), "usageMetadata"), "thoughtsTokenCount", 0)).isPositive();

        emulator.script("b", Behavior.promptBlocked());
        List<Map<String, Object>> blocked = events(client.post(SSE, "b", PROMPT).body());
        assertThat(blocked).hasSize(1);
        assertThat(Json.str(Json.obj(blocked.get(0), "promptFeedback"), "blockReason")).isEqualTo("SAFETY");

        emulator.script("e", Behavior.empty());
        List<Map<String, Object>> empty = events(client.post(SSE, "e", PROMPT).body());
        assertThat(empty).hasSize(1);
        assertThat(Samples.firstCandidateContent(empty.get(0))).doesNotContainKey("parts");
    }

    @Test
    void withoutAltSseTheStreamIsOneJsonArray() {
        HttpResponse<String> res = client.post("/v1beta/models/gemini-2.0-flash:streamGenerateContent", "k", PROMPT);
        assertThat(res.headers().firstValue("content-type")).hasValue("application/json; charset=UTF-8");
        assertThat(res.body()).startsWith("[{\n  \"candidates\": [\n").contains("}\n,\n{\n").endsWith("}\n]");
        List<Object> array = Json.asList(Json.parse(res.body()));
        assertThat(array).hasSize(Behavior.DEFAULT_CHUNKS);
    }

    @Test
    void resetAfterChunksTruncatesTheStream() throws IOException {
        emulator.script("cut", Behavior.ok().withChunks(5, Duration.ZERO).withResetAfterChunks(2));
        try (RawHttp raw = new RawHttp(emulator, 0)) {
            raw.post(SSE, "cut", PROMPT);
            raw.readHead();
            raw.readChunk();
            raw.readChunk();
            assertThatThrownBy(raw::readChunk).as("the body ends without its last chunk").isInstanceOf(EOFException.class);
        }
        assertThatThrownBy(() -> client.post(SSE, "cut", PROMPT)).as("an HTTP client sees a failed, truncated body")
                .isInstanceOf(UncheckedIOException.class);
    }

    @Test
    void delayHoldsTheWholeAnswer() throws Exception {
        emulator.script("late", Behavior.ok().withDelay(Duration.ofMillis(300)));
        long t0 = System.nanoTime();
        CompletableFuture<HttpResponse<String>> f = client.http.sendAsync(
                client.request("/v1beta/models/gemini-2.5-flash:generateContent", "late")
                        .POST(HttpRequest.BodyPublishers.ofString(PROMPT)).build(),
                HttpResponse.BodyHandlers.ofString());
        await(() -> emulator.activeStreams() == 1, "a delayed answer counts as active");
        HttpResponse<String> res = f.get(5, TimeUnit.SECONDS);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isGreaterThanOrEqualTo(280);
        assertThat(res.statusCode()).isEqualTo(200);
        await(() -> emulator.activeStreams() == 0, "the delayed answer ended");
    }

    @Test
    void aClientThatHangsUpStopsTheStream() throws Exception {
        emulator.script("gone", Behavior.ok().withChunks(50, Duration.ofMillis(40)));
        try (RawHttp raw = new RawHttp(emulator, 0)) {
            raw.post(SSE, "gone", PROMPT);
            raw.readHead();
            raw.readChunk();
        }
        await(() -> emulator.activeStreams() == 0, "the stream stops when its client leaves");
        await(() -> emulator.openConnections() <= 1, "the connection is closed");
    }

    @Test
    void aSlowReaderGetsEverythingOnceItReads() throws Exception {
        String text = "x".repeat(1_000_000);
        emulator.script("big", Behavior.ok().withText(text).withChunks(500, Duration.ZERO));
        try (RawHttp raw = new RawHttp(emulator, 4096)) {
            raw.post(SSE, "big", PROMPT);
            // On a loaded machine the request may not have arrived yet: wait for the stream to start first.
            await(() -> emulator.generateCalls("big") == 1, "the stream started");
            Thread.sleep(200);
            assertThat(emulator.activeStreams()).as("the stream waits for the reader, it does not finish into a buffer")
                    .isEqualTo(1);
            raw.readHead();
            StringBuilder got = new StringBuilder();
            byte[] chunk;
            int n = 0;
            while ((chunk = raw.readChunk()).length > 0) {
                Map<String, Object> e = Json.parseObject(new String(chunk, 6, chunk.length - 10, StandardCharsets.UTF_8)
                        .getBytes(StandardCharsets.UTF_8));
                got.append(Json.str(Json.asObject(Json.list(Samples.firstCandidateContent(e), "parts").get(0)), "text"));
                n++;
            }
            assertThat(n).isEqualTo(500);
            assertThat(got.toString()).isEqualTo(text);
        }
    }

    @Test
    void fiftyConcurrentStreams() throws Exception {
        emulator.defaultBehavior(Behavior.ok().withChunks(3, Duration.ofMillis(20)));
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            all.add(client.http.sendAsync(client.request(SSE, "c" + i).POST(HttpRequest.BodyPublishers.ofString(PROMPT)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> f : all) {
            assertThat(events(f.get(10, TimeUnit.SECONDS).body())).hasSize(3);
        }
    }

    @Test
    void closeFreesThePort() throws Exception {
        GeminiEmulator other = GeminiEmulator.start("127.0.0.1", 0);
        int port = other.port();
        assertThat(other.baseUrl()).isEqualTo("http://127.0.0.1:" + port);
        assertThat(new EmulatorClient(other).generate("k").statusCode()).isEqualTo(200);
        other.close();
        other.close();
        assertThat(other.port()).as("port() still answers after close").isEqualTo(port);
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            assertThat(s.getLocalPort()).as("the port is free after close()").isEqualTo(port);
        }
    }

    private static List<Map<String, Object>> events(String body) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (String frame : body.split("\r\n\r\n")) {
            assertThat(frame).startsWith("data: ");
            out.add(Json.parseObject(frame.substring(6).getBytes(StandardCharsets.UTF_8)));
        }
        return out;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(10);
        }
    }
}
