package gemgate.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import gemgate.server.emulator.Behavior;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** Streams through long silences, slow readers, departing clients and many at once. */
class StreamingE2ETest {

    @Test
    void fakeStreamKeepsTheClientAliveThroughA40SecondSilence() throws Exception {
        try (Harness h = Harness.start("FAKE_STREAMING", "true", "FAKE_STREAMING_INTERVAL", "1")) {
            h.emulator.script("test-key-good", Behavior.ok().withText("worth the wait").withDelay(Duration.ofSeconds(40)));
            List<long[]> keepaliveTimes = new CopyOnWriteArrayList<>();
            StringBuilder all = new StringBuilder();
            long t0 = System.nanoTime();
            HttpResponse<java.util.stream.Stream<String>> r = h.http.send(h.request("/v1/chat/completions")
                    .header("Authorization", "Bearer " + Harness.PASSWORD).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(Harness.chat("gemini-2.5-pro", "think hard", true))).build(),
                    HttpResponse.BodyHandlers.ofLines());
            assertThat(r.statusCode()).isEqualTo(200);
            r.body().forEach(line -> {
                if (line.startsWith(":")) {
                    keepaliveTimes.add(new long[] {(System.nanoTime() - t0) / 1_000_000});
                }
                all.append(line).append('\n');
            });
            assertThat(keepaliveTimes.size()).as("about one keepalive a second while Gemini thinks").isBetween(30, 45);
            assertThat(keepaliveTimes.get(0)[0]).as("the first keepalive comes early").isLessThan(3000);
            SseEvents ev = SseEvents.parse(all.toString());
            assertThat(ev.emptyData).as("keepalives are comments, never empty data lines").isZero();
            assertThat(ev.content()).isEqualTo("worth the wait");
            assertThat(ev.endsWithDone()).isTrue();
        }
    }

    @Test
    void failureBeforeTheFirstKeepaliveGetsARealStatus() {
        try (Harness h = Harness.start("FAKE_STREAMING", "true", "FAKE_STREAMING_INTERVAL", "5", "GEMINI_API_KEYS", "bad")) {
            h.emulator.script("bad", Behavior.invalidKey());
            HttpResponse<String> r = h.post("/v1/chat/completions", Harness.chat("gemini-2.5-flash", "x", true));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
        }
    }

    @Test
    void failureAfterKeepalivesBecomesAnInStreamError() {
        try (Harness h = Harness.start("FAKE_STREAMING", "true", "FAKE_STREAMING_INTERVAL", "0.2", "GEMINI_API_KEYS", "slow-bad")) {
            h.emulator.script("slow-bad", Behavior.serverError(500).withDelay(Duration.ofMillis(1200)));
            HttpResponse<String> r = h.post("/v1/chat/completions", Harness.chat("gemini-2.5-flash", "x", true));
            assertThat(r.statusCode()).isEqualTo(200);
            SseEvents ev = SseEvents.parse(r.body());
            assertThat(ev.comments).isGreaterThan(0);
            assertThat(ev.data.get(0)).contains("\"error\"");
            assertThat(ev.endsWithDone()).isTrue();
        }
    }

    @Test
    void clientDisconnectMidStreamReleasesTheUpstreamCall() throws Exception {
        try (Harness h = Harness.start()) {
            h.emulator.script("test-key-good", Behavior.ok().withText("word ".repeat(200)).withChunks(100, Duration.ofMillis(50)));
            try (Socket s = new Socket("127.0.0.1", h.proxy.port())) {
                send(s, Harness.chat("gemini-2.5-flash", "long", true));
                InputStream in = s.getInputStream();
                String got = readUntil(in, "data: {", 10_000);
                assertThat(got).contains("200 OK");
                assertThat(h.emulator.activeStreams()).isEqualTo(1);
            }
            waitFor(() -> h.emulator.activeStreams() == 0, 5000);
            assertThat(h.emulator.activeStreams()).as("closing the client cancels the Gemini call").isZero();
            h.emulator.reset();
            assertThat(h.post("/v1/chat/completions", Harness.chat("gemini-2.5-flash", "after", false)).statusCode())
                    .as("the next request is fine").isEqualTo(200);
        }
    }

    @Test
    void slowReaderPausesTheUpstreamAndStillGetsEverything() throws Exception {
        try (Harness h = Harness.start()) {
            String text = "0123456789abcdef".repeat(512 * 1024); // 8 MiB of answer
            h.emulator.script("test-key-good", Behavior.ok().withText(text).withChunks(512, Duration.ZERO));
            try (Socket s = new Socket("127.0.0.1", h.proxy.port())) {
                s.setReceiveBufferSize(128 * 1024);
                send(s, Harness.chat("gemini-2.5-flash", "lots", true));
                Thread.sleep(2000);
                assertThat(h.emulator.activeStreams())
                        .as("while the client does not read, the proxy stops reading Gemini (backpressure)").isEqualTo(1);
                String body = readChunkedBody(s, tail -> tail.contains("[DONE]") && tail.endsWith("0\r\n\r\n"));
                SseEvents ev = SseEvents.parse(body);
                assertThat(ev.content()).as("every byte arrives, in order").isEqualTo(text);
            }
        }
    }

    @Test
    void fiftyConcurrentStreamsAllComplete() throws Exception {
        try (Harness h = Harness.start()) {
            h.emulator.defaultBehavior(Behavior.ok().withText("alpha beta gamma delta").withChunks(4, Duration.ofMillis(30)));
            List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                all.add(h.http.sendAsync(h.request("/v1/chat/completions").header("Authorization", "Bearer " + Harness.PASSWORD)
                        .POST(HttpRequest.BodyPublishers.ofString(Harness.chat("gemini-2.5-flash", "n" + i, true))).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            for (CompletableFuture<HttpResponse<String>> f : all) {
                HttpResponse<String> r = f.get(60, TimeUnit.SECONDS);
                assertThat(r.statusCode()).isEqualTo(200);
                SseEvents ev = SseEvents.parse(r.body());
                assertThat(ev.content()).isEqualTo("alpha beta gamma delta");
                assertThat(ev.endsWithDone()).isTrue();
            }
        }
    }

    // ---- raw socket helpers ----

    static void send(Socket s, String json) throws Exception {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        OutputStream out = s.getOutputStream();
        out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + Harness.PASSWORD
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
    }

    static String readUntil(InputStream in, String marker, long timeoutMs) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        long end = System.currentTimeMillis() + timeoutMs;
        byte[] buf = new byte[1024];
        while (System.currentTimeMillis() < end) {
            int n = in.read(buf);
            if (n < 0) {
                break;
            }
            b.write(buf, 0, n);
            if (b.toString(StandardCharsets.UTF_8).contains(marker)) {
                break;
            }
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    /**
     * Reads a chunked response from the socket until {@code lastBytesDone} accepts the last 64 bytes read (30 s read
     * timeout), and returns its body with the chunk framing undone.
     */
    static String readChunkedBody(Socket s, Predicate<String> lastBytesDone) throws IOException {
        s.setSoTimeout(30_000);
        InputStream in = s.getInputStream();
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        String tail = "";
        int n;
        while ((n = in.read(buf)) > 0) {
            all.write(buf, 0, n);
            tail = tail + new String(buf, 0, n, StandardCharsets.ISO_8859_1);
            tail = tail.substring(Math.max(0, tail.length() - 64));
            if (lastBytesDone.test(tail)) {
                break;
            }
        }
        String raw = all.toString(StandardCharsets.UTF_8);
        return dechunk(raw.substring(raw.indexOf("\r\n\r\n") + 4));
    }

    /** Undoes HTTP/1.1 chunked transfer coding. */
    static String dechunk(String s) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        byte[] bytes = s.getBytes(StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        while (i < bytes.length) {
            int lineEnd = s.indexOf("\r\n", i);
            if (lineEnd < 0) {
                break;
            }
            int size = Integer.parseInt(s.substring(i, lineEnd).trim(), 16);
            if (size == 0) {
                break;
            }
            o.write(bytes, lineEnd + 2, size);
            i = lineEnd + 2 + size + 2;
        }
        out.append(o.toString(StandardCharsets.UTF_8));
        return out.toString();
    }

    static void waitFor(java.util.function.BooleanSupplier cond, long ms) throws InterruptedException {
        long end = System.currentTimeMillis() + ms;
        while (!cond.getAsBoolean() && System.currentTimeMillis() < end) {
            Thread.sleep(20);
        }
    }
}
