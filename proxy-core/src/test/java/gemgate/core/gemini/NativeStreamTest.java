package gemgate.core.gemini;

import static org.assertj.core.api.Assertions.assertThat;

import gemgate.core.error.ApiError;
import gemgate.core.json.Json;
import gemgate.core.translate.Golden;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class NativeStreamTest {
    private static final int CAP = 1 << 20;
    private static final String EMPTY_EVENT = "data: {\"candidates\":[{\"content\":{\"role\":\"model\"}}],"
            + "\"usageMetadata\":{\"promptTokenCount\":3,\"totalTokenCount\":3}}\r\n\r\n";
    private static final String TEXT_EVENT = "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"hi\"}],\"role\":\"model\"},"
            + "\"finishReason\":\"STOP\"}],\"usageMetadata\":{\"promptTokenCount\":3,\"candidatesTokenCount\":2,\"totalTokenCount\":5}}\r\n\r\n";

    @Test
    void googlesSseFramingPassesThroughByteForByteWhateverTheSplit() {
        byte[] in = Golden.bytes("googleai/streaming-success-basic-reply-short.txt");
        Run whole = run(NativeStream.Form.SSE, in, in.length);
        assertThat(whole.text()).as("a recorded stream with Google's own framing leaves unchanged").isEqualTo(new String(in, StandardCharsets.UTF_8));
        assertThat(whole.stream.totalTokens()).as("usage is read from the last usageMetadata").isPositive();
        assertThat(whole.stream.upstreamError()).isNull();
        for (int cut = 1; cut < in.length; cut++) {
            NativeStream s = new NativeStream(NativeStream.Form.SSE, CAP);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            s.feed(in, 0, cut, out::writeBytes);
            s.feed(in, cut, in.length - cut, out::writeBytes);
            s.finish(out::writeBytes);
            assertThat(out.toString(StandardCharsets.UTF_8)).as("split at %d", cut).isEqualTo(whole.text());
        }
    }

    @Test
    void googlesJsonArrayPassesThroughByteForByteWhateverTheSplit() {
        byte[] in = Golden.bytes("streamGenerateContent-no-alt-json-array-gemini-2.0-flash-real.json");
        Run whole = run(NativeStream.Form.JSON_ARRAY, in, in.length);
        assertThat(whole.text()).as("the recorded array with Google's framing leaves unchanged").isEqualTo(new String(in, StandardCharsets.UTF_8));
        assertThat(whole.stream.promptTokens()).isEqualTo(8);
        assertThat(whole.stream.totalTokens()).isEqualTo(20);
        for (int cut = 1; cut < in.length; cut++) {
            NativeStream s = new NativeStream(NativeStream.Form.JSON_ARRAY, CAP);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            s.feed(in, 0, cut, out::writeBytes);
            s.feed(in, cut, in.length - cut, out::writeBytes);
            s.finish(out::writeBytes);
            assertThat(out.toString(StandardCharsets.UTF_8)).as("split at %d", cut).isEqualTo(whole.text());
        }
    }

    @Test
    void eventsWithoutContentWaitForTheFirstOneWithContent() {
        NativeStream s = new NativeStream(NativeStream.Form.SSE, CAP);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] empty = EMPTY_EVENT.getBytes(StandardCharsets.UTF_8);
        s.feed(empty, 0, empty.length, out::writeBytes);
        assertThat(out.size()).as("an event without content is held: the attempt can still be retried").isZero();
        assertThat(s.committed()).isFalse();
        byte[] text = TEXT_EVENT.getBytes(StandardCharsets.UTF_8);
        s.feed(text, 0, text.length, out::writeBytes);
        s.finish(out::writeBytes);
        assertThat(out.toString(StandardCharsets.UTF_8)).as("held events go out, in order, with the first content")
                .isEqualTo(EMPTY_EVENT + TEXT_EVENT);
        assertThat(s.committed()).isTrue();
        assertThat(s.emptyAnswer()).isFalse();
    }

    @Test
    void anEmptyStreamEmitsNothingSoItCanBeRetried() {
        for (String body : new String[] {EMPTY_EVENT + EMPTY_EVENT, ""}) {
            Run r = run(NativeStream.Form.SSE, body.getBytes(StandardCharsets.UTF_8), 7);
            assertThat(r.text()).as("nothing of an empty answer reaches the client").isEmpty();
            assertThat(r.stream.emptyAnswer()).isTrue();
            assertThat(r.stream.upstreamError()).isNull();
        }
        Run arr = run(NativeStream.Form.JSON_ARRAY, "[]".getBytes(StandardCharsets.US_ASCII), 1);
        assertThat(arr.text()).isEmpty();
        assertThat(arr.stream.emptyAnswer()).isTrue();
    }

    @Test
    void anErrorBeforeContentIsRecordedNotSent() {
        String err = "data: {\"error\":{\"code\":503,\"message\":\"The model is overloaded.\",\"status\":\"UNAVAILABLE\"}}\r\n\r\n";
        Run r = run(NativeStream.Form.SSE, (EMPTY_EVENT + err).getBytes(StandardCharsets.UTF_8), 5);
        assertThat(r.text()).isEmpty();
        assertThat(r.stream.upstreamError()).isNotNull();
        assertThat(r.stream.upstreamError().status()).isEqualTo(502);
        assertThat(r.stream.errorForwarded()).isFalse();
    }

    @Test
    void googlesBareErrorAfterEventsIsForwardedAsAnEvent() {
        byte[] in = Golden.bytes("vertexai/streaming-failure-error-mid-stream.txt");
        Run r = run(NativeStream.Form.SSE, in, 11);
        String text = r.text();
        assertThat(text).contains("First ").contains("Second ");
        assertThat(text).as("the bare error body becomes one data event, so SSE clients see it")
                .endsWith("data: {\"error\": {\"code\": 499,\"message\": \"The operation was cancelled.\",\"status\": \"CANCELLED\","
                        + "\"details\": [{\"@type\": \"type.googleapis.com/google.rpc.DebugInfo\",\"detail\": \"[ORIGINAL ERROR] generic::cancelled: \"}]}}\r\n\r\n");
        assertThat(r.stream.errorForwarded()).isTrue();
        assertThat(r.stream.upstreamError()).isNotNull();
    }

    @Test
    void arrayErrorAfterContentIsForwardedAndTheArrayClosed() {
        String body = "[{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"a\"}]}}]}\n,\n{\"error\":{\"code\":500,\"message\":\"x\",\"status\":\"INTERNAL\"}}\n]";
        Run r = run(NativeStream.Form.JSON_ARRAY, body.getBytes(StandardCharsets.UTF_8), 3);
        assertThat(r.text()).isEqualTo(body);
        assertThat(Json.parse(r.text().getBytes(StandardCharsets.UTF_8))).as("the output is one valid JSON array").isInstanceOf(java.util.List.class);
        assertThat(r.stream.errorForwarded()).isTrue();
    }

    @Test
    void aCutArrayIsAnErrorAndTheErrorFrameClosesItValidly() {
        String body = "[{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"a\"}]}}]}\n,\n{\"candi";
        NativeStream s = new NativeStream(NativeStream.Form.JSON_ARRAY, CAP);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        s.feed(b, 0, b.length, out::writeBytes);
        s.finish(out::writeBytes);
        assertThat(s.upstreamError()).isNotNull();
        assertThat(s.upstreamError().message()).contains("inside an element");
        out.writeBytes(s.errorFrame(ApiError.upstreamFailed("The Gemini stream broke off")));
        Object tree = Json.parse(out.toByteArray());
        assertThat(tree).as("content, then our error as the last element: still one valid array").isInstanceOf(java.util.List.class);
        assertThat((java.util.List<?>) tree).hasSize(2);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("\"status\":\"UNAVAILABLE\"");
    }

    @Test
    void errorFramesBeforeAnyDataAreCompleteStreams() {
        ApiError err = ApiError.upstreamFailed("down");
        String sse = new String(new NativeStream(NativeStream.Form.SSE, CAP).errorFrame(err), StandardCharsets.UTF_8);
        assertThat(sse).isEqualTo("data: {\"error\":{\"code\":502,\"message\":\"down\",\"status\":\"UNAVAILABLE\"}}\r\n\r\n");
        NativeStream held = new NativeStream(NativeStream.Form.JSON_ARRAY, CAP);
        byte[] e = "[{\"candidates\":[]}".getBytes(StandardCharsets.US_ASCII);
        held.feed(e, 0, e.length, x -> { });
        String arr = new String(held.errorFrame(err), StandardCharsets.UTF_8);
        assertThat(arr).as("held (unsent) elements do not count: the error opens the array itself")
                .isEqualTo("[{\"error\":{\"code\":502,\"message\":\"down\",\"status\":\"UNAVAILABLE\"}}\n]");
    }

    @Test
    void wholeAnswerIsOneEventOrAOneElementArray() {
        byte[] unary = Golden.bytes("googleai/unary-success-basic-reply-short.json");
        String sse = new String(NativeStream.wholeAnswer(NativeStream.Form.SSE, unary), StandardCharsets.UTF_8);
        assertThat(sse).startsWith("data: {").endsWith("}\r\n\r\n");
        assertThat(sse.substring(0, sse.length() - 4)).as("an SSE event's JSON is one line").doesNotContain("\n").doesNotContain("\r");
        assertThat(Json.parse(sse.substring(6).strip())).as("compaction keeps the document").isEqualTo(Json.parse(unary));
        String arr = new String(NativeStream.wholeAnswer(NativeStream.Form.JSON_ARRAY, unary), StandardCharsets.UTF_8);
        assertThat(Json.parse(arr)).isEqualTo(java.util.List.of(Json.parse(unary)));
    }

    @Test
    void compactionNeverTouchesEscapedLineBreaksInStrings() {
        byte[] pretty = "{\n  \"text\": \"line1\\nline2  \\r\\n  x\",\n  \"n\": 1\n}\n".getBytes(StandardCharsets.UTF_8);
        byte[] c = NativeStream.compact(pretty);
        assertThat(new String(c, StandardCharsets.UTF_8)).isEqualTo("{\"text\": \"line1\\nline2  \\r\\n  x\",\"n\": 1}");
        assertThat(Json.parse(c)).isEqualTo(Json.parse(pretty));
    }

    @Test
    void keyShapedTextIsMaskedInWhatGoesOut() {
        String fakeKey = "AIza" + "Sy" + "A".repeat(33);
        String ev = "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"key " + fakeKey + "\"}]}}]}\r\n\r\n";
        Run r = run(NativeStream.Form.SSE, ev.getBytes(StandardCharsets.UTF_8), 9);
        assertThat(r.text()).as("a key echoed by Google never reaches the client").doesNotContain(fakeKey).contains("AIza…AAAA");
    }

    private record Run(NativeStream stream, ByteArrayOutputStream out) {
        String text() {
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    private static Run run(NativeStream.Form form, byte[] in, int step) {
        NativeStream s = new NativeStream(form, CAP);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < in.length; i += step) {
            s.feed(in, i, Math.min(step, in.length - i), out::writeBytes);
        }
        s.finish(out::writeBytes);
        return new Run(s, out);
    }
}
